import { Logger } from '@nestjs/common';
import type { RecordedEvent } from '@bedside/event-store';
import type { CommitmentEvent } from '../domain/commitments';
import type { LiveUpdates } from '@bedside/read-model';
import { LiveCapacity, slotsChangedBy, type CapacityChangePayload } from './live-capacity';

const chair = { resourceKey: 'site:RBV01:APHERESIS_CHAIR', day: '2027-01-05', session: 'AM' };
const bed = { resourceKey: 'site:RBV01:MONITORING_BED', day: '2027-01-06', session: '' };
const bay = { resourceKey: 'unit:U1', day: '2027-01-07', session: '' };

let position = 0;
const recorded = (type: string, data: Record<string, unknown>): RecordedEvent & CommitmentEvent => ({
  eventId: `e${++position}`,
  streamId: 'hold-h1',
  streamPosition: position,
  globalPosition: { transactionId: 1n, position: BigInt(position) },
  type,
  schemaVersion: 1,
  data,
  metadata: { actor: 'test', correlationId: 'c' } as RecordedEvent['metadata'],
  recordedAt: new Date('2026-12-01T10:00:00Z'),
}) as RecordedEvent & CommitmentEvent;

describe('the slots a commitments event changes, read by its own shape', () => {
  it('a confirmation each slot it lists, a slot event its one slot', () => {
    expect(slotsChangedBy(recorded('HoldConfirmed', { holdId: 'h1', coi: 'C', idempotencyKey: 'k', slots: [chair, bed] }))).toEqual([chair, bed]);
    expect(slotsChangedBy(recorded('HoldConfirmed', { holdId: 'h1', coi: 'C', idempotencyKey: 'k' }))).toEqual([]); // before 2026-11-22
    for (const type of ['SlotHeld', 'SlotBooked', 'SlotReleased']) expect(slotsChangedBy(recorded(type, { slot: chair, holdId: 'h1', coi: 'C' }))).toEqual([chair]);
  });

  it('names the event type when one of its types lacks its shape', () => {
    expect(() => slotsChangedBy(recorded('SlotHeld', { slots: [chair] }))).toThrow(/SlotHeld has no slot/);
    expect(() => slotsChangedBy(recorded('HoldConfirmed', { slot: chair, slots: [chair, {}] }))).toThrow(/HoldConfirmed has no slots\[1\]/);
  });
});

describe('the capacityChanged feed of a commitments batch', () => {
  const feedOf = () => {
    let toPayloads: ((events: readonly RecordedEvent[], projection: string) => Promise<readonly unknown[]>) | undefined;
    const live = { feed: (_projections: readonly string[], _topic: string, f: typeof toPayloads) => (toPayloads = f) } as unknown as LiveUpdates;
    new LiveCapacity(live).onModuleInit();
    return (events: RecordedEvent[]) => toPayloads!(events, 'capacity-commitments') as Promise<CapacityChangePayload[]>;
  };

  it('touches every slot of a batch that mixes a confirmation and slot events', async () => {
    const payloads = await feedOf()([recorded('SlotHeld', { slot: bay, holdId: 'h2', coi: 'D' }), recorded('HoldConfirmed', { holdId: 'h1', coi: 'C', idempotencyKey: 'k', slots: [chair, bed] })]);
    expect(payloads).toEqual([
      {
        touches: [
          { siteCode: null, unitId: 'U1', days: [bay.day] },
          { siteCode: 'RBV01', unitId: null, days: [chair.day] },
          { siteCode: 'RBV01', unitId: null, days: [bed.day] },
        ],
      },
    ]);
  });

  it('skips an event it cannot read, logging its type, and still tells the rest of the batch', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const payloads = await feedOf()([recorded('SlotReleased', { holdId: 'h3' }), recorded('HoldConfirmed', { holdId: 'h1', coi: 'C', idempotencyKey: 'k', slots: [chair] })]);
      expect(payloads).toEqual([{ touches: [{ siteCode: 'RBV01', unitId: null, days: [chair.day] }] }]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/skips a SlotReleased event/);
    } finally {
      warn.mockRestore();
    }
  });

  it('publishes nothing for a batch with no slots, and passes over events that hold no place', async () => {
    expect(await feedOf()([recorded('HoldConfirmed', { holdId: 'h1', coi: 'C', idempotencyKey: 'k' })])).toEqual([]);
    expect(await feedOf()([recorded('HoldReleased', { holdId: 'h1', coi: 'C' })])).toEqual([]);
  });
});
