import { eventClass } from '@bedside/shared';
import { recordedAs, recordedOfTypes } from './recorded-as';
import type { RecordedAs, RecordedEvent } from './types';

class UnitPaused extends eventClass<'UnitPaused', { readonly unitId: string; readonly reason: string }>('UnitPaused') {}
class UnitMoved extends eventClass<'UnitMoved', { readonly unitId: string; readonly toSiteCode: string }>('UnitMoved') {}
type UnitEvent = UnitPaused | UnitMoved;
const UNIT_EVENT_TYPES: readonly UnitEvent['type'][] = ['UnitPaused', 'UnitMoved'];

const recorded = (type: string, data: Record<string, unknown>, streamPosition: number): RecordedEvent => ({
  eventId: `e${streamPosition}`,
  streamId: 'unit-MU-1',
  streamPosition,
  globalPosition: { transactionId: 1n, position: BigInt(streamPosition) },
  type,
  schemaVersion: 1,
  data,
  metadata: { actor: 'qa', correlationId: 'c' },
  recordedAt: new Date(0),
});

/** Where a reader is: switched on `type`, each event's data is its own (issue 12 §2). */
function describeUnitEvent(event: RecordedAs<UnitEvent>): string {
  switch (event.type) {
    case 'UnitPaused':
      // @ts-expect-error a pause names no site: reading a field the event does not have does not compile
      void event.data.toSiteCode;
      return `${event.data.unitId} paused: ${event.data.reason}`;
    case 'UnitMoved':
      return `${event.data.unitId} moved to ${event.data.toSiteCode}`;
  }
}

describe('recorded events as a domain union', () => {
  it('given a read of a stream, when a reader takes the union’s types, then it gets them in order, each narrowed by its type, and nothing else', () => {
    const read = [recorded('UnitPaused', { unitId: 'MU-1', reason: 'PQ due' }, 1), recorded('SomethingElse', {}, 2), recorded('UnitMoved', { unitId: 'MU-1', toSiteCode: 'RBV01' }, 3)];
    expect(recordedOfTypes<UnitEvent>(read, UNIT_EVENT_TYPES).map(describeUnitEvent)).toEqual(['MU-1 paused: PQ due', 'MU-1 moved to RBV01']);
    expect(recordedAs<UnitEvent>(read[1]!, UNIT_EVENT_TYPES)).toBeUndefined();
  });
});
