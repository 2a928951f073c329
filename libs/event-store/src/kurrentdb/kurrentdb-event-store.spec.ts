import { WrongExpectedVersionError, type KurrentDBClient, type Position, type ReadPosition } from '@kurrent/kurrentdb-client';
import { ConcurrencyError } from '../errors';
import { UpcasterRegistry } from '../upcasters';
import { START_OF_LOG } from '../types';
import { KurrentDBEventStore } from './kurrentdb-event-store';
import { encodeMetadata } from './mapping';

/*
 * The adapter's own logic over a stand-in client, which behaves as this adapter assumes KurrentDB
 * does (a read of $all from a position includes the event at it; a missing stream is an error).
 * The server's real behaviour is checked only by the contract suite against a live KurrentDB.
 */

interface Stored {
  streamId: string;
  revision: bigint;
  type: string;
  position: Position;
  created: Date;
  data: Record<string, unknown>;
  metadata: unknown;
}

const at = (n: number): Position => ({ commit: BigInt(n * 100), prepare: BigInt(n * 100) });
const who = { actor: 'qa', correlationId: 'c' };

function fakeClient(log: Stored[], overrides: Partial<Record<'appendToStream', (...args: unknown[]) => unknown>> = {}): KurrentDBClient {
  const resolved = (e: Stored) => ({ event: { ...e, id: `id-${e.position.commit}`, isJson: true } });
  return {
    async *readAll(options: { fromPosition?: ReadPosition; direction?: string; maxCount?: number }) {
      const from = options.fromPosition;
      const events = log.filter((e) => typeof from !== 'object' || e.position.commit >= from.commit);
      const ordered = options.direction === 'backwards' ? [...log].reverse() : events;
      for (const e of ordered.slice(0, options.maxCount ?? Infinity)) yield resolved(e);
    },
    async *readStream(streamId: string, options: { fromRevision?: bigint | string; direction?: string; maxCount?: number } = {}) {
      const stream = log.filter((e) => e.streamId === streamId);
      if (stream.length === 0) throw Object.assign(new Error('not found'), { type: 'stream-not-found' });
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision;
      const picked = (backwards ? [...stream].reverse() : stream).filter(
        (e) => typeof from !== 'bigint' || (backwards ? e.revision <= from : e.revision >= from),
      );
      for (const e of picked.slice(0, options.maxCount ?? Infinity)) yield resolved(e);
    },
    subscribeToAll: () => {
      throw new Error('not used');
    },
    ...overrides,
  } as unknown as KurrentDBClient;
}

function event(n: number, streamId: string, revision: number, type = 'Held', created = new Date(Date.UTC(2026, 10, 1, 9, 0, n))): Stored {
  return { streamId, revision: BigInt(revision), type, position: at(n), created, data: { n }, metadata: encodeMetadata(who, 1) };
}

describe('KurrentDBEventStore over a stand-in client', () => {
  const log = [
    event(1, 'slot-1', 0),
    { ...event(2, '$$slot-1', 0, '$metadata') },
    event(3, 'slot-1', 1, 'Booked'),
    event(4, 'slot-2', 0),
    event(5, 'slot-1', 2, 'Released'),
  ];

  it('reads the log strictly after a position, leaving out the event at it and system events', async () => {
    const store = new KurrentDBEventStore({ client: fakeClient(log) });
    const all = await store.readAll({ after: START_OF_LOG, maxCount: 10 });
    expect(all.map((e) => e.data.n)).toEqual([1, 3, 4, 5]);
    const after = await store.readAll({ after: all[1]!.globalPosition, maxCount: 1 });
    expect(after.map((e) => e.data.n)).toEqual([4]);
    expect(all[1]).toMatchObject({ streamId: 'slot-1', streamPosition: 2, globalPosition: { transactionId: 300n, position: 300n }, metadata: who, schemaVersion: 1 });
    expect(await store.headPosition()).toEqual({ transactionId: 500n, position: 500n });
    expect(await store.lastRecordedPosition()).toEqual({ transactionId: 500n, position: 500n });
  });

  it('reads a missing stream as empty, and a stream by stream positions from 1', async () => {
    const store = new KurrentDBEventStore({ client: fakeClient(log) });
    expect(await store.readStream('slot-9')).toEqual([]);
    expect((await store.readStream('slot-1', { fromPosition: 2 })).map((e) => e.streamPosition)).toEqual([2, 3]);
    expect((await store.readStream('slot-1', { direction: 'backwards', maxCount: 2 })).map((e) => e.type)).toEqual(['Released', 'Booked']);
    const streams = await store.readStreams(['slot-2', 'slot-9', 'slot-1']);
    expect([...streams].map(([id, events]) => [id, events.length])).toEqual([['slot-2', 1], ['slot-9', 0], ['slot-1', 3]]);
  });

  it('reads as of an instant, inclusive to the millisecond, backwards too', async () => {
    const store = new KurrentDBEventStore({ client: fakeClient(log) });
    const third = log[2]!.created;
    expect((await store.readStream('slot-1', { recordedUpTo: third })).map((e) => e.type)).toEqual(['Held', 'Booked']);
    expect((await store.readStream('slot-1', { recordedUpTo: third, direction: 'backwards', maxCount: 1 })).map((e) => e.type)).toEqual(['Booked']);
    const asOf = await store.readAllAsOf({ recordedUpTo: new Date(third.getTime() + 999), maxCount: 10 });
    expect(asOf.map((e) => e.data.n)).toEqual([1, 3]);
  });

  it('upcasts with the schema version stored in the metadata', async () => {
    const old = { ...event(1, 'dmmf-1', 0, 'HoldSet'), data: { holdHours: 36 }, metadata: encodeMetadata(who, 1) };
    const upcasters = new UpcasterRegistry().register('HoldSet', 1, (e) => ({ type: 'HoldSet', schemaVersion: 2, data: { hold: `PT${e.data.holdHours}H` } }));
    const [read] = await new KurrentDBEventStore({ client: fakeClient([old]), upcasters }).readStream('dmmf-1');
    expect(read).toMatchObject({ type: 'HoldSet', schemaVersion: 2, data: { hold: 'PT36H' } });
  });

  it('appends at revision version - 1, returns version and the read-back position, and maps a conflict', async () => {
    const appended: unknown[] = [];
    const client = fakeClient(log, {
      appendToStream: async (stream: unknown, events: unknown, options: unknown) => {
        appended.push({ stream, events, options });
        if (stream === 'slot-2') throw new WrongExpectedVersionError(undefined, { streamName: 'slot-2', expected: 4n, current: 0n });
        return { success: true, nextExpectedRevision: 2n };
      },
    });
    const store = new KurrentDBEventStore({ client });
    const result = await store.append([{ streamId: 'slot-1', expectedVersion: 2, events: [{ type: 'Released', data: { n: 5 } }] }], who);
    expect(appended[0]).toMatchObject({ stream: 'slot-1', options: { streamState: 1n } });
    expect(result.versions.get('slot-1')).toBe(3);
    expect(result.lastPosition).toEqual({ transactionId: 500n, position: 500n });

    const conflict = store.append([{ streamId: 'slot-2', expectedVersion: 5, events: [{ type: 'Held', data: {} }] }], who);
    await expect(conflict).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(conflict).rejects.toMatchObject({ streamId: 'slot-2', expected: 5, actual: 1 });
  });
});
