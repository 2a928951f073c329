import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { EVENT_STORE, isAfter, recordedOfTypes, START_OF_LOG, type EventStore, type GlobalPosition, type RecordedEvent } from '@bedside/event-store';
import { CLOCK, ValidationError, type Caller, type Clock } from '@bedside/shared';
import { BANK_HOLIDAYS_STREAM, calendarStreamId, dmmfStreamId, expandCapacity, normaliseOdsCode, normaliseProductCode, normaliseUnitId, siteStreamId, unitStreamId, type DmmfEvent, type SiteEvent, type UnitEvent } from '../domain';
import { CAPACITY_INPUT_EVENT_TYPES, CapacityInputsFold, capacitySources } from '../projections/capacity-inputs';
import { applyUnitEvent, DMMF_EVENT_TYPES, dmmfRowOf, UNIT_EVENT_TYPES } from '../projections/network-model.projections';
import { applySiteEvent, SITE_DIRECTORY_EVENT_TYPES } from '../projections/site-directory.projection';
import type { SiteRecord } from '../projections/site-record.entity';
import { checkRange, maskForCaller, NetworkReadModel, slotMatches, type CapacityQuery, type CapacityRow, type DmmfRow, type UnitRow } from './network-read-model';
import type { SiteFilter } from './site-directory';

/**
 * An `asOf` instant checked: the past and the present can be shown, the future cannot (it is not
 * recorded yet). Before the first event there is simply nothing: no site, an empty list.
 */
export function checkAsOf(asOf: Date, now: Date): Date {
  if (Number.isNaN(asOf.getTime())) throw new ValidationError('asOf', 'asOf is not an instant: give an ISO-8601 date and time, e.g. 2027-01-05T09:30:00Z.');
  if (asOf.getTime() > now.getTime()) {
    throw new ValidationError(
      'asOf',
      `asOf ${asOf.toISOString()} is in the future: Bedside shows what was recorded up to now (${now.toISOString()}). Leave asOf out for the current state, or give an earlier instant.`,
    );
  }
  return asOf;
}

/** A slot of capacity, as the pathways context books it. */
export interface CommittedSlotRef {
  readonly resourceKey: string;
  readonly day: string;
  readonly session: string;
}

export const slotKey = (slot: CommittedSlotRef) => `${slot.resourceKey}|${slot.day}|${slot.session}`;

/**
 * Places held (tentative) and booked (committed) on slots as recorded by an instant. Holds and
 * bookings are the pathways context's (its slot streams); it provides this, since it depends on the
 * network and not the other way round.
 */
export interface SlotCommitmentsAsOf {
  /** Keyed by `slotKey`; slots with nothing recorded may be left out. */
  commitmentsAsOf(slots: readonly CommittedSlotRef[], asOf: Date): Promise<Map<string, { committed: number; tentative: number }>>;
}

export const SLOT_COMMITMENTS_AS_OF = Symbol('SLOT_COMMITMENTS_AS_OF');

/** Events read from the global log per round trip. */
const PAGE = 5000;

/**
 * The network as it was recorded at an instant (issue 5 §6: an incident review sees what the
 * scheduler saw). Rebuilt from the events recorded by then with the projections' own folds
 * (applySiteEvent, applyUnitEvent, dmmfRowOf, the capacity inputs and layout), so the answer is the
 * one the live read model gave at that instant. Reads only what the question needs: one stream for
 * one site or unit, the network-model events for lists and capacity (never bookings), and the slot
 * streams of the capacity range asked for.
 */
@Injectable()
export class NetworkAsOf {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModel: NetworkReadModel,
    private readonly moduleRef: ModuleRef,
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async site(rawCode: string, asOf: Date): Promise<SiteRecord | null> {
    checkAsOf(asOf, this.clock.now());
    const events = await this.store.readStream(siteStreamId(normaliseOdsCode('code', rawCode)), { recordedUpTo: asOf });
    return recordedOfTypes<SiteEvent>(events, SITE_DIRECTORY_EVENT_TYPES).reduce<SiteRecord | undefined>(applySiteEvent, undefined) ?? null;
  }

  /** Sites ordered by code after a cursor, `limit + 1` of them, as `SiteDirectory.list` gives them. */
  async sites(filter: SiteFilter, limit: number, afterCode: string | undefined, asOf: Date): Promise<SiteRecord[]> {
    const trustCode = filter.trustCode?.toUpperCase();
    return [...(await this.allSites(asOf)).values()]
      .filter((s) => (!filter.kind || s.kind === filter.kind) && (!filter.status || s.status === filter.status) && (!trustCode || s.trustCode === trustCode))
      .filter((s) => !afterCode || s.code > afterCode)
      .sort((a, b) => compare(a.code, b.code))
      .slice(0, limit + 1);
  }

