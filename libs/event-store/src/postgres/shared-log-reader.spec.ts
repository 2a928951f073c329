import type { GlobalPosition, ReadAllOptions, RecordedEvent } from '../types';
import { SharedLogReader } from './shared-log-reader';

const at = (n: number): GlobalPosition => ({ transactionId: BigInt(n), position: BigInt(n) });
const event = (n: number) => ({ globalPosition: at(n), type: 'E', data: { n } }) as unknown as RecordedEvent;

/** A log of `length` events read through a counter; each read resolves when `release` is called. */
function slowLog(length: () => number) {
  const reads: ReadAllOptions[] = [];
  const waiting: (() => void)[] = [];
  return {
    reads,
    release: () => waiting.splice(0).forEach((go) => go()),
    readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
      reads.push(options);
      const from = Number(options.after.position);
      // What the read sees is what was committed when it began.
      const end = length();
      return new Promise((resolve) => waiting.push(() => resolve(Array.from({ length: Math.max(0, Math.min(end - from, options.maxCount)) }, (_, i) => event(from + i + 1)))));
    },
  };
}

describe('shared log reader', () => {
  it('gives subscriptions woken while a read is under way one fresh read between them, with what they woke for', async () => {
    let length = 3;
    let generation = 1;
    const log = slowLog(() => length);
    const reader = new SharedLogReader(log, () => generation);
    const first = reader.readAll({ after: at(0), maxCount: 100 });
    // Under steady writes, each subscription asks after another event and its wake-up, while the first read is still under way.
    const others = Array.from({ length: 7 }, () => {
      length = Math.min(length + 1, 5);
      generation++;
      return reader.readAll({ after: at(0), maxCount: 100 });
    });
    log.release();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    log.release();
    const answers = await Promise.all(others);
    expect((await first).map((e) => e.data.n)).toEqual([1, 2, 3]);
    for (const answer of answers) expect(answer.map((e) => e.data.n)).toEqual([1, 2, 3, 4, 5]);
    // The first read, then one read after it for all seven (not seven of their own).
    expect(log.reads.map((r) => Number(r.after.position))).toEqual([0, 3]);
  });
});
