import pRetry from 'p-retry';
import { ConflictError } from '@bedside/shared';
import { ConcurrencyError } from '../errors';

/**
 * How every command retries a lost race for a stream (issue 12 §3): the one policy, so a command's
 * patience does not depend on who wrote it. An append lands whole or not at all, so each attempt
 * reads again and decides again from what is now recorded. Waits grow from `firstDelayMs`, doubling
 * with jitter (each × a random 1–2, p-retry's `randomize`) so racing writers spread out instead of
 * colliding again in step, and never exceed `maxDelayMs`: ten attempts wait about 0.4–0.8 s in all.
 */
export const CONCURRENCY_RETRY = {
  /** Attempts in all, the first included. */
  attempts: 10,
  firstDelayMs: 2,
  maxDelayMs: 200,
} as const;

export interface RetryOnConflict {
  /** Which lost races are worth deciding again (default: every ConcurrencyError); any other error is thrown at once, untouched. */
  readonly retries?: (error: ConcurrencyError) => boolean;
  /** What the caller is told when the last attempt also lost its race (default: `concurrencyConflict`). */
  readonly giveUp?: (error: ConcurrencyError) => Error;
}

/**
 * Runs `attempt` (told its number, from 1) until it succeeds, fails with an error the policy does not
 * retry, or runs out of attempts, which answers CONFLICT: never an internal error (issue 11 §8).
 */
export async function retryOnConflict<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOnConflict = {}): Promise<T> {
  const retried = (error: unknown): error is ConcurrencyError => error instanceof ConcurrencyError && (options.retries?.(error) ?? true);
  try {
    return await pRetry(attempt, {
      retries: CONCURRENCY_RETRY.attempts - 1,
      minTimeout: CONCURRENCY_RETRY.firstDelayMs,
      maxTimeout: CONCURRENCY_RETRY.maxDelayMs,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => retried(error),
    });
  } catch (error) {
    if (retried(error)) throw (options.giveUp ?? concurrencyConflict)(error);
    throw error;
  }
}

const STREAM_KINDS: readonly (readonly [prefix: string, what: string])[] = [
  ['pathway-', 'this pathway'],
  ['hold-', 'this hold'],
  ['slot-', 'the same places'],
  ['site-', 'this site'],
  ['unit-', 'this unit'],
  ['dmmf-', "this product's DMMF"],
  ['calendar-', 'this calendar'],
];

/**
 * A race lost more often than the policy retries, said as a user can act on it (issue 11 §8): CONFLICT,
 * never an internal error. Nothing was recorded, since an append lands whole or not at all.
 */
export function concurrencyConflict(error: ConcurrencyError): ConflictError {
  const what = STREAM_KINDS.find(([prefix]) => error.streamId.startsWith(prefix))?.[1] ?? 'the same record';
  return new ConflictError(`Someone else changed ${what} at the same moment; nothing was recorded. Try again.`, { streamId: error.streamId });
}
