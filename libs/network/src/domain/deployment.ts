import { addDays, ConflictError, eventClass, NotFoundError, optionalReason, parseLocalDate, ValidationError, type LocalDate } from '@bedside/shared';
import { CAPACITY_HORIZON_DAYS } from './capacity';
import { daysLostMoving, travelDaysFor, type UnitMove } from './unit-move';

/**
 * Deployments of mobile units (issue 13 §1; docs/domain.md "Surge", "Deployments"): a mobile unit is at
 * one place at a time. A deployment takes it from where it is on the day it leaves to another site; it
 * offers no capacity from that day (tear-down), through the road, set-up and requalification, and offers
 * it at the new site from `availableFrom` (daysLostMoving, the same rule the surge optimiser plans with).
 * A recall takes it home the same way.
 */
export interface DeploymentData {
  readonly deploymentId: string;
  readonly unitId: string;
  readonly fromSiteCode: string;
  readonly toSiteCode: string;
  /** The first day it offers nothing where it was: its tear-down's first day, in that site's time zone. */
  readonly leavesOn: LocalDate;
  /** The first day it offers capacity where it goes, in that site's time zone. */
  readonly availableFrom: LocalDate;
  readonly move: UnitMove;
  /** Hours by road from the travel table, when deployed. */
  readonly travelHours: number;
  readonly reason: string;
  /** Pathways booked on the unit from the day it leaves, when it was deployed anyway (flagged at risk and repaired). */
  readonly strandedCois: readonly string[];
  /** Planned deployments that had not begun, called off by a recall. */
  readonly cancels: readonly string[];
}

export class UnitDeployed extends eventClass<'UnitDeployed', DeploymentData>('UnitDeployed') {}
export class UnitRecalled extends eventClass<'UnitRecalled', DeploymentData>('UnitRecalled') {}

export type DeploymentEvent = UnitDeployed | UnitRecalled;

export interface Deployment extends DeploymentData {
  readonly recall: boolean;
}

/** Days of a unit's life at one site: moving there (nothing offered), or there. `until` is exclusive; null: still there. */
export interface UnitStay {
  readonly siteCode: string;
  readonly from: LocalDate;
  readonly until: LocalDate | null;
  /** Set on the days it is on its way: tear-down, road, set-up and requalification. */
  readonly moving: { readonly fromSiteCode: string; readonly deploymentId: string } | null;
}

export const deploymentOf = (event: DeploymentEvent): Deployment => ({ ...event.data, recall: event.type === 'UnitRecalled' });

/** Deployments in force, in order, once `next` is recorded: a recall calls off the planned ones it names. */
export function applyDeployment(deployments: readonly Deployment[], next: Deployment): Deployment[] {
  const cancelled = new Set(next.cancels);
  return [...deployments.filter((d) => !cancelled.has(d.deploymentId)), next];
}

/** Where a unit is, day by day, from `firstDay`: at home, then each move and each stay in turn. */
export function unitStays(homeSiteCode: string, firstDay: LocalDate, deployments: readonly DeploymentData[]): UnitStay[] {
  const stays: UnitStay[] = [];
  let here: UnitStay = { siteCode: homeSiteCode, from: firstDay, until: null, moving: null };
  for (const d of deployments) {
    stays.push({ ...here, until: d.leavesOn });
    stays.push({ siteCode: d.toSiteCode, from: d.leavesOn, until: d.availableFrom, moving: { fromSiteCode: d.fromSiteCode, deploymentId: d.deploymentId } });
    here = { siteCode: d.toSiteCode, from: d.availableFrom, until: null, moving: null };
  }
  stays.push(here);
  // A unit registered after a day it is said to leave has no days before it.
  return stays.filter((s) => s.until === null || s.until > s.from);
}

/** The stay a unit is in on `day` (its home before its first day). */
export function stayOn(stays: readonly UnitStay[], day: LocalDate): UnitStay {
  let found = stays[0]!;
  for (const stay of stays) if (stay.from <= day) found = stay;
  return found;
}

/** The stay a unit is in on `day`: at a site, or (`moving` set) on its way to it, which then makes nothing. */
export function stayOnDay(homeSiteCode: string, deployments: readonly DeploymentData[], day: LocalDate): UnitStay {
  return stayOn(unitStays(homeSiteCode, '0001-01-01' as LocalDate, deployments), day);
}

/**
 * The stay a unit is in on `day`, or, while it moves, the one it is heading for: where a plan made on
 * `day` may use it (its days there, at that site, and no others).
 */
