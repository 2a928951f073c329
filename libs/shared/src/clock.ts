/**
 * The one source of "now" (issue 11 §1; docs/architecture.md "Time"). Commands, the plan search's
 * "today", hold expiry, at-risk checks, the waitlist, KPIs and demo seeding all ask a Clock; nothing
 * else in libs/ or apps/ reads the system time (test/architecture/clock.spec.ts fails if it does).
 * Production uses `systemClock`; tests and simulations pin one with `PinnedClock`.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** Nest injection token for the Clock (a plain symbol: this kernel has no framework imports). */
export const CLOCK = Symbol.for('bedside.clock');

/** The machine's clock: the only adapter that reads the system time. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock pinned to an instant that then runs at real speed, so a test can start "on 31 December at
 * 23:30" and still see a 1-second hold expire a second later. `set` and `advance` move it at once.
 */
export class PinnedClock implements Clock {
  private offsetMs: number;

  constructor(instant: Date | string) {
    this.offsetMs = this.offsetFor(instant);
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  set(instant: Date | string): void {
    this.offsetMs = this.offsetFor(instant);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  private offsetFor(instant: Date | string): number {
    const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
    if (Number.isNaN(ms)) throw new Error(`A clock needs an ISO instant, e.g. 2026-12-24T17:00:00Z; got "${String(instant)}".`);
    return ms - Date.now();
  }
}

/** Milliseconds elapsed on a monotonic timer, for timing work (never a clinical "now"). */
export const elapsedSince = (startedMs: number): number => performance.now() - startedMs;
