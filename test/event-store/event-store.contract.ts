import { randomUUID } from 'node:crypto';
import {
  ConcurrencyError,
  isAfter,
  pagesRecordedAsOf,
  type EventMetadata,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
  type StreamAppend,
  UpcasterRegistry,
} from '@bedside/event-store';

/** What an adapter under test provides. */
export interface ContractSubject {
  readonly store: EventStore;
  /** The same store, reading with these upcasters. */
  withUpcasters(upcasters: UpcasterRegistry): EventStore;
  /**
   * Appends inside a transaction that stays open for `holdMs` before it commits (or rolls back),
   * so later appends commit first: the out-of-order-commit case. Adapters whose server orders
   * commits itself may omit it.
   */
  appendWithLateCommit?(streams: readonly StreamAppend[], metadata: EventMetadata, holdMs: number, rollback: boolean): Promise<void>;
  close(): Promise<void>;
}

const metadata: EventMetadata = { actor: 'qa.lead@control-site', onBehalfOf: 'RX1', correlationId: 'corr-1', reason: 'contract test' };

const event = (type: string, n = 0) => ({ type, data: { n } });

function uniqueStream(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

async function settle<T>(promises: Promise<T>[]): Promise<{ ok: T[]; errors: unknown[] }> {
  const results = await Promise.allSettled(promises);
  return {
    ok: results.filter((r): r is PromiseFulfilledResult<Awaited<T>> => r.status === 'fulfilled').map((r) => r.value),
    errors: results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason),
  };
}

/** Collects events from a subscription until `done` says so (or a timeout fails the test). */
async function collect(
  store: EventStore,
  after: GlobalPosition,
  done: (seen: RecordedEvent[]) => boolean,
  timeoutMs = 20_000,
): Promise<{ seen: RecordedEvent[]; position: GlobalPosition }> {
  const seen: RecordedEvent[] = [];
  let resolveDone!: () => void;
  const finished = new Promise<void>((resolve) => (resolveDone = resolve));
  const subscription = store.subscribe({
    name: 'contract-collector',
    after,
    batchSize: 37,
    pollIntervalMs: 20,
    handle: async (batch) => {
      seen.push(...batch);
      if (done(seen)) resolveDone();
    },
  });
  const timer = setTimeout(resolveDone, timeoutMs);
  await finished;
  clearTimeout(timer);
  await subscription.stop();
  return { seen, position: subscription.position };
}

