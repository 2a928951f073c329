import { inHundredths, placesTaken, type CommitmentEvent, type SlotRef } from '@bedside/capacity/domain';
import { eventClass, BedsideError, ConflictError, ValidationError, type Evolver } from '@bedside/shared';
import type { HoldConfirmed } from './hold';

/** One bookable slot of live capacity: the capacity slice's vocabulary (libs/capacity/src/domain/slot.ts). */
export type { SlotRef } from '@bedside/capacity';

/**
 * Whether a slot is already in the past at `now` (issue 11 §3): a session that has begun, or a day
 * already under way for a resource booked by the day. Such a slot is never offered by the plan
 * search, held, offered from the waitlist or taken by an accepted repair: a plan in the past is a
 * clinical incident, not a plan.
 */
export const hasBegun = (slot: { readonly startsAt: Date }, now: Date): boolean => slot.startsAt.getTime() <= now.getTime();

/** The refusal for a slot in the past, naming it, for every command that would take one. */
export class SlotInThePastError extends ValidationError {
  constructor(slot: SlotRef, startsAt: Date, now: Date, whatNext = 'Ask planOptions again for slots from now on.') {
    super('slots', `${describeSlot(slot)} began at ${startsAt.toISOString()}, before now (${now.toISOString()}): a plan cannot start in the past. ${whatNext}`);
    Object.assign(this.details, { slot, startedAt: startsAt.toISOString() });
  }
}

export const slotStreamId = (slot: SlotRef) => `slot-${slot.resourceKey}-${slot.day}-${slot.session || 'day'}`;
export const describeSlot = (slot: SlotRef) => `${slot.resourceKey.replace(/^(site|unit):/, '').replace(/:/g, ' ')} on ${slot.day}${slot.session ? ` (${slot.session})` : ''}`;

export class SlotTakenError extends BedsideError {
  constructor(slot: SlotRef) {
    super(
      'SLOT_TAKEN',
      `${describeSlot(slot)} was taken by another scheduler a moment ago. Nothing was held; search again for the next available plan.`,
      { slot },
    );
  }
}

export interface SlotEventData {
  readonly slot: SlotRef;
  readonly holdId: string;
  readonly coi: string;
}

/** A place on the slot taken by a hold: tentative until the hold is confirmed (HoldConfirmed on the hold's stream). */
export class SlotHeld extends eventClass<'SlotHeld', SlotEventData>('SlotHeld') {}

/**
 * Recorded only before 2026-11-22, when confirming a hold wrote one of these per slot. A confirmation
 * now is one HoldConfirmed on the hold's own stream that lists its slots, so confirming writes two
 * events, not one per slot (a plan has about twenty), and never touches the slot streams it cannot
 * change. Kept so that logs recorded before then still read the same.
 */
export class SlotBooked extends eventClass<'SlotBooked', SlotEventData>('SlotBooked') {}

export class SlotReleased extends eventClass<'SlotReleased', SlotEventData & { readonly wasBooked: boolean; readonly reason: string }>('SlotReleased') {}

export type SlotEvent = SlotHeld | SlotBooked | SlotReleased;

/**
 * The capacity slice adds up these events as its CommitmentEvent: a compile error here means a change
 * to their shape that capacity would no longer read (issue 12 §1).
 */
type Conforms<T extends U, U> = T;
export type SlotEventsAsCommitments = Conforms<SlotEvent | HoldConfirmed, CommitmentEvent>;

/**
 * The holds with a place on a slot, and the places each takes in hundredths (a whole place is 100; ICU
 * cover is the process's share of a bed, SlotRef.share). Whether a place is booked or only held is its
 * hold's status, not the slot's: it does not change what the slot can still give. (`booked` holds only
 * places of old logs' SlotBooked events.)
 */
export interface SlotState {
  readonly held: ReadonlyMap<string, number>;
  readonly booked: ReadonlyMap<string, number>;
}

export const slotEvolver: Evolver<SlotState, SlotEvent> = {
  initialState: { held: new Map(), booked: new Map() },
  evolve(state, event) {
    const held = new Map(state.held);
    const booked = new Map(state.booked);
    const { holdId, slot } = event.data;
    if (event.type === 'SlotHeld') held.set(holdId, inHundredths(placesTaken(slot)));
    if (event.type === 'SlotBooked') {
      booked.set(holdId, held.get(holdId) ?? inHundredths(placesTaken(slot)));
      held.delete(holdId);
    }
    if (event.type === 'SlotReleased') {
      held.delete(holdId);
      booked.delete(holdId);
    }
    return { held, booked };
  },
};

const hasPlace = (state: SlotState, holdId: string) => state.held.has(holdId) || state.booked.has(holdId);

/** Hundredths of a place held and booked on the slot. */
function takenHundredths(state: SlotState): number {
  let taken = 0;
  for (const places of state.held.values()) taken += places;
  for (const places of state.booked.values()) taken += places;
  return taken;
}

/**
 * Holds a place on a slot when one is free: a whole place, or the slot's share of one (ICU cover, held
 * as the process's icuReserveProbability of a bed). `capacity` is what the slot's calendar gives now
 * (after exceptions and closures); held and booked places both count against it, so the last place (or
 * the last share of an ICU bed) can go to one scheduler only: racing holds append at the same stream
 * version and all but one retry.
 */
export function holdSlot(state: SlotState, slot: SlotRef, capacity: number, holdId: string, coi: string): SlotHeld[] {
  if (hasPlace(state, holdId)) return [];
  if (takenHundredths(state) + inHundredths(placesTaken(slot)) > inHundredths(capacity)) throw new SlotTakenError(slot);
  return [new SlotHeld({ slot, holdId, coi })];
}

/**
 * A repair moves a place it already has from the broken booking to the new one (a step already done, or
 * a slot both plans use): no capacity check, since nothing more is taken, even where capacity has since
 * closed. The new hold's own HoldConfirmed books the place.
 */
export function transferSlot(state: SlotState, slot: SlotRef, fromHoldId: string, toHoldId: string, coi: string, reason: string): SlotEvent[] {
  if (hasPlace(state, toHoldId)) return [];
  if (!hasPlace(state, fromHoldId)) throw new ConflictError(`${describeSlot(slot)} is not booked for this pathway any more.`, { slot });
  return [new SlotReleased({ slot, holdId: fromHoldId, coi, wasBooked: true, reason }), new SlotHeld({ slot, holdId: toHoldId, coi })];
}

/** Gives a hold's place back; `wasBooked` is whether its hold had been confirmed. */
export function releaseSlot(state: SlotState, slot: SlotRef, holdId: string, coi: string, reason: string, wasBooked: boolean): SlotReleased[] {
  if (!hasPlace(state, holdId)) return [];
  return [new SlotReleased({ slot, holdId, coi, wasBooked, reason })];
}
