import { HoldConfirmed } from '../domain/hold';
import { SlotBooked, SlotHeld, SlotReleased, type SlotRef } from '../domain/slot';
import { commitmentChanges } from './pathway.projections';

const bay: SlotRef = { resourceKey: 'unit:MU-1', day: '2027-03-01', session: '' };
const chair: SlotRef = { resourceKey: 'site:RBV01:APHERESIS_CHAIR', day: '2027-02-20', session: 'AM' };

/** What a run of events leaves on each slot, as the capacity-commitments projection adds it up. */
function total(events: readonly { type: string; data: object }[]): Record<string, { committed: number; tentative: number }> {
  const totals: Record<string, { committed: number; tentative: number }> = {};
  for (const event of events) {
    for (const { slot, committed, tentative } of commitmentChanges(event as never)) {
      const t = (totals[`${slot.resourceKey} ${slot.day}`] ??= { committed: 0, tentative: 0 });
      t.committed += committed;
      t.tentative += tentative;
    }
  }
  return totals;
}

describe('capacity commitments', () => {
  const held = [new SlotHeld({ slot: bay, holdId: 'h1', coi: 'C1' }), new SlotHeld({ slot: chair, holdId: 'h1', coi: 'C1' })];

  it('books every slot of a hold from its one HoldConfirmed', () => {
    expect(total(held)).toEqual({ 'unit:MU-1 2027-03-01': { committed: 0, tentative: 1 }, 'site:RBV01:APHERESIS_CHAIR 2027-02-20': { committed: 0, tentative: 1 } });
    const booked = [...held, new HoldConfirmed({ holdId: 'h1', coi: 'C1', idempotencyKey: 'k', slots: [bay, chair] })];
    expect(total(booked)).toEqual({ 'unit:MU-1 2027-03-01': { committed: 1, tentative: 0 }, 'site:RBV01:APHERESIS_CHAIR 2027-02-20': { committed: 1, tentative: 0 } });
    const released = [...booked, new SlotReleased({ slot: bay, holdId: 'h1', coi: 'C1', wasBooked: true, reason: 'withdrawn' })];
    expect(total(released)['unit:MU-1 2027-03-01']).toEqual({ committed: 0, tentative: 0 });
  });

  it('reads a log recorded before confirmations listed their slots (one SlotBooked per slot) to the same figures', () => {
    const before = [...held, new HoldConfirmed({ holdId: 'h1', coi: 'C1', idempotencyKey: 'k' }), ...[bay, chair].map((slot) => new SlotBooked({ slot, holdId: 'h1', coi: 'C1' }))];
    const now = [...held, new HoldConfirmed({ holdId: 'h1', coi: 'C1', idempotencyKey: 'k', slots: [bay, chair] })];
    expect(total(before)).toEqual(total(now));
  });
});
