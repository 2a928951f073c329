import { isAfter, type GlobalPosition, type ReadAllOptions, type RecordedEvent } from '../types';
import type { LogReader } from './catch-up-subscription';

/** Events kept for subscriptions that are behind the one that read them. */
const KEPT_EVENTS = 5000;

const keyOf = (after: GlobalPosition, maxCount: number) => `${after.transactionId}:${after.position}:${maxCount}`;

const samePosition = (a: GlobalPosition, b: GlobalPosition) => a.transactionId === b.transactionId && a.position === b.position;

/**
 * The log as a store's subscriptions read it. Every projection has its own subscription, and they
 * all read the same events: each used to run its own query and parse every row again. This keeps the
 * newest stretch of the log that any of them read and serves the others from it.
 *
 * Only what the log can no longer change is kept: a read returns every event after its starting
 * position, in order, of transactions older than every one still running, so no event can later
 * appear between two it returned. A stretch is extended only by a read that starts at its end.
 * Unless the kept events fill a whole batch, what follows them is read from the database too, so a
 * subscription gets everything committed before it asked, as with a read of its own (it sleeps after
 * a short batch until the next wake-up). A read already under way for the same position is shared
 * while no wake-up has come since it started (a fresh read would return nothing more).
 */
export class SharedLogReader implements LogReader {
  /** The position before `events[0]`, then a contiguous stretch of the log. */
  private start: GlobalPosition | undefined;
  private events: RecordedEvent[] = [];
  private inFlight = new Map<string, { readonly generation: number; readonly read: Promise<RecordedEvent[]> }>();

  constructor(
    private readonly log: LogReader,
    private readonly generation: () => number,
  ) {}

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    for (;;) {
      const kept = this.keptAfter(options.after, options.maxCount);
      // A full batch: the subscription asks again at once. Otherwise what follows is read now, so the
      // answer is as fresh as a read of its own (a subscription sleeps after a short batch until woken).
      if (kept.length === options.maxCount) return kept;
      const after = kept.at(-1)?.globalPosition ?? options.after;
      const pending = this.inFlight.get(keyOf(after, options.maxCount));
      if (pending && pending.generation !== this.generation()) {
        // A read from here began before the latest wake-up, so it may miss what woke us. Wait for it
        // and then read what follows it, with the others waiting: one read for all, where under steady
        // writes every subscription would otherwise run its own, one after another.
        await pending.read.catch(() => undefined);
        continue;
      }
      const tail = await this.read({ after, maxCount: options.maxCount });
      return [...kept, ...tail.slice(0, options.maxCount - kept.length)];
    }
  }

  /** A database read, shared with others asking the same while no wake-up has come since it started. */
  private read(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const key = keyOf(options.after, options.maxCount);
    const generation = this.generation();
    let flight = this.inFlight.get(key);
    if (!flight || flight.generation !== generation) {
      flight = { generation, read: this.log.readAll(options) };
      this.inFlight.set(key, flight);
      const own = flight;
      void own.read.then(
        (events) => {
          if (this.inFlight.get(key) === own) this.inFlight.delete(key);
          this.keep(options.after, events);
        },
        () => this.inFlight.get(key) === own && this.inFlight.delete(key),
      );
    }
    return flight.read;
  }

  private keptAfter(after: GlobalPosition, maxCount: number): RecordedEvent[] {
    if (!this.start || this.events.length === 0) return [];
    let from: number;
    if (samePosition(after, this.start)) from = 0;
    else {
      // Binary search for `after` among the kept events: it must be one of them to know what follows it.
      let lo = 0;
      let hi = this.events.length - 1;
      from = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const position = this.events[mid]!.globalPosition;
        if (samePosition(position, after)) {
          from = mid + 1;
          break;
        }
        if (isAfter(position, after)) hi = mid - 1;
        else lo = mid + 1;
      }
      if (from < 0) return [];
    }
    return this.events.slice(from, from + maxCount);
  }

  private keep(after: GlobalPosition, events: readonly RecordedEvent[]): void {
    if (events.length === 0) return;
    const end = this.events.at(-1)?.globalPosition ?? this.start;
    if (end && samePosition(after, end)) this.events.push(...events);
    else {
      this.start = after;
      this.events = [...events];
    }
    const excess = this.events.length - KEPT_EVENTS;
    if (excess > 0) {
      this.start = this.events[excess - 1]!.globalPosition;
      this.events = this.events.slice(excess);
    }
  }
}
