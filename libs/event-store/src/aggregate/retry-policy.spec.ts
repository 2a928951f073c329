import { ConflictError } from '@bedside/shared';
import { ConcurrencyError } from '../errors';
import { CONCURRENCY_RETRY, retryOnConflict } from './retry-policy';

const lost = (streamId = 'pathway-X') => new ConcurrencyError(streamId, 3, 4);

describe('the retry policy for lost races (issue 12 §3)', () => {
  it('given a race lost twice, when the command runs, then it decides again each time and the third attempt is recorded', async () => {
    const attempts: number[] = [];
    const result = await retryOnConflict(async (attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw lost();
      return 'recorded';
    });
    expect(result).toBe('recorded');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('given a race lost on every attempt, when the attempts run out, then the caller is told CONFLICT in words, not an internal error', async () => {
    let attempts = 0;
    const refusal = await retryOnConflict(async () => {
      attempts++;
      throw lost('hold-abc');
    }).catch((error: unknown) => error);
    expect(attempts).toBe(CONCURRENCY_RETRY.attempts);
    expect(refusal).toBeInstanceOf(ConflictError);
    expect((refusal as ConflictError).message).toBe('Someone else changed this hold at the same moment; nothing was recorded. Try again.');
  });

  it('given a command that says how to give up, when the attempts run out, then its own words are used', async () => {
    const refusal = await retryOnConflict(
      async () => {
        throw lost('slot-1');
      },
      { giveUp: () => new ConflictError('Other schedulers kept changing the same slots; nothing was held. Try again.') },
    ).catch((error: unknown) => error);
    expect((refusal as Error).message).toMatch(/^Other schedulers kept changing the same slots/);
  });

  it('given a refusal that is not a lost race, when it is thrown, then it is not retried and reaches the caller untouched', async () => {
    let attempts = 0;
    const refusal = new Error('The unit is out of service.');
    await expect(
      retryOnConflict(async () => {
        attempts++;
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(attempts).toBe(1);
  });

  it('given a race on a stream the command does not retry, when it is lost, then it reaches the caller untouched for it to judge', async () => {
    let attempts = 0;
    const race = lost('control-site');
    await expect(
      retryOnConflict(
        async () => {
          attempts++;
          throw race;
        },
        { retries: (error) => error.streamId !== 'control-site' },
      ),
    ).rejects.toBe(race);
    expect(attempts).toBe(1);
  });

  it('waits between attempts, doubling with jitter and never past the ceiling, so racing writers spread out', async () => {
    const waits: number[] = [];
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
      waits.push(ms ?? 0);
      callback();
      return 0 as unknown as NodeJS.Timeout;
    }) as typeof setTimeout);
    try {
      await retryOnConflict(async () => {
        throw lost();
      }).catch(() => undefined);
    } finally {
      setTimeoutSpy.mockRestore();
    }
    expect(waits).toHaveLength(CONCURRENCY_RETRY.attempts - 1);
    waits.forEach((wait, i) => {
      const base = CONCURRENCY_RETRY.firstDelayMs * 2 ** i;
      expect(wait).toBeGreaterThanOrEqual(Math.min(base, CONCURRENCY_RETRY.maxDelayMs));
      expect(wait).toBeLessThanOrEqual(Math.min(2 * base, CONCURRENCY_RETRY.maxDelayMs));
    });
    expect(waits.at(-1)).toBe(CONCURRENCY_RETRY.maxDelayMs);
  });
});
