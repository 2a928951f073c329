import { Inject, Injectable } from '@nestjs/common';
import { addPlaces, commitmentChanges, slotKey, type CommitmentEvent, type Commitments, type SlotCommitmentsAsOf, type SlotRef } from '@bedside/capacity';
import { EVENT_STORE, recordedAs, recordedOfTypes, type EventStore, type RecordedEvent } from '@bedside/event-store';
import { checkAsOf } from '@bedside/network';
import { CLOCK, requireTrust, type Caller, type Clock } from '@bedside/shared';
import { holdStreamId, normaliseCoi, pathwayStreamId, slotStreamId, type HoldConfirmed, type PathwayEvent, type PatientReferred, type SlotEvent } from '../domain';
import { applyPathwayEvent, PATHWAY_EVENT_TYPES } from '../projections/pathway.projections';
import type { PathwayRow } from './pathway-reads';

const SLOT_EVENT_TYPES: readonly SlotEvent['type'][] = ['SlotHeld', 'SlotBooked', 'SlotReleased'];

/** Slot streams read per round trip (a year of network-wide capacity is tens of thousands). */
const STREAMS_PER_READ = 5000;

/**
 * Held and booked places on slots as recorded by an instant, added up as the capacity-commitments
 * projection adds them (commitmentChanges): each slot's own stream, and the streams of the holds with
 * places on it, whose confirmations book them. The network's capacity `asOf` reads it through
 * SLOT_COMMITMENTS_AS_OF (libs/capacity/src/application/capacity-as-of.ts).
 */
@Injectable()
export class SlotCommitmentsHistory implements SlotCommitmentsAsOf {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async commitmentsAsOf(slots: readonly SlotRef[], asOf: Date): Promise<Map<string, Commitments>> {
    const wanted = new Set(slots.map((slot) => slotKey(slot)));
    const totals = new Map<string, { committed: number; tentative: number }>();
    const add = (event: CommitmentEvent) => {
      for (const change of commitmentChanges(event)) {
        const key = slotKey(change.slot);
        if (!wanted.has(key)) continue;
        const total = totals.get(key) ?? { committed: 0, tentative: 0 };
        total.committed = addPlaces(total.committed, change.committed);
        total.tentative = addPlaces(total.tentative, change.tentative);
        totals.set(key, total);
      }
    };
    const holdIds = new Set<string>();
    await this.readInChunks(slots.map((slot) => slotStreamId(slot)), asOf, (event) => {
      const slotEvent = recordedAs<SlotEvent>(event, SLOT_EVENT_TYPES);
      if (!slotEvent) return;
      add(slotEvent);
      holdIds.add(slotEvent.data.holdId);
    });
    await this.readInChunks([...holdIds].map(holdStreamId), asOf, (event) => {
      const confirmed = recordedAs<HoldConfirmed>(event, ['HoldConfirmed']);
      if (confirmed) add(confirmed);
    });
    return totals;
  }

  private async readInChunks(streamIds: readonly string[], asOf: Date, each: (event: RecordedEvent) => void): Promise<void> {
    for (let i = 0; i < streamIds.length; i += STREAMS_PER_READ) {
      const streams = await this.store.readStreams(streamIds.slice(i, i + STREAMS_PER_READ), { recordedUpTo: asOf });
      for (const events of streams.values()) events.forEach(each);
    }
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
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async visiblePathway(rawCoi: string, caller: Caller, asOf: Date): Promise<PathwayRow | undefined> {
    checkAsOf(asOf, this.clock.now());
    const coi = normaliseCoi(rawCoi);
    const events = await this.store.readStream(pathwayStreamId(coi), { recordedUpTo: asOf });
    if (events.length === 0) {
      const [first] = await this.store.readStream(pathwayStreamId(coi), { maxCount: 1 });
      const referral = first && recordedAs<PatientReferred>(first, ['PatientReferred']);
      if (referral) requireTrust(caller, referral.data.referringTrust, 'see pathways');
      return undefined;
    }
    const row = recordedOfTypes<PathwayEvent>(events, PATHWAY_EVENT_TYPES).reduce<Record<string, unknown> | undefined>(applyPathwayEvent, undefined);
    if (!row) return undefined;
    requireTrust(caller, row.referring_trust as string, 'see pathways');
    // As the table gives them: instants as Dates (the event holds the hold's expiry as text).
    return { ...row, hold_expires_at: row.hold_expires_at ? new Date(row.hold_expires_at as string) : null } as unknown as PathwayRow;
  }
}
