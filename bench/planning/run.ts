import { cpus, release, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { HIGHS_VERSION, optimiseSurge, referenceSurgeInstance, type SurgeResult } from '@bedside/planning';
import { numberFromEnv } from '../support/env';
import { cpuBusyShare } from '../support/machine';
import { markdownTable } from '../support/format';
import { writeMarkdownSection } from '../support/markdown-section';

/**
 * bench:planning (issue 13): the reference surge question (8 mobile fill-finish units, the ten UK host
 * regions, 100 daily periods, demand beyond what the units can fill, each wave's doses due two weeks after
 * it ends) at 10 and 15 doses per vial and a requalification lag of 0, 7 and 18 days: the time to a plan
 * within 1% of optimal, and weighted unmet dose-days against both baselines measured in the same run. The
 * same question without deadlines is run beside it at 7 days, to show what deadlines change.
 */
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const timeLimitSeconds = numberFromEnv('BENCH_PLANNING_TIME_LIMIT', 60, { min: 1 });
/** Host areas tried for the largest question within 60 s (BENCH_PLANNING_AREAS, comma-separated). */
const areaCounts = (process.env.BENCH_PLANNING_AREAS ?? '10,20,30,42').split(',').map((n) => Number(n.trim()));

interface Row {
  readonly deadlines: boolean;
  readonly dosesPerVial: number;
  readonly requalificationDays: number;
  readonly result: SurgeResult;
  readonly wallSeconds: number;
}

async function main(): Promise<void> {
  const busy = (await cpuBusyShare(2000)) ?? 0;
  const rows: Row[] = [];
  const cases = [
    ...[10, 15].flatMap((dosesPerVial) => [0, 7, 18].map((requalificationDays) => ({ deadlines: true, dosesPerVial, requalificationDays }))),
    ...[10, 15].map((dosesPerVial) => ({ deadlines: false, dosesPerVial, requalificationDays: 7 })),
  ];
  for (const { deadlines, dosesPerVial, requalificationDays } of cases) {
    const instance = referenceSurgeInstance({ dosesPerVial, requalificationDays, ...(!deadlines && { deadlineAfterWave: null }) });
    const t0 = performance.now();
    const result = await optimiseSurge(instance, { timeLimitSeconds, relativeGap: 0.01, killAfterMs: (timeLimitSeconds + 15) * 1000 });
    const wallSeconds = (performance.now() - t0) / 1000;
    rows.push({ deadlines, dosesPerVial, requalificationDays, result, wallSeconds });
    log(
      `${deadlines ? 'deadlines' : 'no deadlines'}, ${dosesPerVial} doses/vial, requalification ${requalificationDays} d: ${result.solver.status} in ${wallSeconds.toFixed(1)} s, gap ${formatGap(result.solver.gap)}, ` +
        `gain over the better baseline ${(result.gainOverBestBaseline * 100).toFixed(1)}%`,
    );
  }
  const reference = rows.filter((r) => r.deadlines);
  // The largest question solved to 1% within 60 s: the ten regions split into more host areas (42 for the ICBs).
  const largest: { areas: number; periodDays: number; status: string; seconds: number; gap: number | undefined; gain: number }[] = [];
  for (const areas of areaCounts) {
    const instance = referenceSurgeInstance({ areas, requalificationDays: 7 });
    const t0 = performance.now();
    const result = await optimiseSurge(instance, { timeLimitSeconds: 60, relativeGap: 0.01, killAfterMs: 75_000 });
    const seconds = (performance.now() - t0) / 1000;
    largest.push({ areas, periodDays: result.solver.periodDays, status: result.solver.status, seconds, gap: result.solver.gap, gain: result.gainOverBestBaseline });
    log(`${areas} areas, ${result.solver.periodDays}-day periods: ${result.solver.status} in ${seconds.toFixed(1)} s, gap ${formatGap(result.solver.gap)}, gain over the better baseline ${(result.gainOverBestBaseline * 100).toFixed(1)}%`);
  }
  const solvedWithin = largest.filter((l) => l.status === 'OPTIMAL' && l.seconds <= 60 && (l.gap ?? 1) <= 0.01).map((l) => l.areas);
  const million = (x: number) => (x / 1e6).toFixed(1);
  const table = markdownTable(
    ['deadlines', 'doses/vial', 'requalification', 'solver', 'wall time', 'gap', 'optimised', 'proportional', 'greedy', 'doses missing deadline (optimised / better baseline)', 'gain over better baseline'],
    rows.map(({ deadlines, dosesPerVial, requalificationDays, result, wallSeconds }) => [
      deadlines ? '2 weeks after the wave' : 'none',
      String(dosesPerVial),
      `${requalificationDays} d`,
      result.solver.status,
      `${wallSeconds.toFixed(1)} s`,
      formatGap(result.solver.gap),
      million(result.proposed.outcome.weightedUnmetDoseDays),
      million(result.baselines.proportional.outcome.weightedUnmetDoseDays),
      million(result.baselines.greedy.outcome.weightedUnmetDoseDays),
      deadlines ? `${million(missed(result.proposed.outcome))}M / ${million(missed(betterBaseline(result).outcome))}M` : 'n/a',
      `${(result.gainOverBestBaseline * 100).toFixed(1)}%`,
    ]),
  );
  const within30 = reference.filter((r) => r.result.solver.status === 'OPTIMAL' && r.wallSeconds <= 30).length;
  const gains = reference.map((r) => r.result.gainOverBestBaseline);
  const section = [
    '## Surge planning (bench:planning)',
    '',
    `The reference surge question (issue 13): 8 mobile fill-finish units starting in London and the North West, the ten UK host regions, 100 daily periods, 40 million doses wanted in 30-day waves region after region, each wave's doses of use until two weeks after it ends (their deadline; doses that miss it count as waiting to the end), a unit filling ${referenceSurgeInstance().dosesPerUnitDay.toLocaleString('en-GB')} doses a day at 10 doses per vial. Each row is one solve to a 1% gap with a ${timeLimitSeconds} s limit (HiGHS ${HIGHS_VERSION}, WebAssembly, in a worker thread), and both baselines in the same run. Figures are weighted unmet dose-days, in millions (lower is better). The last two rows are the same question without deadlines.`,
    '',
    table,
    '',
    `**Targets.** Reference question within 30 s: ${within30} of ${reference.length} rows. At least 10% fewer weighted unmet dose-days than the better baseline: ${gains.filter((g) => g >= 0.1).length} of ${reference.length} rows (gains ${gains.map((g) => `${(g * 100).toFixed(1)}%`).join(', ')}).`,
    '',
    '### The largest question solved to 1% within 60 s',
    '',
    `The same question with the ten regions split into more host areas in proportion to population (42 stands for the integrated care boards; the areas are made up, not the real boards), 8 units, 10 doses per vial, 7 days' requalification, a 60 s limit. A question with more than about 10,000 possible moves is planned in periods of a week or two (\`surgePeriodDays\`; units move at a period's start), and its gap is that model's; the gain is the plan's, evaluated day by day:`,
    '',
    markdownTable(
      ['areas', 'period', 'solver', 'wall time', 'gap', 'gain over better baseline'],
      largest.map((l) => [String(l.areas), l.periodDays === 1 ? 'a day' : `${l.periodDays} days`, l.status, `${l.seconds.toFixed(1)} s`, formatGap(l.gap), `${(l.gain * 100).toFixed(1)}%`]),
    ),
    '',
    `Largest solved to 1% within 60 s: **${solvedWithin.length > 0 ? `${Math.max(...solvedWithin)} areas` : 'none of these'}**.`,
    '',
    `**Machine.** ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}; Node ${process.versions.node}; ${Math.round(busy * 100)}% of CPU time was busy in the 2 s before the run. Run with \`npm run bench:planning\` (\`BENCH_PLANNING_TIME_LIMIT\` sets the solver's limit in seconds).`,
  ].join('\n');
  await writeMarkdownSection(process.env.BENCH_REPORT_FILE || 'docs/benchmarks.md', 'planning', section);
  log('written to docs/benchmarks.md');
}

const missed = (outcome: SurgeResult['proposed']['outcome']) => outcome.missedDeadline.reduce((a, b) => a + b, 0);
const betterBaseline = (result: SurgeResult) =>
  result.baselines.proportional.outcome.weightedUnmetDoseDays <= result.baselines.greedy.outcome.weightedUnmetDoseDays ? result.baselines.proportional : result.baselines.greedy;
const formatGap = (gap: number | undefined) => (gap === undefined ? 'n/a' : `${(gap * 100).toFixed(2)}%`);

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
