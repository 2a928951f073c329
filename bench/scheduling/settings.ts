import { numberFromEnv } from '../support/env';

export interface SchedulingBenchSettings {
  /** Copies of the demo network (BENCH_SCALE). */
  readonly scale: number;
  /** Share of the year's manufacturing-bay capacity to book before timing searches (BENCH_TARGET_UTILISATION). */
  readonly targetUtilisation: number;
  /** The fill stops here even short of the target (BENCH_FILL_MAX_BOOKINGS, BENCH_FILL_MAX_SECONDS). */
  readonly fillMaxBookings: number;
  readonly fillMaxSeconds: number;
  /** Schedulers filling the year side by side (BENCH_FILL_WORKERS). */
  readonly fillWorkers: number;
  /** Referrals whose plan search is timed on the filled network (BENCH_SEARCHES). */
  readonly searches: number;
  /** horizonDays passed to PlanOptions.forPathway (BENCH_HORIZON_DAYS); the API's default is 120. */
  readonly horizonDays: number;
  /** Concurrent schedulers in the race and spread runs (BENCH_WORKERS). */
  readonly workers: number;
  /** Length of each of the race and spread runs (BENCH_RACE_SECONDS). */
  readonly raceSeconds: number;
  /** Searches again after a lost race, at most this many times (BENCH_RETRIES). */
  readonly retries: number;
  /** Bookings planned ahead and then held and confirmed by the workers alone (BENCH_COMMAND_BOOKINGS). */
  readonly commandBookings: number;
  /** Bookings a second offered in the paced run (BENCH_PACED_RATE), for BENCH_PACED_SECONDS. */
  readonly pacedRate: number;
  readonly pacedSeconds: number;
  /** Seconds of the same schedule booked before the timed part, not counted (BENCH_PACED_WARMUP_SECONDS). */
  readonly pacedWarmupSeconds: number;
  /** Steady-rate runs, each on a fresh network (BENCH_PACED_RUNS): one 8 s window says little about a p99. */
  readonly pacedRuns: number;
  readonly reportFile: string;
}

export function schedulingBenchSettings(): SchedulingBenchSettings {
  return {
    scale: numberFromEnv('BENCH_SCALE', 1, { min: 1, integer: true }),
    targetUtilisation: numberFromEnv('BENCH_TARGET_UTILISATION', 0.8, { min: 0 }),
    fillMaxBookings: numberFromEnv('BENCH_FILL_MAX_BOOKINGS', 2500, { min: 0, integer: true }),
    fillMaxSeconds: numberFromEnv('BENCH_FILL_MAX_SECONDS', 240, { min: 1 }),
    fillWorkers: numberFromEnv('BENCH_FILL_WORKERS', 4, { min: 1, integer: true }),
    searches: numberFromEnv('BENCH_SEARCHES', 200, { min: 1, integer: true }),
    horizonDays: numberFromEnv('BENCH_HORIZON_DAYS', 120, { min: 7, integer: true }),
    workers: numberFromEnv('BENCH_WORKERS', 32, { min: 1, integer: true }),
    raceSeconds: numberFromEnv('BENCH_RACE_SECONDS', 20, { min: 1 }),
    retries: numberFromEnv('BENCH_RETRIES', 5, { min: 0, integer: true }),
    commandBookings: numberFromEnv('BENCH_COMMAND_BOOKINGS', 1200, { min: 1, integer: true }),
    pacedRate: numberFromEnv('BENCH_PACED_RATE', 300, { min: 1 }),
    pacedSeconds: numberFromEnv('BENCH_PACED_SECONDS', 8, { min: 1 }),
    pacedWarmupSeconds: numberFromEnv('BENCH_PACED_WARMUP_SECONDS', 1, { min: 0 }),
    pacedRuns: numberFromEnv('BENCH_PACED_RUNS', 3, { min: 1, integer: true }),
    reportFile: process.env.BENCH_REPORT_FILE || 'docs/benchmarks.md',
  };
}
