import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext, EventStore } from '@bedside/event-store';
import { systemClock } from '@bedside/shared';
import { DeclareBankHolidaysCommand, SetDistrictTravelTimesCommand, SetResourceCalendarCommand, SetTravelTimeCommand } from '../application/calendar-commands';
import { PublishDmmfVersionCommand } from '../application/dmmf-commands';
import { ChangeSiteStatusCommand, RegisterSiteCommand } from '../application/site-commands';
import { RegisterUnitCommand, SetUnitQualificationCommand } from '../application/unit-commands';
import { CONTROL_SITE_STREAM, type GeoLocation } from '../domain';
import {
  DEMO_CENTRES,
  DEMO_CONTROL_SITE,
  DEMO_DISTRICT_REACH_MINUTES,
  DEMO_DISTRICTS,
  DEMO_FILL_FINISH,
  DEMO_PRODUCTS,
  DEMO_UNITS,
  demoCalendars,
  ENGLAND_AND_WALES_BANK_HOLIDAYS,
  roadHours,
  type DemoCentre,
  type DemoUnit,
} from './demo-network';

export interface SeedOptions {
  /** First day of the calendars (yyyy-mm-dd); they run a year and a month from it. */
  readonly from: string;
  /**
   * Now, by the caller's clock (default the system's): the demo's DMMF versions are signed by demo-seed
   * as signed in then (issue 14 §2), so a pinned clock must be passed.
   */
  readonly now?: Date;
  /** Copies of the ten centres and their units: 1 for the demo, 10 for the "10× network" benchmark. */
  readonly scale?: number;
  readonly log?: (line: string) => void;
}

export interface SeedReport {
  readonly seeded: boolean;
  readonly sites: number;
  readonly units: number;
  readonly products: number;
  readonly travelTimes: number;
}

const seedActor: CommandContext = { actor: 'demo-seed', role: 'control_site_qa', correlationId: 'demo-seed', reason: 'Demo network' };

/** Centre copies for scaled networks: RBV01, then RBV02, RBV03... with their own units. */
function copies(scale: number): { centres: DemoCentre[]; units: DemoUnit[] } {
  const centres: DemoCentre[] = [];
  const units: DemoUnit[] = [];
  for (let copy = 0; copy < scale; copy++) {
    const rename = (code: string) => (copy === 0 ? code : `${code.slice(0, 3)}${String(copy + 1).padStart(2, '0')}`);
    for (const centre of DEMO_CENTRES) {
      centres.push({
        ...centre,
        code: rename(centre.code),
        name: copy === 0 ? centre.name : `${centre.name} (copy ${copy + 1})`,
        location: { latitude: centre.location.latitude + copy * 0.01, longitude: centre.location.longitude },
      });
    }
    for (const unit of DEMO_UNITS) {
      if (copy > 0 && unit.homeSiteCode === DEMO_CONTROL_SITE.code) continue;
      units.push({ ...unit, unitId: copy === 0 ? unit.unitId : `${unit.unitId}-C${copy + 1}`, homeSiteCode: rename(unit.homeSiteCode) });
    }
  }
  return { centres, units };
}

/**
 * Loads the demo network through the same commands users send, so every fact is an event with
 * its actor ("demo-seed") and reason. Does nothing when a Control Site is already registered.
 */
export async function seedDemoNetwork(commands: CommandBus, store: EventStore, options: SeedOptions): Promise<SeedReport> {
  const log = options.log ?? (() => undefined);
  if ((await store.readStream(CONTROL_SITE_STREAM, { maxCount: 1 })).length > 0) {
    log('demo network: a Control Site is already registered; nothing seeded');
    return { seeded: false, sites: 0, units: 0, products: 0, travelTimes: 0 };
  }
  const seedContext: CommandContext = { ...seedActor, signedInAt: (options.now ?? systemClock.now()).toISOString() };
  const { centres, units } = copies(options.scale ?? 1);
  const started = performance.now();
  await commands.execute(new DeclareBankHolidaysCommand('england-and-wales', ENGLAND_AND_WALES_BANK_HOLIDAYS, seedContext));

  const sites: { code: string; location: GeoLocation }[] = [];
  const activate = async (code: string) => {
    await commands.execute(new ChangeSiteStatusCommand(code, 'onboard', null, seedContext));
    await commands.execute(new ChangeSiteStatusCommand(code, 'activate', null, seedContext));
  };
  await commands.execute(new RegisterSiteCommand({ ...DEMO_CONTROL_SITE, timeZone: 'Europe/London' }, seedContext));
  await activate(DEMO_CONTROL_SITE.code);
  sites.push(DEMO_CONTROL_SITE);
  for (const [i, centre] of centres.entries()) {
    await commands.execute(
      new RegisterSiteCommand({ code: centre.code, name: centre.name, kind: 'HOSPITAL', timeZone: 'Europe/London', location: centre.location, region: centre.region, trustCode: centre.trustCode }, seedContext),
    );
    for (const calendar of demoCalendars(centre)) {
      await commands.execute(new SetResourceCalendarCommand({ ...calendar, siteCode: centre.code, effectiveFrom: options.from }, seedContext));
    }
    await activate(centre.code);
    sites.push(centre);
    if ((i + 1) % 10 === 0 || i === centres.length - 1) log(`demo network: ${i + 1}/${centres.length} treatment centres registered with calendars`);
  }

  for (const unit of units) {
    await commands.execute(
      new RegisterUnitCommand({ ...unit, fillFinish: unit.kind === 'FILL_FINISH' ? DEMO_FILL_FINISH : null }, seedContext),
    );
    if (unit.qualified) await commands.execute(new SetUnitQualificationCommand(unit.unitId, 'QUALIFIED', 'Demo network: performance qualification passed', seedContext));
  }
  log(`demo network: ${units.length} modular units registered`);

  for (const product of DEMO_PRODUCTS) {
    const unitIds = units.filter((u) => product.unitIds.some((id) => u.unitId === id || u.unitId.startsWith(`${id}-C`))).map((u) => u.unitId);
    const siteCodes = product.siteCodes.length > 0 ? centres.map((c) => c.code) : [];
    await commands.execute(new PublishDmmfVersionCommand({ process: product.process, designation: { siteCodes, unitIds }, reason: product.reason }, seedContext));
  }

  let travelTimes = 0;
  for (let a = 0; a < sites.length; a++) {
    for (let b = a + 1; b < sites.length; b++) {
      const hours = roadHours(sites[a]!.location, sites[b]!.location);
      // Fresh starting material travels by courier at 2-8 °C; routes over 8 hours are left to cryopreservation.
      await commands.execute(new SetTravelTimeCommand({ fromSiteCode: sites[a]!.code, toSiteCode: sites[b]!.code, hours, freshCourier: hours <= 8 }, seedContext));
      travelTimes++;
    }
  }
  // Minutes from the demo's postcode districts to each centre, for the stay-within-reach rule (issue 14 §4).
  for (const centre of centres) {
    const times = DEMO_DISTRICTS.map(({ district, location }) => ({ district, minutes: Math.round(roadHours(location, centre.location) * 60) })).filter((t) => t.minutes <= DEMO_DISTRICT_REACH_MINUTES);
    if (times.length > 0) await commands.execute(new SetDistrictTravelTimesCommand({ siteCode: centre.code, times, reason: 'Demo network: road estimate from the district’s centre' }, seedContext));
  }
  log(`demo network: ${DEMO_PRODUCTS.length} products and ${travelTimes} travel times recorded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { seeded: true, sites: sites.length, units: units.length, products: DEMO_PRODUCTS.length, travelTimes };
}