export function presentStay(homeSiteCode: string, deployments: readonly DeploymentData[], day: LocalDate): UnitStay {
  const stays = unitStays(homeSiteCode, '0001-01-01' as LocalDate, deployments);
  const i = stays.indexOf(stayOn(stays, day));
  return stays[i]!.moving ? stays[i + 1]! : stays[i]!;
}

/** The site a unit is at, or on its way to, on `day`. */
export function siteOn(homeSiteCode: string, deployments: readonly DeploymentData[], day: LocalDate): string {
  let site = homeSiteCode;
  for (const d of deployments) if (d.leavesOn <= day) site = d.toSiteCode;
  return site;
}

/** What a mobile unit's deployment is decided from, read by the handler from the streams. */
export interface DeploymentFacts {
  readonly unitId: string;
  readonly mobility: string;
  readonly homeSiteCode: string;
  /** Deployments in force, in order. */
  readonly deployments: readonly Deployment[];
  /** Deployments and recalls recorded so far (called off or not), to number the next. */
  readonly deploymentsRecorded: number;
  /** Today where the unit is, by Bedside's clock. */
  readonly today: LocalDate;
  /** The destination's lifecycle status; undefined when it is not registered. */
  readonly destinationStatus: string | undefined;
  /** Hours by road between two sites, if the travel table has them. */
  readonly travelHours: (fromSiteCode: string, toSiteCode: string) => number | undefined;
  /** Pathways with places held or booked on the unit from a day on, by COI. */
  readonly bookedFrom: (day: LocalDate) => readonly string[];
}

export interface DeployUnit {
  readonly toSiteCode: string;
  readonly leavesOn: string;
  readonly tearDownDays?: number | null;
  readonly setUpDays?: number | null;
  readonly requalificationDays: number;
  readonly reason: string;
  /** Deploy even though booked pathways are stranded: they are flagged at risk with a repaired plan. */
  readonly force?: boolean | null;
}

/** Taking a unit down and setting it up take a day each unless the planner says otherwise. */
export const DEFAULT_TEAR_DOWN_DAYS = 1;
export const DEFAULT_SET_UP_DAYS = 1;

export function deployUnit(facts: DeploymentFacts, command: DeployUnit): UnitDeployed[] {
  const reason = requireReason(command.reason, 'why it goes (e.g. "CAR-T surge in the North West")');
  requireMobile(facts);
  const leavesOn = parseLocalDate('leavesOn', command.leavesOn);
  if (leavesOn < facts.today) throw new ValidationError('leavesOn', `${leavesOn} is in the past (today is ${facts.today} where unit ${facts.unitId} is); a deployment leaves today or later.`);
  const lastDay = addDays(facts.today, CAPACITY_HORIZON_DAYS - 1);
  if (leavesOn > lastDay) throw new ValidationError('leavesOn', `Capacity is laid out ${CAPACITY_HORIZON_DAYS} days ahead; deploy unit ${facts.unitId} to leave by ${lastDay}.`);
  if (facts.destinationStatus === undefined) throw new NotFoundError('site', command.toSiteCode, 'Register the site before deploying a unit there.');
  if (facts.destinationStatus === 'CEASED') throw new ValidationError('toSiteCode', `Site ${command.toSiteCode} has ceased; deploy the unit elsewhere.`);
  requireOnePlaceAtATime(facts, leavesOn);
  const fromSiteCode = siteOn(facts.homeSiteCode, facts.deployments, leavesOn);
  if (fromSiteCode === command.toSiteCode) throw new ValidationError('toSiteCode', `Unit ${facts.unitId} is already at ${fromSiteCode} on ${leavesOn}.`);
  const move: Omit<UnitMove, 'travelDays'> = {
    tearDownDays: command.tearDownDays ?? DEFAULT_TEAR_DOWN_DAYS,
    setUpDays: command.setUpDays ?? DEFAULT_SET_UP_DAYS,
    requalificationDays: command.requalificationDays,
  };
  return [new UnitDeployed(moveData(facts, { fromSiteCode, toSiteCode: command.toSiteCode, leavesOn, move, reason, force: command.force ?? false, cancels: [] }))];
}

/**
 * Brings a unit home the way it went (the same tear-down, set-up and requalification days as the
 * deployment that took it where it is), leaving today; planned deployments not yet begun are called off.
 */
