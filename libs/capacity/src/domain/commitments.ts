import { placesTaken, type SlotRef } from './slot';

/**
 * The events that hold and book places, as capacity reads them: the pathways slice records them (its
 * SlotHeld, SlotBooked, SlotReleased and HoldConfirmed conform to these shapes, a compile-time check
 * in libs/pathways/src/domain/slot.ts), and this slice adds them up. A slot event names its one slot;
 * a confirmation lists its hold's slots (none on confirmations recorded before 2026-11-22, whose
 * SlotBooked events booked them one by one).
 */
export type CommitmentEvent =
  | { readonly type: 'SlotHeld' | 'SlotBooked'; readonly data: { readonly slot: SlotRef; readonly holdId: string } }
  | { readonly type: 'SlotReleased'; readonly data: { readonly slot: SlotRef; readonly holdId: string; readonly wasBooked: boolean } }
  | { readonly type: 'HoldConfirmed'; readonly data: { readonly slots?: readonly SlotRef[] } };

export const COMMITMENT_EVENT_TYPES: readonly CommitmentEvent['type'][] = ['SlotHeld', 'SlotBooked', 'SlotReleased', 'HoldConfirmed'];

/** How one event changes the places held (tentative) and booked (committed) on a slot: whole places, or a share of one (SlotRef.share). */
export interface CommitmentChange {
  readonly slot: SlotRef;
  readonly committed: number;
  readonly tentative: number;
}

/**
 * The slots one event changes: a slot event its own slot; a confirmation every slot of its hold, from
 * held to booked. The capacity-commitments projection adds these up in its table, and reads as of an
 * instant add up the events recorded by then.
 */
export function commitmentChanges(event: CommitmentEvent): CommitmentChange[] {
  switch (event.type) {
    case 'SlotHeld':
      return [{ slot: event.data.slot, committed: 0, tentative: placesTaken(event.data.slot) }];
    case 'SlotBooked':
      return [{ slot: event.data.slot, committed: 1, tentative: -1 }];
    case 'SlotReleased': {
      const places = placesTaken(event.data.slot);
      return [event.data.wasBooked ? { slot: event.data.slot, committed: -places, tentative: 0 } : { slot: event.data.slot, committed: 0, tentative: -places }];
    }
    case 'HoldConfirmed':
      return (event.data.slots ?? []).map((booked) => ({ slot: booked, committed: placesTaken(booked), tentative: -placesTaken(booked) }));
  }
}