  /** The Control Site then, as `SiteDirectory.controlSite` finds it now. */
  async controlSite(asOf: Date): Promise<SiteRecord | null> {
    const candidates = [...(await this.allSites(asOf)).values()].filter((s) => s.kind === 'CONTROL_SITE' && s.status !== 'CEASED');
    return candidates.sort((a, b) => b.registeredAt.getTime() - a.registeredAt.getTime())[0] ?? null;
  }

  async unit(rawId: string, asOf: Date): Promise<UnitRow | undefined> {
    checkAsOf(asOf, this.clock.now());
    const events = await this.store.readStream(unitStreamId(normaliseUnitId('id', rawId)), { recordedUpTo: asOf });
    return recordedOfTypes<UnitEvent>(events, UNIT_EVENT_TYPES).reduce<UnitRow | undefined>(applyUnitEvent, undefined);
  }

  /** Units ordered by id after a cursor, `limit + 1` of them, as `NetworkReadModel.units` gives them. */
  async units(filter: { kind?: string | null; siteCode?: string | null }, limit: number, afterId: string | undefined, asOf: Date): Promise<UnitRow[]> {
    const siteCode = filter.siteCode ? normaliseOdsCode('siteCode', filter.siteCode) : null;
    const units = new Map<string, UnitRow>();
    for (const event of recordedOfTypes<UnitEvent>(await this.log(UNIT_EVENT_TYPES, asOf), UNIT_EVENT_TYPES)) {
      const unitId = event.data.unitId;
      const next = applyUnitEvent(units.get(unitId), event);
      if (next) units.set(unitId, next);
    }
    return [...units.values()]
      .filter((u) => (!filter.kind || u.kind === filter.kind) && (!siteCode || u.current_site_code === siteCode) && (!afterId || u.unit_id > afterId))
      .sort((a, b) => compare(a.unit_id, b.unit_id))
      .slice(0, limit + 1);
  }

  /** Every product with a DMMF then, at its latest version then. */
  async products(asOf: Date): Promise<DmmfRow[]> {
    const latest = new Map<string, DmmfRow>();
    for (const event of recordedOfTypes<DmmfEvent>(await this.log(DMMF_EVENT_TYPES, asOf), DMMF_EVENT_TYPES)) {
      const row = dmmfRowOf(event);
      latest.set(row.product_code, later(latest.get(row.product_code), row));
    }
    return [...latest.values()].sort((a, b) => compare(a.product_code, b.product_code));
  }

  /** A product's latest DMMF version as of the instant. */
  async dmmf(productCode: string, asOf: Date): Promise<DmmfRow | undefined> {
    const events = await this.store.readStream(dmmfStreamId(normaliseProductCode('productCode', productCode)), { recordedUpTo: asOf });
    return recordedOfTypes<DmmfEvent>(events, DMMF_EVENT_TYPES).map(dmmfRowOf).reduce<DmmfRow | undefined>(later, undefined);
  }

  /**
   * Capacity as `NetworkReadModel.capacity` showed it at the instant: the layout from the calendars,
   * exceptions, bank holidays and site and unit states recorded by then (only the resources and days
   * asked for), the places held and booked on those slots by then, the same filter, order, paging
   * and masking for schedulers.
   */
  async capacity(query: CapacityQuery, from: string, to: string, limit: number, after: [string, string, string] | undefined, caller: Caller, asOf: Date): Promise<CapacityRow[]> {
    checkAsOf(asOf, this.clock.now());
    const range = checkRange(from, to);
    const filter = await this.readModel.resolveFilter(query, async (productCode) => {
      const dmmf = await this.dmmf(productCode, asOf);
      if (!dmmf) throw new ValidationError('filter.productCode', `No DMMF had been published for product ${productCode} by ${asOf.toISOString()}.`);
      return dmmf;
    });
    const fold = new CapacityInputsFold();
    const inputs = filter.siteCodes ? await this.capacityInputsOfSites(filter.siteCodes, asOf) : await this.log(CAPACITY_INPUT_EVENT_TYPES, asOf);
    for (const event of inputs) fold.apply(event);
    const slots = capacitySources(fold.inputs())
      .filter((source) => slotMatches(filter, source))
      .flatMap((source) => expandCapacity(source, range));
    const commitments = slots.length > 0 ? await this.commitments().commitmentsAsOf(slots, asOf) : new Map();
    const rows = slots
      .map((slot) => {
        const { committed, tentative } = commitments.get(slotKey(slot)) ?? { committed: 0, tentative: 0 };
        return {
          resource_key: slot.resourceKey,
          day: slot.day,
          session: slot.session,
          site_code: slot.siteCode,
          unit_id: slot.unitId,
          resource: slot.resource,
          starts_at: slot.startsAt,
          ends_at: slot.endsAt,
          nominal: slot.nominal,
          capacity: slot.capacity,
          committed,
          tentative,
          free: Math.max(0, slot.capacity - committed - tentative),
          closed_reason: slot.closedReason,
        };
      })
      .filter((r) => !query.onlyFree || r.capacity - r.committed - r.tentative > 0)
      .filter((r) => !after || compareKeys([r.day, r.resource_key, r.session], after) > 0)
      .sort((a, b) => compareKeys([a.day, a.resource_key, a.session], [b.day, b.resource_key, b.session]))
      .slice(0, limit + 1);
    return maskForCaller(rows, await this.readModel.ownSites(caller));
  }

