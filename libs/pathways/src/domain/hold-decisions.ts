import type { DomainEvent } from '@bedside/shared';
import { confirmHold, HoldConfirmed, HoldPlaced, HoldReleased, holdStreamId, releaseHold, type Hold } from './hold';
import { bookPlanOn, holdPlanOn, pathwayStreamId, PlanReleased, repairPlanOn, requirePathway, type Pathway, type PlanHeld } from './pathway';
import { hasBegun, holdSlot, releaseSlot, SlotInThePastError, slotEvolver, slotStreamId, transferSlot, type SlotEvent, type SlotHeld, type SlotRef, type SlotState } from './slot';

/**
 * Placing, confirming, releasing and repairing a hold, each one pure decision over every stream it
 * touches (issue 12 §4): given what the streams say now, the events to append to each, at the version
 * read. The event store appends a decision's streams together or not at all, so two schedulers racing
 * for the last place cannot both get it: one append wins, and the other is decided again on what won.
 * The handlers read, call these, and append; the rules themselves are those of hold.ts, slot.ts and
 * pathway.ts.
 */

/** A stream as read: its state, and its version (0 when it has no events). */
export interface StreamRead<State> {
  readonly state: State;
  readonly version: number;
}

/** What a decision appends to one stream, at the version it was decided on. */
export interface StreamWrite<E extends DomainEvent = DomainEvent> {
  readonly streamId: string;
  readonly expectedVersion: number | 'no_stream';
  readonly events: readonly E[];
}

/** Slot streams as read, by `slotStreamId`. */
export type SlotReads = ReadonlyMap<string, StreamRead<SlotState>>;

const EMPTY_SLOT: StreamRead<SlotState> = { state: slotEvolver.initialState, version: 0 };
const slotRead = (slots: SlotReads, slot: SlotRef) => slots.get(slotStreamId(slot)) ?? EMPTY_SLOT;

/**
 * Refuses a slot that has begun at `now` (issue 11 §3), naming it: placing a hold and accepting a repair
 * call this before anything else is judged, so the scheduler hears the plan is in the past first.
 */
export function refuseBegunSlots(slots: readonly SlotRef[], startsAt: ReadonlyMap<string, Date>, now: Date, whatNext?: string): void {
  for (const slot of slots) {
    const begins = startsAt.get(slotStreamId(slot));
    if (begins && hasBegun({ startsAt: begins }, now)) throw new SlotInThePastError(slot, begins, now, whatNext);
  }
}

export interface PlaceHold {
  readonly coi: string;
  readonly holdId: string;
  readonly idempotencyKey: string;
  readonly slots: readonly SlotRef[];
  readonly now: Date;
  readonly expiresAt: Date;
  readonly pathway: StreamRead<Pathway | undefined>;
  /** The hold's own stream: a retried request finds the hold it placed. */
  readonly hold: StreamRead<Hold | undefined>;
  readonly slotStates: SlotReads;
  /** What each slot gives now, from live capacity, by `slotStreamId`. */
  readonly capacity: ReadonlyMap<string, number>;
  /** When each slot begins, by `slotStreamId`. */
  readonly startsAt: ReadonlyMap<string, Date>;
}

/**
 * Holds a whole plan at once: the pathway's plan is held, the hold is placed, and every slot gives it
 * a place, or nothing is. A hold already placed by this request decides nothing (a retry).
 */
export function decidePlaceHold(c: PlaceHold): [] | [pathway: StreamWrite<PlanHeld>, hold: StreamWrite<HoldPlaced>, ...slots: StreamWrite<SlotHeld>[]] {
  if (c.hold.state) return [];
  refuseBegunSlots(c.slots, c.startsAt, c.now);
  const writes: [StreamWrite<PlanHeld>, StreamWrite<HoldPlaced>, ...StreamWrite<SlotHeld>[]] = [
    { streamId: pathwayStreamId(c.coi), expectedVersion: c.pathway.version, events: holdPlanOn(c.pathway.state, c.coi, c.holdId, c.expiresAt, c.slots) },
    {
      streamId: holdStreamId(c.holdId),
      expectedVersion: 'no_stream',
      events: [new HoldPlaced({ holdId: c.holdId, coi: c.coi, slots: c.slots, expiresAt: c.expiresAt.toISOString(), idempotencyKey: c.idempotencyKey })],
    },
  ];
  for (const slot of c.slots) {
    const { state, version } = slotRead(c.slotStates, slot);
    writes.push({ streamId: slotStreamId(slot), expectedVersion: version, events: holdSlot(state, slot, c.capacity.get(slotStreamId(slot)) ?? 0, c.holdId, c.coi) });
  }
  return writes;
}

export interface ConfirmHold {
  readonly holdId: string;
  readonly idempotencyKey: string;
  readonly now: Date;
  readonly hold: StreamRead<Hold | undefined>;
  readonly pathway: StreamRead<Pathway | undefined>;
}

/**
 * Books a held plan: the hold is confirmed (its one HoldConfirmed books every place it took) and the
 * pathway booked on it. A confirm with the key that booked it decides nothing (a retry).
 */
