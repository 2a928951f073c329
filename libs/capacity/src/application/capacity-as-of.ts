import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EVENT_STORE, isAfter, pagesRecordedAsOf, recordedAsOf, recordedOfTypes, START_OF_LOG, type EventStore, type GlobalPosition, type RecordedEvent } from '@bedside/event-store';
import {
  BANK_HOLIDAYS_STREAM,
  calendarStreamId,
  checkAsOf,
  expandCapacity,
  NetworkAsOf,
  NetworkReadModel,
  siteStreamId,
  slotMatches,
  unitStreamId,
  type CapacityQuery,
  type UnitRegistered,
} from '@bedside/network';
import { CLOCK, ValidationError, type Caller, type Clock } from '@bedside/shared';
import { addPlaces, slotKey, type Commitments, type SlotRef } from '../domain/slot';
import { CAPACITY_INPUT_EVENT_TYPES, CapacityInputsFold, capacitySources, type CapacityInputEvent } from '../projections/capacity-inputs';
import type { CapacityRow } from '../projections/capacity-rows';
import { checkRange, maskForCaller } from './capacity-queries';
import { CapacityReads } from './capacity-reads';

/**
 * Places held (tentative) and booked (committed) on slots as recorded by an instant. Holds and
 * bookings are recorded by the pathways slice (its slot and hold streams); it provides this, since it
 * depends on capacity and not the other way round.
 */
export interface SlotCommitmentsAsOf {
  /** Keyed by `slotKey`; slots with nothing recorded may be left out. */
  commitmentsAsOf(slots: readonly SlotRef[], asOf: Date): Promise<Map<string, Commitments>>;
}

export const SLOT_COMMITMENTS_AS_OF = Symbol('SLOT_COMMITMENTS_AS_OF');

/**
 * Capacity as it was recorded at an instant (issue 5 §6: an incident review sees what the scheduler
 * saw), rebuilt from the events recorded by then with the layout projection's own fold (the capacity
 * inputs and layout), so the answer is the one the live read model gave then. Reads only what the
 * question needs: the capacity inputs (never bookings) and the slot streams of the range asked for.
 */
@Injectable()
export class CapacityAsOf {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly network: NetworkReadModel,
    private readonly networkAsOf: NetworkAsOf,
    private readonly reads: CapacityReads,
    private readonly moduleRef: ModuleRef,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Capacity as `CapacityQueries.capacity` showed it at the instant: the layout from the calendars,
   * exceptions, bank holidays and site and unit states recorded by then (only the resources and days
   * asked for), the places held and booked on those slots by then, the same filter, order, paging
   * and masking for schedulers.
   */
  async capacity(query: CapacityQuery, from: string, to: string, limit: number, after: [string, string, string] | undefined, caller: Caller, asOf: Date): Promise<CapacityRow[]> {
    checkAsOf(asOf, this.clock.now());
    const range = checkRange(from, to);
    const filter = await this.network.resolveFilter(query, async (productCode) => {
      const dmmf = await this.networkAsOf.dmmf(productCode, asOf);
      if (!dmmf) throw new ValidationError('filter.productCode', `No DMMF had been published for product ${productCode} by ${asOf.toISOString()}.`);
      return dmmf;
    });
    const fold = new CapacityInputsFold();
    const inputs = filter.siteCodes ? await this.capacityInputsOfSites(filter.siteCodes, asOf) : await this.log(asOf);
    for (const event of recordedOfTypes<CapacityInputEvent>(inputs, CAPACITY_INPUT_EVENT_TYPES)) fold.apply(event);
    const slots = capacitySources(fold.inputs())
      .filter((source) => slotMatches(filter, source))
      .flatMap((source) => expandCapacity(source, range));
    const commitments = slots.length > 0 ? await this.commitments().commitmentsAsOf(slots, asOf) : new Map<string, Commitments>();
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
          free: Math.max(0, addPlaces(slot.capacity, -addPlaces(committed, tentative))),
          closed_reason: slot.closedReason,
        };
      })
      .filter((r) => !query.onlyFree || r.free > 0)
      .filter((r) => !after || compareKeys([r.day, r.resource_key, r.session], after) > 0)
      .sort((a, b) => compareKeys([a.day, a.resource_key, a.session], [b.day, b.resource_key, b.session]))
      .slice(0, limit + 1);
    return maskForCaller(rows, await this.network.ownSites(caller));
  }

  /**
   * The capacity inputs of some sites only, in log order: their site and calendar streams, the bank
   * holidays, and the streams of units homed there, instead of a scan of the whole log. Units homed
   * at a site are those the layout has (units are never removed and keep their home), read in one
   * snapshot with the point in the log the layout reflects, plus any registered after that point.
   */
  private async capacityInputsOfSites(siteCodes: readonly string[], asOf: Date): Promise<RecordedEvent[]> {
    const known = await this.reads.unitsHomedAt(siteCodes);
    const unitIds = new Set(known.unitIds);
    const after: GlobalPosition = known.transactionId && known.position ? { transactionId: BigInt(known.transactionId), position: BigInt(known.position) } : START_OF_LOG;
    for await (const page of pagesRecordedAsOf(this.store, { recordedUpTo: asOf, eventTypes: ['UnitRegistered'], after })) {
      for (const event of recordedOfTypes<UnitRegistered>(page, ['UnitRegistered'])) {
        if (siteCodes.includes(event.data.homeSiteCode)) unitIds.add(event.data.unitId);
      }
    }
    const streamIds = [
      ...siteCodes.flatMap((siteCode) => [siteStreamId(siteCode), calendarStreamId({ siteCode })]),
      BANK_HOLIDAYS_STREAM,
      ...[...unitIds].flatMap((unitId) => [unitStreamId(unitId), calendarStreamId({ unitId })]),
    ];
    const streams = await this.store.readStreams(streamIds, { recordedUpTo: asOf });
    return [...streams.values()].flat().sort((a, b) => (isAfter(a.globalPosition, b.globalPosition) ? 1 : -1));
  }

  /** Every capacity input recorded by the instant, in log order. */
  private log(asOf: Date): Promise<RecordedEvent[]> {
    return recordedAsOf(this.store, { recordedUpTo: asOf, eventTypes: CAPACITY_INPUT_EVENT_TYPES });
  }

  private commitments(): SlotCommitmentsAsOf {
    // Looked up across modules: the pathways module provides it (see SlotCommitmentsAsOf).
    return this.moduleRef.get<SlotCommitmentsAsOf>(SLOT_COMMITMENTS_AS_OF, { strict: false });
  }
}

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