export function describeEventStoreContract(adapter: string, open: () => Promise<ContractSubject>): void {
  describe(`event store contract: ${adapter}`, () => {
    let subject: ContractSubject;
    let store: EventStore;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.close();
    });

    describe('appending and reading a stream', () => {
      it('numbers a new stream from 1 and reads it forwards and backwards', async () => {
        const stream = uniqueStream('site');
        const result = await store.append(
          [{ streamId: stream, expectedVersion: 'no_stream', events: [event('A', 1), event('B', 2), event('C', 3)] }],
          metadata,
        );
        expect(result.versions.get(stream)).toBe(3);

        const forwards = await store.readStream(stream);
        expect(forwards.map((e) => [e.streamPosition, e.type, e.data.n])).toEqual([
          [1, 'A', 1],
          [2, 'B', 2],
          [3, 'C', 3],
        ]);
        const backwards = await store.readStream(stream, { direction: 'backwards', maxCount: 2 });
        expect(backwards.map((e) => e.streamPosition)).toEqual([3, 2]);
        const fromTwo = await store.readStream(stream, { fromPosition: 2 });
        expect(fromTwo.map((e) => e.type)).toEqual(['B', 'C']);
        expect(await store.readStream(uniqueStream('missing'))).toEqual([]);
      });

      it('reads several whole streams at once, in stream order, with empty ones empty', async () => {
        const a = uniqueStream('slot');
        const b = uniqueStream('slot');
        const none = uniqueStream('slot');
        await store.append([{ streamId: a, expectedVersion: 'no_stream', events: [event('Held', 1), event('Booked', 2)] }, { streamId: b, expectedVersion: 'no_stream', events: [event('Held', 3)] }], metadata);
        const streams = await store.readStreams([a, none, b]);
        expect([...streams.keys()]).toEqual([a, none, b]);
        expect(streams.get(a)!.map((e) => [e.streamPosition, e.type])).toEqual([[1, 'Held'], [2, 'Booked']]);
        expect(streams.get(b)!.map((e) => e.data.n)).toEqual([3]);
        expect(streams.get(none)).toEqual([]);
      });

      it('stores who, for whom, why and when with every event', async () => {
        const stream = uniqueStream('site');
        const other = uniqueStream('site');
        const before = Date.now();
        await store.append(
          [
            { streamId: stream, expectedVersion: 'any', events: [{ ...event('A'), metadata: { causationId: 'cmd-9', reason: 'its own reason' } }] },
            { streamId: other, expectedVersion: 'any', events: [event('B')] },
          ],
          metadata,
        );
        const [recorded] = await store.readStream(stream);
        // An event's own metadata is added to what the append gives every event, and wins where both say.
        expect(recorded!.metadata).toEqual({ ...metadata, causationId: 'cmd-9', reason: 'its own reason' });
        expect((await store.readStream(other))[0]!.metadata).toEqual(metadata);
        expect(recorded!.schemaVersion).toBe(1);
        expect(recorded!.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
        expect(recorded!.recordedAt.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
      });

      it('honours every kind of expected version and names stream, expected and actual on a mismatch', async () => {
        const stream = uniqueStream('unit');
        await expect(store.append([{ streamId: stream, expectedVersion: 'exists', events: [event('A')] }], metadata)).rejects.toEqual(
          expect.objectContaining({ name: 'ConcurrencyError', streamId: stream, expected: 'exists', actual: 'no_stream' }),
        );
        await store.append([{ streamId: stream, expectedVersion: 0, events: [event('A')] }], metadata);
        await store.append([{ streamId: stream, expectedVersion: 'exists', events: [event('B')] }], metadata);
        await store.append([{ streamId: stream, expectedVersion: 2, events: [event('C')] }], metadata);
        await store.append([{ streamId: stream, expectedVersion: 'any', events: [event('D')] }], metadata);

        const stale = store.append([{ streamId: stream, expectedVersion: 2, events: [event('X')] }], metadata);
        await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(stale).rejects.toMatchObject({ streamId: stream, expected: 2, actual: 4 });
        await expect(store.append([{ streamId: stream, expectedVersion: 'no_stream', events: [event('X')] }], metadata)).rejects.toMatchObject({
          expected: 'no_stream',
          actual: 4,
        });
        expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
      });

      it('lets exactly one of 20 concurrent appends at the same expected version win', async () => {
        const stream = uniqueStream('bay');
        await store.append([{ streamId: stream, expectedVersion: 'no_stream', events: [event('Opened')] }], metadata);
        const attempts = Array.from({ length: 20 }, (_, i) =>
          store.append([{ streamId: stream, expectedVersion: 1, events: [event('Reserved', i)] }], metadata),
        );
        const { ok, errors } = await settle(attempts);
        expect(ok).toHaveLength(1);
        expect(errors).toHaveLength(19);
        for (const error of errors) {
          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ streamId: stream, expected: 1, actual: 2 });
        }
        const events = await store.readStream(stream);
        expect(events.map((e) => e.streamPosition)).toEqual([1, 2]);
      });

      it('lets exactly one of 20 concurrent creations of the same stream win', async () => {
        const stream = uniqueStream('site-code');
        const { ok, errors } = await settle(
          Array.from({ length: 20 }, (_, i) => store.append([{ streamId: stream, expectedVersion: 'no_stream', events: [event('Registered', i)] }], metadata)),
        );
        expect(ok).toHaveLength(1);
        expect(errors.every((e) => e instanceof ConcurrencyError)).toBe(true);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('appending to several streams at once', () => {
      it('writes every stream in one transaction', async () => {
        const chair = uniqueStream('chair');
        const bay = uniqueStream('bay');
        const bed = uniqueStream('bed');
        const head = await store.headPosition();
        const result = await store.append(
          [
            { streamId: chair, expectedVersion: 'no_stream', events: [event('Held')] },
            { streamId: bay, expectedVersion: 'no_stream', events: [event('Held'), event('Noted')] },
            { streamId: bed, expectedVersion: 'any', events: [event('Held')] },
          ],
          metadata,
        );
        expect(Object.fromEntries(result.versions)).toEqual({ [chair]: 1, [bay]: 2, [bed]: 1 });
        const all = await store.readAll({ after: head, maxCount: 100_000 });
        const written = all.filter((e) => [chair, bay, bed].includes(e.streamId));
        expect(written).toHaveLength(4);
        // One write in the log: nothing lies between its events. (Whether they also share a
        // transactionId is the adapter's business: PostgreSQL's do, KurrentDB's each have a commit position.)
        const first = all.indexOf(written[0]!);
        expect(all.slice(first, first + written.length)).toEqual(written);
      });

      it('leaves neither stream changed when the second stream conflicts', async () => {
        const chair = uniqueStream('chair');
        const bay = uniqueStream('bay');
        await store.append([{ streamId: bay, expectedVersion: 'no_stream', events: [event('Opened')] }], metadata);
        const attempt = store.append(
          [
            { streamId: chair, expectedVersion: 'no_stream', events: [event('Held')] },
            { streamId: bay, expectedVersion: 'no_stream', events: [event('Held')] },
          ],
          metadata,
        );
        await expect(attempt).rejects.toMatchObject({ name: 'ConcurrencyError', streamId: bay, actual: 1 });
        expect(await store.readStream(chair)).toEqual([]);
        expect((await store.readStream(bay)).map((e) => e.type)).toEqual(['Opened']);
        // The failed append did not leave the chair stream half-created either.
        await store.append([{ streamId: chair, expectedVersion: 'no_stream', events: [event('Held')] }], metadata);
      });

      it('never deadlocks when two appends lock the same streams in opposite orders', async () => {
        const a = uniqueStream('a');
        const b = uniqueStream('b');
        const rounds = Array.from({ length: 30 }, (_, i) =>
          store.append(
            i % 2 === 0
              ? [{ streamId: a, expectedVersion: 'any' as const, events: [event('X', i)] }, { streamId: b, expectedVersion: 'any' as const, events: [event('X', i)] }]
              : [{ streamId: b, expectedVersion: 'any' as const, events: [event('X', i)] }, { streamId: a, expectedVersion: 'any' as const, events: [event('X', i)] }],
            metadata,
          ),
        );
        const { ok } = await settle(rounds);
        expect(ok).toHaveLength(30);
        expect(await store.readStream(a)).toHaveLength(30);
        expect(await store.readStream(b)).toHaveLength(30);
      });
    });

    describe('reading the global log', () => {
      it('reads from a checkpoint in a consistent order', async () => {
        const head = await store.headPosition();
        const stream = uniqueStream('log');
        for (let i = 0; i < 5; i++) {
          await store.append([{ streamId: stream, expectedVersion: 'any', events: [event('E', i)] }], metadata);
        }
        const page1 = await store.readAll({ after: head, maxCount: 3 });
        const page2 = await store.readAll({ after: page1[page1.length - 1]!.globalPosition, maxCount: 10 });
        const mine = [...page1, ...page2].filter((e) => e.streamId === stream);
        expect(mine.map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4]);
        const all = [...page1, ...page2];
        for (let i = 1; i < all.length; i++) expect(isAfter(all[i]!.globalPosition, all[i - 1]!.globalPosition)).toBe(true);
        expect(isAfter(await store.headPosition(), head)).toBe(true);
      });

      it('applies upcasters on read without rewriting the stored event', async () => {
        const stream = uniqueStream('dmmf');
        await store.append(
          [{ streamId: stream, expectedVersion: 'no_stream', events: [{ type: 'HoldSet', schemaVersion: 1, data: { holdHours: 36 } }] }],
          metadata,
        );
        const upcasters = new UpcasterRegistry()
          .register('HoldSet', 1, (e) => ({ type: 'HoldSet', schemaVersion: 2, data: { hold: `PT${e.data.holdHours}H` } }))
          .register('HoldSet', 2, (e) => ({ type: 'StartingMaterialHoldSet', schemaVersion: 3, data: { ...e.data, unit: 'ISO-8601' } }));
        const [upcast] = await subject.withUpcasters(upcasters).readStream(stream);
        expect(upcast).toMatchObject({ type: 'StartingMaterialHoldSet', schemaVersion: 3, data: { hold: 'PT36H', unit: 'ISO-8601' } });
        const [stored] = await store.readStream(stream);
        expect(stored).toMatchObject({ type: 'HoldSet', schemaVersion: 1, data: { holdHours: 36 } });
      });
    });

    describe('reading as of an instant', () => {
      /** Appends, then waits until the clock has moved past what was recorded, so later appends are recorded later. */
      async function appendThenTick(streams: readonly StreamAppend[]): Promise<Date> {
        await store.append(streams, metadata);
        const recorded = (await store.readStream(streams[0]!.streamId, { direction: 'backwards', maxCount: 1 }))[0]!.recordedAt;
        while (Date.now() <= recorded.getTime() + 2) await new Promise((resolve) => setTimeout(resolve, 2));
        return recorded;
      }

      it('reads a stream as recorded up to an instant, inclusive of an event at its own recordedAt', async () => {
        const stream = uniqueStream('site');
        const first = await appendThenTick([{ streamId: stream, expectedVersion: 'no_stream', events: [event('Registered', 1), event('Activated', 2)] }]);
        const second = await appendThenTick([{ streamId: stream, expectedVersion: 2, events: [event('Paused', 3)] }]);
        expect((await store.readStream(stream, { recordedUpTo: first })).map((e) => e.type)).toEqual(['Registered', 'Activated']);
        expect((await store.readStream(stream, { recordedUpTo: second })).map((e) => e.type)).toEqual(['Registered', 'Activated', 'Paused']);
        expect(await store.readStream(stream, { recordedUpTo: new Date(first.getTime() - 1) })).toEqual([]);
        expect((await store.readStream(stream, { direction: 'backwards', maxCount: 1, recordedUpTo: first }))[0]!.type).toBe('Activated');
      });

      it('reads several streams as recorded up to an instant', async () => {
        const a = uniqueStream('slot');
        const b = uniqueStream('slot');
        const instant = await appendThenTick([{ streamId: a, expectedVersion: 'no_stream', events: [event('Held')] }]);
        await appendThenTick([
          { streamId: a, expectedVersion: 1, events: [event('Booked')] },
          { streamId: b, expectedVersion: 'no_stream', events: [event('Held')] },
        ]);
        const streams = await store.readStreams([a, b], { recordedUpTo: instant });
        expect(streams.get(a)!.map((e) => e.type)).toEqual(['Held']);
        expect(streams.get(b)).toEqual([]);
        expect((await store.readStreams([a, b])).get(a)!.map((e) => e.type)).toEqual(['Held', 'Booked']);
      });

      it('reads the global log as recorded up to an instant, of some types only, in pages', async () => {
        const run = randomUUID();
        const types = [`Kept-${run}`, `AlsoKept-${run}`];
        const streams = [uniqueStream('log'), uniqueStream('log')];
        await appendThenTick([{ streamId: streams[0]!, expectedVersion: 'no_stream', events: [event(types[0]!, 1), event(`Other-${run}`, 2), event(types[1]!, 3)] }]);
        const instant = await appendThenTick([{ streamId: streams[1]!, expectedVersion: 'no_stream', events: [event(types[0]!, 4), event(types[0]!, 5)] }]);
        await store.append([{ streamId: streams[0]!, expectedVersion: 3, events: [event(types[0]!, 6)] }], metadata);

        const pages: RecordedEvent[][] = [];
        for await (const page of pagesRecordedAsOf(store, { recordedUpTo: instant, eventTypes: types, pageSize: 2 })) pages.push(page);
        expect(pages.map((page) => page.length)).toEqual([2, 2]);
        const read = pages.flat();
        expect(read.map((e) => e.data.n)).toEqual([1, 3, 4, 5]);
        for (let i = 1; i < read.length; i++) expect(isAfter(read[i]!.globalPosition, read[i - 1]!.globalPosition)).toBe(true);
        const everything = await store.readAllAsOf({ recordedUpTo: new Date(), maxCount: 100_000 });
        expect(everything.filter((e) => streams.includes(e.streamId)).map((e) => e.data.n)).toEqual([1, 2, 3, 4, 5, 6]);
      });

      it('filters by the type as read, after upcasting', async () => {
        const run = randomUUID();
        const stream = uniqueStream('dmmf');
        await store.append([{ streamId: stream, expectedVersion: 'no_stream', events: [{ type: `Old-${run}`, data: { n: 1 } }, { type: `New-${run}`, schemaVersion: 2, data: { n: 2 } }] }], metadata);
        const upcasting = subject.withUpcasters(new UpcasterRegistry().register(`Old-${run}`, 1, (e) => ({ type: `New-${run}`, schemaVersion: 2, data: e.data })));
        const read = await upcasting.readAllAsOf({ recordedUpTo: new Date(), eventTypes: [`New-${run}`], maxCount: 1 });
        expect(read.map((e) => [e.type, e.data.n])).toEqual([[`New-${run}`, 1]]);
        const next = await upcasting.readAllAsOf({ recordedUpTo: new Date(), eventTypes: [`New-${run}`], after: read[0]!.globalPosition, maxCount: 10 });
        expect(next.map((e) => e.data.n)).toEqual([2]);
      });

      it('sees what was committed before the instant even while an older transaction is still open', async () => {
        if (!subject.appendWithLateCommit) return;
        const late = uniqueStream('late');
        const early = uniqueStream('early');
        const open = subject.appendWithLateCommit([{ streamId: late, expectedVersion: 'any', events: [event('Late')] }], metadata, 1_000, true);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await store.append([{ streamId: early, expectedVersion: 'no_stream', events: [event('Committed')] }], metadata);
        const read = await store.readAllAsOf({ recordedUpTo: new Date(), eventTypes: ['Committed', 'Late'], maxCount: 100_000 });
        await open;
        expect(read.filter((e) => [late, early].includes(e.streamId)).map((e) => e.type)).toEqual(['Committed']);
      });
    });

    describe('the last recorded position', () => {
      it('reaches an event committed while an older transaction is still open, which headPosition leaves out', async () => {
        const committed = uniqueStream('committed');
        const open = subject.appendWithLateCommit?.([{ streamId: uniqueStream('open'), expectedVersion: 'any', events: [event('Open')] }], metadata, 1_000, true);
        if (open) await new Promise((resolve) => setTimeout(resolve, 200));
        const { lastPosition } = await store.append([{ streamId: committed, expectedVersion: 'no_stream', events: [event('Committed')] }], metadata);
        const [last, head] = await Promise.all([store.lastRecordedPosition(), store.headPosition()]);
        await open;
        expect(last).toEqual(lastPosition);
        // Where a transaction can stay open (PostgreSQL), the readable head stops below it.
        if (open) expect(isAfter(lastPosition, head)).toBe(true);
      });
    });

    describe('catch-up subscriptions', () => {
      it('delivers every event of 8 racing writers exactly once, in order, and none that rolled back', async () => {
        const start = await store.headPosition();
        const run = randomUUID();
        const writers = 8;
        const perWriter = 25;
        const committed = new Set<string>();
        const rolledBack = new Set<string>();
        const late = subject.appendWithLateCommit?.bind(subject);

        let writersDone = false;
        const subscriberDone = collect(store, start, (seen) => writersDone && seen.some((e) => e.streamId === `race-${run}-end`));
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            const stream = `race-${run}-${w}`;
            for (let i = 0; i < perWriter; i++) {
              const id = `${w}:${i}`;
              const append: StreamAppend = { streamId: stream, expectedVersion: 'any', events: [{ type: 'Raced', data: { run, id } }] };
              // Every third append holds its transaction open while others commit; some of those roll back.
              if (late && i % 3 === 0) {
                const rollback = i % 9 === 0;
                await late([append], metadata, 5 + ((w * 7 + i) % 20), rollback);
                (rollback ? rolledBack : committed).add(id);
              } else {
                await store.append([append], metadata);
                committed.add(id);
              }
            }
          }),
        );
        writersDone = true;
        // Wake the collector's check once more after the last write.
        await store.append([{ streamId: `race-${run}-end`, expectedVersion: 'any', events: [event('End')] }], metadata);
        const { seen } = await subscriberDone;

        const mine = seen.filter((e) => e.data.run === run).map((e) => e.data.id as string);
        expect(mine.length).toBe(committed.size);
        expect(new Set(mine)).toEqual(committed);
        expect(mine.filter((id) => rolledBack.has(id))).toEqual([]);
        for (let i = 1; i < seen.length; i++) expect(isAfter(seen[i]!.globalPosition, seen[i - 1]!.globalPosition)).toBe(true);
        // Within each writer's stream, order is the order of its commits.
        for (let w = 0; w < writers; w++) {
          const positions = seen.filter((e) => e.streamId === `race-${run}-${w}`).map((e) => e.streamPosition);
          expect(positions).toEqual([...positions].sort((a, b) => a - b));
        }
      });

      it('resumes from its checkpoint after a restart without missing or repeating an event', async () => {
        const start = await store.headPosition();
        const stream = uniqueStream('resume');
        const append = (n: number) => store.append([{ streamId: stream, expectedVersion: 'any', events: [event('E', n)] }], metadata);
        for (let i = 0; i < 10; i++) await append(i);

        const first = await collect(store, start, (seen) => seen.filter((e) => e.streamId === stream).length >= 10);
        const checkpoint = first.position;
        for (let i = 10; i < 25; i++) await append(i);
        const second = await collect(store, checkpoint, (seen) => seen.filter((e) => e.streamId === stream).length >= 15);

        const numbers = [...first.seen, ...second.seen].filter((e) => e.streamId === stream).map((e) => e.data.n);
        expect(numbers).toEqual(Array.from({ length: 25 }, (_, i) => i));
      });

      it('receives live events appended after it caught up', async () => {
        const start = await store.headPosition();
        const stream = uniqueStream('live');
        const collecting = collect(store, start, (seen) => seen.some((e) => e.streamId === stream));
        await new Promise((resolve) => setTimeout(resolve, 100));
        await store.append([{ streamId: stream, expectedVersion: 'no_stream', events: [event('Live')] }], metadata);
        const { seen } = await collecting;
        expect(seen.filter((e) => e.streamId === stream).map((e) => e.type)).toEqual(['Live']);
      });

      it('retries a batch whose handler failed, then goes on', async () => {
        const start = await store.headPosition();
        const stream = uniqueStream('retry');
        await store.append([{ streamId: stream, expectedVersion: 'no_stream', events: [event('A'), event('B')] }], metadata);
        const handled: string[] = [];
        const errors: unknown[] = [];
        let failOnce = true;
        const subscription = store.subscribe({
          name: 'flaky',
          after: start,
          pollIntervalMs: 20,
          onError: (error) => errors.push(error),
          handle: async (batch) => {
            if (failOnce) {
              failOnce = false;
              throw new Error('read model unavailable');
            }
            handled.push(...batch.filter((e) => e.streamId === stream).map((e) => e.type));
          },
        });
        for (let i = 0; i < 100 && handled.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
        await subscription.stop();
        expect(handled).toEqual(['A', 'B']);
        expect(errors).toHaveLength(1);
      });
    });
  });
}
