/**
 * Benchmark knobs come from environment variables so `npm run bench:*` needs no arguments.
 * A malformed value stops the run: a silently ignored setting would produce figures for another experiment.
 */
export function numberFromEnv(name: string, fallback: number, options: { min?: number; integer?: boolean } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  const min = options.min ?? 0;
  if (!Number.isFinite(value) || value < min || (options.integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be ${options.integer ? 'a whole number' : 'a number'} >= ${min}; got "${raw}".`);
  }
  return value;
}

/** A comma-separated list of whole numbers, e.g. BENCH_WRITERS=1,8,32. */
export function integerListFromEnv(name: string, fallback: readonly number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return [...fallback];
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`${name} must be a comma-separated list of whole numbers >= 1; got "${raw}".`);
  }
  return values;
}
