import { integerListFromEnv, numberFromEnv } from '../support/env';

export interface StoreBenchSettings {
  /** Measured seconds per side (store, raw) per append cell, split over `rounds` alternating segments. */
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Alternating segments per side: store, raw, raw, store, ... so drift weighs on both. */
  readonly rounds: number;
  readonly writers: readonly number[];
  readonly eventsPerAppend: readonly number[];
  /** Streams each writer rotates over (each append goes to the next, with its exact expected version). */
  readonly streamsPerWriter: number;
  readonly replayEvents: number;
  readonly replayBatchSizes: readonly number[];
  readonly replayRounds: number;
  readonly reportFile: string;
}

export function storeBenchSettings(): StoreBenchSettings {
  return {
    seconds: numberFromEnv('BENCH_SECONDS', 5, { min: 0.1 }),
    warmupSeconds: numberFromEnv('BENCH_WARMUP_SECONDS', 1),
    rounds: numberFromEnv('BENCH_ROUNDS', 4, { min: 1, integer: true }),
    writers: integerListFromEnv('BENCH_WRITERS', [1, 8, 32]),
    eventsPerAppend: integerListFromEnv('BENCH_EVENTS_PER_APPEND', [1, 10]),
    streamsPerWriter: numberFromEnv('BENCH_STREAMS_PER_WRITER', 100, { min: 1, integer: true }),
    replayEvents: numberFromEnv('BENCH_REPLAY_EVENTS', 1_000_000, { min: 1, integer: true }),
    replayBatchSizes: integerListFromEnv('BENCH_REPLAY_BATCH_SIZES', [500, 5000]),
    replayRounds: numberFromEnv('BENCH_REPLAY_ROUNDS', 2, { min: 1, integer: true }),
    reportFile: process.env.BENCH_REPORT_FILE || 'docs/benchmarks.md',
  };
}
