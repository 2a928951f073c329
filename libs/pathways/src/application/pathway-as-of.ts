import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@bedside/event-store';
import { checkAsOf, slotKey, type CommittedSlotRef, type SlotCommitmentsAsOf } from '@bedside/network';
import { requireTrust, type Caller } from '@bedside/shared';
import { normaliseCoi, pathwayStreamId, slotStreamId, type PatientReferredData } from '../domain';
import { applyPathwayEvent, commitmentChange } from '../projections/pathway.projections';
import type { PathwayRow } from './pathway-reads';

/** Slot streams read per round trip (a year of network-wide capacity is tens of thousands). */
const STREAMS_PER_READ = 5000;

/**
 * Held and booked places on slots as recorded by an instant, from each slot's own stream, added up
 * as the capacity-commitments projection adds them (commitmentChange). The network's capacity
 * `asOf` reads it through SLOT_COMMITMENTS_AS_OF.
 */
@Injectable()
export class SlotCommitmentsHistory implements SlotCommitmentsAsOf {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async commitmentsAsOf(slots: readonly CommittedSlotRef[], asOf: Date): Promise<Map<string, { committed: number; tentative: number }>> {
    const byStream = new Map(slots.map((slot) => [slotStreamId(slot), slotKey(slot)]));
    const ids = [...byStream.keys()];
    const totals = new Map<string, { committed: number; tentative: number }>();
    for (let i = 0; i < ids.length; i += STREAMS_PER_READ) {
      const streams = await this.store.readStreams(ids.slice(i, i + STREAMS_PER_READ), { recordedUpTo: asOf });
      for (const [streamId, events] of streams) {
        if (events.length === 0) continue;
        const total = { committed: 0, tentative: 0 };
        for (const event of events) {
          const change = commitmentChange(event);
          total.committed += change.committed;
          total.tentative += change.tentative;
        }
        totals.set(byStream.get(streamId)!, total);
      }
    }
    return totals;
  }
}

/**
 * A pathway as it was recorded at an instant, from its own stream, folded as the pathways projection
 * folds it (applyPathwayEvent). Trust scoping as for `pathway` now: a scheduler asking about another
 * trust's pathway is refused whatever the instant, also one before its referral (a null would say when
 * another trust referred).
 */
@Injectable()
export class PathwayAsOf {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async visiblePathway(rawCoi: string, caller: Caller, asOf: Date): Promise<PathwayRow | undefined> {
    checkAsOf(asOf);
    const coi = normaliseCoi(rawCoi);
    const events = await this.store.readStream(pathwayStreamId(coi), { recordedUpTo: asOf });
    if (events.length === 0) {
      const [referral] = await this.store.readStream(pathwayStreamId(coi), { maxCount: 1 });
      if (referral) requireTrust(caller, (referral.data as unknown as PatientReferredData).referringTrust, 'see pathways');
      return undefined;
    }
    const row = events.reduce<Record<string, unknown> | undefined>(applyPathwayEvent, undefined);
    if (!row) return undefined;
    requireTrust(caller, row.referring_trust as string, 'see pathways');
    // As the table gives them: instants as Dates (the event holds the hold's expiry as text).
    return { ...row, hold_expires_at: row.hold_expires_at ? new Date(row.hold_expires_at as string) : null } as unknown as PathwayRow;
  }
}
