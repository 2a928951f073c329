import { commitmentChanges, type CommitmentEvent } from './commitments';
import { addPlaces, type SlotRef } from './slot';

const bay: SlotRef = { resourceKey: 'unit:MU-1', day: '2027-03-01', session: '' };
const chair: SlotRef = { resourceKey: 'site:RBV01:APHERESIS_CHAIR', day: '2027-02-20', session: 'AM' };

/** What a run of events leaves on each slot, as the capacity-commitments projection adds it up. */
function total(events: readonly CommitmentEvent[]): Record<string, { committed: number; tentative: number }> {
  const totals: Record<string, { committed: number; tentative: number }> = {};
  for (const event of events) {
    for (const { slot, committed, tentative } of commitmentChanges(event)) {
      const t = (totals[`${slot.resourceKey} ${slot.day}`] ??= { committed: 0, tentative: 0 });
      t.committed = addPlaces(t.committed, committed);
      t.tentative = addPlaces(t.tentative, tentative);
    }
  }
  return totals;
}

describe('capacity commitments', () => {
  const held: CommitmentEvent[] = [
    { type: 'SlotHeld', data: { slot: bay, holdId: 'h1' } },
    { type: 'SlotHeld', data: { slot: chair, holdId: 'h1' } },
  ];

  it('books every slot of a hold from its one HoldConfirmed', () => {
    expect(total(held)).toEqual({ 'unit:MU-1 2027-03-01': { committed: 0, tentative: 1 }, 'site:RBV01:APHERESIS_CHAIR 2027-02-20': { committed: 0, tentative: 1 } });
    const booked: CommitmentEvent[] = [...held, { type: 'HoldConfirmed', data: { slots: [bay, chair] } }];
    expect(total(booked)).toEqual({ 'unit:MU-1 2027-03-01': { committed: 1, tentative: 0 }, 'site:RBV01:APHERESIS_CHAIR 2027-02-20': { committed: 1, tentative: 0 } });
    const released: CommitmentEvent[] = [...booked, { type: 'SlotReleased', data: { slot: bay, holdId: 'h1', wasBooked: true } }];
    expect(total(released)['unit:MU-1 2027-03-01']).toEqual({ committed: 0, tentative: 0 });
  });

  it('adds up shares of an ICU bed exactly, in hundredths, and takes back exactly what each hold took (issue 14 §4)', () => {
    const icu: SlotRef = { resourceKey: 'site:RBV01:ICU_BED', day: '2027-03-13', session: '', share: 0.3 };
    const holds = ['h1', 'h2', 'h3'].map((holdId): CommitmentEvent => ({ type: 'SlotHeld', data: { slot: icu, holdId } }));
    const confirmed: CommitmentEvent[] = [...holds, { type: 'HoldConfirmed', data: { slots: [icu] } }];
    expect(total(confirmed)['site:RBV01:ICU_BED 2027-03-13']).toEqual({ committed: 0.3, tentative: 0.6 });
    const released: CommitmentEvent[] = [...confirmed, ...['h2', 'h3'].map((holdId): CommitmentEvent => ({ type: 'SlotReleased', data: { slot: icu, holdId, wasBooked: false } }))];
    released.push({ type: 'SlotReleased', data: { slot: icu, holdId: 'h1', wasBooked: true } });
    expect(total(released)['site:RBV01:ICU_BED 2027-03-13']).toEqual({ committed: 0, tentative: 0 });
  });

  it('gives back a held place when a hold that was never confirmed is released', () => {
    const released: CommitmentEvent[] = [...held, { type: 'SlotReleased', data: { slot: chair, holdId: 'h1', wasBooked: false } }];
    expect(total(released)['site:RBV01:APHERESIS_CHAIR 2027-02-20']).toEqual({ committed: 0, tentative: 0 });
  });

  it('reads a log recorded before confirmations listed their slots (one SlotBooked per slot) to the same figures', () => {
    const before: CommitmentEvent[] = [
      ...held,
      { type: 'HoldConfirmed', data: {} },
      ...[bay, chair].map((slot): CommitmentEvent => ({ type: 'SlotBooked', data: { slot, holdId: 'h1' } })),
    ];
    const now: CommitmentEvent[] = [...held, { type: 'HoldConfirmed', data: { slots: [bay, chair] } }];
    expect(total(before)).toEqual(total(now));
  });
});
