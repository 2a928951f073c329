import { eventClass, BedsideError, ConflictError, NotFoundError, type Evolver } from '@bedside/shared';
import type { ProductState } from './lifecycle';
import type { SlotRef } from './slot';

export class HoldExpiredError extends BedsideError {
  constructor(holdId: string, expiredAt: Date) {
    super(
      'HOLD_EXPIRED',
      `Hold ${holdId} expired at ${expiredAt.toISOString()} and its slots were released. Search for a plan again and hold it anew.`,
      { holdId, expiredAt: expiredAt.toISOString() },
    );
  }
}

export interface HoldPlacedData {
  readonly holdId: string;
  readonly coi: string;
  readonly slots: readonly SlotRef[];
  readonly expiresAt: string;
  readonly idempotencyKey: string;
}

export class HoldPlaced extends eventClass<'HoldPlaced', HoldPlacedData>('HoldPlaced') {}

export interface HoldConfirmedData {
  readonly holdId: string;
  readonly coi: string;
  readonly idempotencyKey: string;
  /**
   * The places the hold took, now booked. Absent on confirmations recorded before 2026-11-22, whose
   * slots each had a SlotBooked of their own instead.
   */
  readonly slots?: readonly SlotRef[];
}

export class HoldConfirmed extends eventClass<'HoldConfirmed', HoldConfirmedData>('HoldConfirmed') {}

export class HoldReleased extends eventClass<'HoldReleased', { readonly holdId: string; readonly coi: string; readonly reason: string; readonly expired: boolean }>('HoldReleased') {}

export type HoldEvent = HoldPlaced | HoldConfirmed | HoldReleased;

export const holdStreamId = (holdId: string) => `hold-${holdId}`;

export interface Hold {
  readonly holdId: string;
  readonly coi: string;
  readonly slots: readonly SlotRef[];
  readonly expiresAt: Date;
  readonly status: 'HELD' | 'CONFIRMED' | 'RELEASED';
  readonly confirmKey?: string;
}

export const holdEvolver: Evolver<Hold | undefined, HoldEvent> = {
  initialState: undefined,
  evolve(state, event) {
    switch (event.type) {
      case 'HoldPlaced':
        return { holdId: event.data.holdId, coi: event.data.coi, slots: event.data.slots, expiresAt: new Date(event.data.expiresAt), status: 'HELD' };
      case 'HoldConfirmed':
        return state && { ...state, status: 'CONFIRMED', confirmKey: event.data.idempotencyKey };
      case 'HoldReleased':
        return state && { ...state, status: 'RELEASED' };
    }
  },
};

/** What confirming a hold does now: nothing (a retried confirm), or book it. Expired holds cannot be booked. */
export function confirmHold(hold: Hold | undefined, holdId: string, idempotencyKey: string, now: Date): HoldConfirmed[] {
  if (!hold) throw new NotFoundError('hold', holdId, 'Hold a plan first (holdPlan).');
  if (hold.status === 'CONFIRMED') {
    if (hold.confirmKey === idempotencyKey) return [];
    throw new ConflictError(`Hold ${holdId} is already booked (by another request).`, { holdId });
  }
  if (hold.status === 'RELEASED' || now >= hold.expiresAt) {
    if (now >= hold.expiresAt) throw new HoldExpiredError(holdId, hold.expiresAt);
    throw new ConflictError(`Hold ${holdId} was released; hold a plan again.`, { holdId });
  }
  return [new HoldConfirmed({ holdId, coi: hold.coi, idempotencyKey, slots: hold.slots })];
}

/**
 * Gives a hold's places back. A booking is given back only before collection (issue 11 §2): once
 * material exists its slots are the patient's care under way, so `booked` is where the pathway booked
 * on this hold stands (null when the pathway is not booked on it).
 */
export function releaseHold(hold: Hold | undefined, holdId: string, reason: string, expired: boolean, booked: { readonly product: ProductState } | null = null): HoldReleased[] {
  if (!hold) throw new NotFoundError('hold', holdId);
  if (hold.status === 'RELEASED') return [];
  if (hold.status === 'CONFIRMED' && expired) return [];
  if (hold.status === 'CONFIRMED' && booked && booked.product !== 'NOT_COLLECTED') {
    throw new ConflictError(
      `Booking ${holdId} of pathway ${hold.coi} cannot be released as collection is recorded: the ways out are repair (atRiskPathways / acceptRepair) or withdrawal (withdrawPathway).`,
      { holdId, productState: booked.product },
    );
  }
  return [new HoldReleased({ holdId, coi: hold.coi, reason, expired })];
}
