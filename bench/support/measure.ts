import { performance } from 'node:perf_hooks';

export interface ClosedLoopResult {
  /** Operations that completed (each worker may finish one just after the deadline). */
  readonly operations: number;
  /** From the start until the last worker finished its last operation. */
  readonly seconds: number;
  /** Latency of every completed operation, in milliseconds. */
  readonly latenciesMs: number[];
}

/**
 * Runs `workers` concurrent loops, each starting its next operation as soon as the previous one returns,
 * until `seconds` have passed: a closed-loop load, as N busy clients would produce.
 * Elapsed time runs to the last completion, so operations that straddle the deadline are counted fairly.
 */
export async function runClosedLoop(
  workers: number,
  seconds: number,
  operation: (worker: number) => Promise<void>,
): Promise<ClosedLoopResult> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const latencies: number[][] = Array.from({ length: workers }, () => []);
  // One failure fails the run: the other workers stop rather than keep loading a run that is void.
  let failed = false;
  await Promise.all(
    latencies.map(async (own, worker) => {
      while (!failed && performance.now() < deadline) {
        const before = performance.now();
        try {
          await operation(worker);
        } catch (error) {
          failed = true;
          throw error;
        }
        own.push(performance.now() - before);
      }
    }),
  );
  const all = latencies.flat();
  return { operations: all.length, seconds: (performance.now() - started) / 1000, latenciesMs: all };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export async function timed<T>(action: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await action();
  return { value, seconds: (performance.now() - started) / 1000 };
}
