import { replay } from '@bedside/shared';
import { confirmHold, holdEvolver, HoldExpiredError, HoldPlaced, releaseHold, type HoldEvent } from './hold';
import { holdSlot, releaseSlot, SlotBooked, slotEvolver, SlotTakenError, transferSlot, type SlotEvent, type SlotRef } from './slot';
import { earliestCollectionDate, validateWashout } from './washout';

const slot: SlotRef = { resourceKey: 'unit:MU-1', day: '2027-03-01', session: '' };

describe('slots', () => {
  it('holds places up to the capacity, one per hold', () => {
    const events: SlotEvent[] = [...holdSlot(slotEvolver.initialState, slot, 2, 'h1', 'C1')];
    events.push(...holdSlot(replay(slotEvolver, events), slot, 2, 'h2', 'C2'));
    expect(() => holdSlot(replay(slotEvolver, events), slot, 2, 'h3', 'C3')).toThrow(SlotTakenError);
    // Holding again for the same hold changes nothing (a retried request).
    expect(holdSlot(replay(slotEvolver, events), slot, 2, 'h2', 'C2')).toEqual([]);
    events.push(...releaseSlot(replay(slotEvolver, events), slot, 'h1', 'C1', 'cancelled', true));
    expect(events.at(-1)!.data).toMatchObject({ holdId: 'h1', wasBooked: true });
    expect(holdSlot(replay(slotEvolver, events), slot, 2, 'h3', 'C3')).toHaveLength(1);
    // A hold without a place here has nothing to give back.
    expect(releaseSlot(replay(slotEvolver, events), slot, 'h1', 'C1', 'again', true)).toEqual([]);
  });

  it('still counts places booked by the SlotBooked events of logs recorded before confirmations listed their slots', () => {
    const events: SlotEvent[] = [...holdSlot(slotEvolver.initialState, slot, 1, 'h1', 'C1'), new SlotBooked({ slot, holdId: 'h1', coi: 'C1' })];
    expect(() => holdSlot(replay(slotEvolver, events), slot, 1, 'h2', 'C2')).toThrow(SlotTakenError);
    const moved = transferSlot(replay(slotEvolver, events), slot, 'h1', 'h2', 'C1', 'repaired');
    expect(moved.map((e) => [e.type, e.data.holdId])).toEqual([
      ['SlotReleased', 'h1'],
      ['SlotHeld', 'h2'],
    ]);
    expect(() => holdSlot(replay(slotEvolver, [...events, ...moved]), slot, 1, 'h3', 'C3')).toThrow(SlotTakenError);
  });

  it('holds shares of an ICU bed (issue 14 §4): three plans reserving 0.3 of one bed fit, a fourth does not, and a release gives its share back exactly', () => {
    const icu: SlotRef = { resourceKey: 'site:RBV01:ICU_BED', day: '2027-03-13', session: '', share: 0.3 };
    const events: SlotEvent[] = [];
    for (const h of ['h1', 'h2', 'h3']) events.push(...holdSlot(replay(slotEvolver, events), icu, 1, h, 'C'));
    expect(events).toHaveLength(3); // 0.9 of the bed
    expect(() => holdSlot(replay(slotEvolver, events), icu, 1, 'h4', 'C4')).toThrow(SlotTakenError);
    // A product reserving 0.1 still fits in what is left: counted in hundredths, 0.9 + 0.1 is exactly one bed.
    expect(holdSlot(replay(slotEvolver, events), { ...icu, share: 0.1 }, 1, 'h5', 'C5')).toHaveLength(1);
    events.push(...releaseSlot(replay(slotEvolver, events), icu, 'h1', 'C', 'Consultant declined', false));
    expect(holdSlot(replay(slotEvolver, events), icu, 1, 'h4', 'C4')).toHaveLength(1);
  });

  it('takes capacity as it is now: a slot whose capacity fell below its bookings takes no more', () => {
    const events = [...holdSlot(slotEvolver.initialState, slot, 2, 'h1', 'C1'), ...holdSlot(slotEvolver.initialState, slot, 2, 'h2', 'C2')];
    expect(() => holdSlot(replay(slotEvolver, events), slot, 1, 'h3', 'C3')).toThrow(SlotTakenError);
  });
});

describe('holds', () => {
  const placed: HoldEvent = new HoldPlaced({ holdId: 'h1', coi: 'C1', slots: [slot], expiresAt: '2027-03-01T10:30:00.000Z', idempotencyKey: 'k' });
  const hold = replay(holdEvolver, [placed]);

  it('confirms before expiry, once per idempotency key', () => {
    const confirmed = confirmHold(hold, 'h1', 'ck', new Date('2027-03-01T10:29:59Z'));
    // One event books every place the hold took: it lists them for the read models.
    expect(confirmed.map((e) => e.data)).toEqual([{ holdId: 'h1', coi: 'C1', idempotencyKey: 'ck', slots: [slot] }]);
    const after = replay(holdEvolver, [placed, ...confirmed]);
    expect(confirmHold(after, 'h1', 'ck', new Date('2027-03-01T11:00:00Z'))).toEqual([]);
    expect(() => confirmHold(after, 'h1', 'other', new Date())).toThrow(/already booked/);
  });

  it('refuses to confirm at or after expiry with HOLD_EXPIRED, released or not', () => {
    expect(() => confirmHold(hold, 'h1', 'ck', new Date('2027-03-01T10:30:00Z'))).toThrow(HoldExpiredError);
    const released = replay(holdEvolver, [placed, ...releaseHold(hold, 'h1', 'Hold expired', true)]);
    expect(() => confirmHold(released, 'h1', 'ck', new Date('2027-03-01T10:31:00Z'))).toThrow(HoldExpiredError);
  });

  it('is not released by the expiry sweep once booked', () => {
    const booked = replay(holdEvolver, [placed, ...confirmHold(hold, 'h1', 'ck', new Date('2027-03-01T10:00:00Z'))]);
    expect(releaseHold(booked, 'h1', 'Hold expired', true)).toEqual([]);
    expect(releaseHold(booked, 'h1', 'Patient withdrawn', false)).toHaveLength(1);
  });
});

describe('washout', () => {
  it('sets the earliest collection day from the last dose and the class default, never before today', () => {
    expect(earliestCollectionDate(validateWashout({ drugClass: 'CORTICOSTEROID', lastDoseDate: '2027-03-01' }), '2027-02-01')).toBe('2027-03-04');
    expect(earliestCollectionDate(validateWashout({ drugClass: 'IMMUNOTHERAPY', lastDoseDate: '2027-01-01', days: 90 }), '2027-01-02')).toBe('2027-04-01');
    expect(earliestCollectionDate(validateWashout({ drugClass: 'CYTOTOXIC_CHEMOTHERAPY', lastDoseDate: '2026-01-01' }), '2027-02-01')).toBe('2027-02-01');
    expect(() => validateWashout({ drugClass: 'ANTI_CD20' })).toThrow(/last anti cd20 dose/);
  });
});