export function recallUnit(facts: DeploymentFacts, rawReason: string, force: boolean): UnitRecalled[] {
  const reason = requireReason(rawReason, 'why it comes home (e.g. "surge over")');
  requireMobile(facts);
  const begun = facts.deployments.filter((d) => d.leavesOn <= facts.today);
  const planned = facts.deployments.filter((d) => d.leavesOn > facts.today);
  const last = begun.at(-1);
  if (last && last.availableFrom > facts.today) {
    throw new ConflictError(`Unit ${facts.unitId} is on its way to ${last.toSiteCode} until ${last.availableFrom}; recall it from then.`, {
      unitId: facts.unitId,
      availableFrom: last.availableFrom,
    });
  }
  const here = last?.toSiteCode ?? facts.homeSiteCode;
  if (here === facts.homeSiteCode) {
    const next = planned[0] ? `; its deployment to ${planned[0].toSiteCode} leaving ${planned[0].leavesOn} is still planned` : '';
    throw new ConflictError(`Unit ${facts.unitId} is at home (${facts.homeSiteCode}): there is nothing to recall${next}.`, { unitId: facts.unitId });
  }
  const { tearDownDays, setUpDays, requalificationDays } = last!.move;
  return [
    new UnitRecalled(
      moveData(facts, {
        fromSiteCode: here,
        toSiteCode: facts.homeSiteCode,
        leavesOn: facts.today,
        move: { tearDownDays, setUpDays, requalificationDays },
        reason,
        force,
        cancels: planned.map((d) => d.deploymentId),
      }),
    ),
  ];
}

function moveData(
  facts: DeploymentFacts,
  m: { fromSiteCode: string; toSiteCode: string; leavesOn: LocalDate; move: Omit<UnitMove, 'travelDays'>; reason: string; force: boolean; cancels: readonly string[] },
): DeploymentData {
  const travelHours = facts.travelHours(m.fromSiteCode, m.toSiteCode);
  if (travelHours === undefined) {
    throw new ValidationError('toSiteCode', `No travel time is recorded between ${m.fromSiteCode} and ${m.toSiteCode}; record it first (setTravelTime).`);
  }
  const move: UnitMove = { ...m.move, travelDays: travelDaysFor(travelHours) };
  // Pathways an earlier move already stranded are at risk already (and stay so until repaired): not counted again.
  const already = new Set(facts.deployments.flatMap((d) => d.strandedCois));
  const stranded = facts.bookedFrom(m.leavesOn).filter((coi) => !already.has(coi));
  if (stranded.length > 0 && !m.force) {
    throw new ConflictError(
      `Moving unit ${facts.unitId} from ${m.leavesOn} strands ${stranded.length} booked pathway${stranded.length === 1 ? '' : 's'} (${stranded.join(', ')}): rebook them first, or deploy with force and a reason to flag them at risk with a repaired plan.`,
      { unitId: facts.unitId, stranded: [...stranded] },
    );
  }
  return {
    deploymentId: `${facts.unitId}-D${facts.deploymentsRecorded + 1}`,
    unitId: facts.unitId,
    fromSiteCode: m.fromSiteCode,
    toSiteCode: m.toSiteCode,
    leavesOn: m.leavesOn,
    availableFrom: addDays(m.leavesOn, daysLostMoving(move)),
    move,
    travelHours,
    reason: m.reason,
    strandedCois: [...stranded],
    cancels: m.cancels,
  };
}

function requireReason(raw: string, example: string): string {
  const reason = optionalReason(raw);
  if (!reason) throw new ValidationError('reason', `Record ${example}.`);
  return reason;
}

function requireMobile(facts: DeploymentFacts): void {
  if (facts.mobility !== 'MOBILE') throw new ValidationError('unitId', `Unit ${facts.unitId} is fixed at ${facts.homeSiteCode}; only mobile units are deployed.`);
}

/** One place at a time: a unit leaves again only once it has arrived, and deployments are planned in order. */
function requireOnePlaceAtATime(facts: DeploymentFacts, leavesOn: LocalDate): void {
  const last = facts.deployments.at(-1);
  if (!last) return;
  if (leavesOn < last.leavesOn) {
    throw new ConflictError(`Unit ${facts.unitId} already leaves for ${last.toSiteCode} on ${last.leavesOn}; plan this deployment from ${last.availableFrom}, when it is set up there.`, {
      unitId: facts.unitId,
      deploymentId: last.deploymentId,
    });
  }
  if (leavesOn < last.availableFrom) {
    throw new ConflictError(`Unit ${facts.unitId} is on its way to ${last.toSiteCode} until ${last.availableFrom}; it can leave again from then.`, {
      unitId: facts.unitId,
      deploymentId: last.deploymentId,
    });
  }
}