export function decideConfirmHold(c: ConfirmHold): StreamWrite[] {
  const confirmed = confirmHold(c.hold.state, c.holdId, c.idempotencyKey, c.now);
  if (confirmed.length === 0) return [];
  const coi = c.hold.state!.coi;
  return [
    { streamId: holdStreamId(c.holdId), expectedVersion: c.hold.version, events: confirmed },
    { streamId: pathwayStreamId(coi), expectedVersion: c.pathway.version, events: bookPlanOn(c.pathway.state, coi, c.holdId) },
  ];
}

export interface ReleaseHold {
  readonly holdId: string;
  readonly reason: string;
  /** Released by the expiry sweep, not a scheduler. */
  readonly expired: boolean;
  readonly hold: StreamRead<Hold | undefined>;
  readonly pathway: StreamRead<Pathway | undefined>;
  readonly slotStates: SlotReads;
}

/**
 * Gives a hold's places back, and the pathway's plan if it is on this hold. A booking is given back only
 * before collection (releaseHold). A hold already released, or a booking the sweep finds, decides nothing.
 */
export function decideReleaseHold(c: ReleaseHold): StreamWrite[] {
  const pathway = c.pathway.state;
  const onThisHold = pathway?.holdId === c.holdId;
  const booked = onThisHold && pathway.status === 'BOOKED' ? pathway.progress : null;
  const released = releaseHold(c.hold.state, c.holdId, c.reason, c.expired, booked);
  if (released.length === 0) return [];
  const hold = c.hold.state!;
  const writes: StreamWrite[] = [{ streamId: holdStreamId(c.holdId), expectedVersion: c.hold.version, events: released }];
  if (onThisHold) {
    writes.push({ streamId: pathwayStreamId(hold.coi), expectedVersion: c.pathway.version, events: [new PlanReleased({ coi: hold.coi, holdId: c.holdId, reason: c.reason, expired: c.expired })] });
  }
  for (const slot of hold.slots) {
    const { state, version } = slotRead(c.slotStates, slot);
    writes.push({ streamId: slotStreamId(slot), expectedVersion: version, events: releaseSlot(state, slot, c.holdId, hold.coi, c.reason, hold.status === 'CONFIRMED') });
  }
  return writes;
}

export interface RepairBooking {
  readonly coi: string;
  /** The accepted proposal: it keys the new booking, so accepting it twice books once. */
  readonly proposalId: string;
  readonly newHoldId: string;
  readonly reason: string;
  readonly now: Date;
  readonly pathway: StreamRead<Pathway | undefined>;
  readonly oldHold: StreamRead<Hold | undefined>;
  /** Places of the old booking the new one keeps (steps already done, or slots both plans use). */
  readonly kept: readonly SlotRef[];
  /** Places the new booking takes. */
  readonly taken: readonly SlotRef[];
  readonly slotStates: SlotReads;
  readonly capacity: ReadonlyMap<string, number>;
}

/**
 * Replaces a broken booking with a repaired one in one step: the pathway's plan is repaired, the old
 * booking released, kept places moved to the new booking, other old places given back, new ones taken,
 * and the new booking placed and confirmed at once. Its stream goes last, so its confirmation follows
 * the places it books in the log (a read model that stops between them never counts a place twice).
 */
export function decideRepair(c: RepairBooking): StreamWrite[] {
  const oldHoldId = requirePathway(c.pathway.state, c.coi).holdId!;
  const oldHold = c.oldHold.state!;
  const booking = [...c.kept, ...c.taken];
  const kept = new Set(c.kept.map(slotStreamId));
  const taken = new Set(c.taken.map(slotStreamId));
  const wasOld = new Set(oldHold.slots.map(slotStreamId));
  const writes: StreamWrite[] = [
    { streamId: pathwayStreamId(c.coi), expectedVersion: c.pathway.version, events: repairPlanOn(c.pathway.state, c.coi, c.newHoldId, booking, c.reason) },
    { streamId: holdStreamId(oldHoldId), expectedVersion: c.oldHold.version, events: [new HoldReleased({ holdId: oldHoldId, coi: c.coi, reason: c.reason, expired: false })] },
  ];
  const oldWasBooked = oldHold.status === 'CONFIRMED';
  const touched = new Map<string, SlotRef>([...oldHold.slots, ...booking].map((s) => [slotStreamId(s), s]));
  for (const [streamId, slot] of touched) {
    const { state, version } = slotRead(c.slotStates, slot);
    let events: SlotEvent[];
    if (kept.has(streamId)) events = transferSlot(state, slot, oldHoldId, c.newHoldId, c.coi, c.reason);
    else {
      events = wasOld.has(streamId) ? [...releaseSlot(state, slot, oldHoldId, c.coi, c.reason, oldWasBooked)] : [];
      if (taken.has(streamId)) {
        events.push(...holdSlot(events.reduce(slotEvolver.evolve, state), slot, c.capacity.get(streamId) ?? 0, c.newHoldId, c.coi));
      }
    }
    writes.push({ streamId, expectedVersion: version, events });
  }
  const key = `repair-${c.proposalId}`;
  writes.push({
    streamId: holdStreamId(c.newHoldId),
    expectedVersion: 'no_stream',
    events: [
      new HoldPlaced({ holdId: c.newHoldId, coi: c.coi, slots: booking, expiresAt: c.now.toISOString(), idempotencyKey: key }),
      new HoldConfirmed({ holdId: c.newHoldId, coi: c.coi, idempotencyKey: key, slots: booking }),
    ],
  });
  return writes;
}