  /**
   * The capacity inputs of some sites only, in log order: their site and calendar streams, the bank
   * holidays, and the streams of units homed there, instead of a scan of the whole log. Units homed
   * at a site are those the capacity table has (units are never removed and keep their home), read in
   * one snapshot with the point in the log the table reflects, plus any registered after that point.
   */
  private async capacityInputsOfSites(siteCodes: readonly string[], asOf: Date): Promise<RecordedEvent[]> {
    const [known]: { units: string[]; tx: string | null; pos: string | null }[] = await this.dataSource.query(
      `SELECT coalesce((SELECT array_agg(unit_id) FROM capacity_units WHERE site_code = ANY($1)), '{}') AS units,
              c.transaction_id::text AS tx, c.global_position::text AS pos
         FROM (SELECT 1) one LEFT JOIN projection_checkpoints c ON c.name = 'capacity'`,
      [siteCodes],
    );
    const unitIds = new Set(known!.units);
    let after: GlobalPosition = known!.tx && known!.pos ? { transactionId: BigInt(known!.tx), position: BigInt(known!.pos) } : START_OF_LOG;
    for (;;) {
      const page = await this.store.readAllAsOf({ recordedUpTo: asOf, eventTypes: ['UnitRegistered'], after, maxCount: PAGE });
      for (const event of page) {
        const { unitId, homeSiteCode } = event.data as { unitId: string; homeSiteCode: string };
        if (siteCodes.includes(homeSiteCode)) unitIds.add(unitId);
      }
      if (page.length < PAGE) break;
      after = page.at(-1)!.globalPosition;
    }
    const streamIds = [
      ...siteCodes.flatMap((siteCode) => [siteStreamId(siteCode), calendarStreamId({ siteCode })]),
      BANK_HOLIDAYS_STREAM,
      ...[...unitIds].flatMap((unitId) => [unitStreamId(unitId), calendarStreamId({ unitId })]),
    ];
    const streams = await this.store.readStreams(streamIds, { recordedUpTo: asOf });
    return [...streams.values()].flat().sort((a, b) => (isAfter(a.globalPosition, b.globalPosition) ? 1 : -1));
  }

  private async allSites(asOf: Date): Promise<Map<string, SiteRecord>> {
    const sites = new Map<string, SiteRecord>();
    for (const event of recordedOfTypes<SiteEvent>(await this.log(SITE_DIRECTORY_EVENT_TYPES, asOf), SITE_DIRECTORY_EVENT_TYPES)) {
      const code = event.data.code;
      const next = applySiteEvent(sites.get(code), event);
      if (next) sites.set(code, next);
    }
    return sites;
  }

  /** Events of these types recorded by the instant, in log order. */
  private async log(eventTypes: readonly string[], asOf: Date): Promise<RecordedEvent[]> {
    checkAsOf(asOf, this.clock.now());
    const events: RecordedEvent[] = [];
    let after: GlobalPosition | undefined;
    for (;;) {
      const page = await this.store.readAllAsOf({ recordedUpTo: asOf, eventTypes, after, maxCount: PAGE });
      events.push(...page);
      if (page.length < PAGE) return events;
      after = page.at(-1)!.globalPosition;
    }
  }

  private commitments(): SlotCommitmentsAsOf {
    // Looked up across modules: the pathways module provides it (see SlotCommitmentsAsOf).
    return this.moduleRef.get<SlotCommitmentsAsOf>(SLOT_COMMITMENTS_AS_OF, { strict: false });
  }
}

/** The later of two versions of a product's DMMF, as the read model's `ORDER BY version DESC` picks. */
const later = (a: DmmfRow | undefined, b: DmmfRow): DmmfRow => (!a || b.version > a.version ? b : a);

/**
 * Code-point order: the read model's tables sort so under the C collation (the embedded database's).
 * On a database with another collation, live pages may order resource keys differently.
 */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}
