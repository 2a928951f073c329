import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { resourceDaysOf } from '@bedside/capacity';
import { DEMO_CENTRES } from '@bedside/network';
import { PlanOptions } from '../../libs/pathways/src/application/plan-options';
import { searchPlans, searchPlansUnpruned, type FreeSlot, type PlanSearchInput } from '../../libs/pathways/src/domain/plan-search';
import { fillYear, share, type FillResult } from '../scheduling/fill';
import { openNetwork, PATHWAY_READ_MODELS, type BenchNetwork } from '../scheduling/network';
import { BookingStats, dayAfter, Scheduler, type ProductCode } from '../scheduling/scheduler';
import { slotsOf } from '../scheduling/search-latency';
import { schedulingBenchSettings } from '../scheduling/settings';
import type { BenchDatabase } from '../support/database';
import { integerListFromEnv, numberFromEnv } from '../support/env';
import { formatMs, formatRatio, markdownTable } from '../support/format';
import { onInterrupt } from '../support/interrupt';
import { describeMachine, machineLine, type MachineDescription } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { percentile } from '../support/measure';
import { loadInputs, saveInputs, type CapturedInput } from './inputs';

/**
 * bench:plan-search (issue 12 §7): the pure plan search at 1×, 3× and 10× the demo network, the pruned
 * search (searchPlans) against the search without pruning (searchPlansUnpruned) on the same inputs in
 * the same run. Inputs are captured through PlanOptions.inputForPathway for new referrals on a network
 * whose year was first filled through the ordinary commands, as bench:scheduling does; then the network
 * is closed and only the pure searches run, one at a time, alternating which goes first.
 */
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

const SECTION_ID = 'plan-search';
const WASHOUT_DAYS = [0, 3, 7, 14, 42] as const;

const settings = {
  ...schedulingBenchSettings(),
  scales: integerListFromEnv('BENCH_PLAN_SEARCH_SCALES', [1, 3, 10]),
  searches: numberFromEnv('BENCH_SEARCHES', 80, { min: 1, integer: true }),
  fillMaxSeconds: numberFromEnv('BENCH_FILL_MAX_SECONDS', 150, { min: 1 }),
  fillMaxBookings: numberFromEnv('BENCH_FILL_MAX_BOOKINGS', 20_000, { min: 0, integer: true }),
  /** Times each input is searched each way; the figures are per search. */
  repeats: numberFromEnv('BENCH_PLAN_SEARCH_REPEATS', 3, { min: 1, integer: true }),
  /**
   * BENCH_PLAN_SEARCH_FILL: `replicate` (default) fills the 1× network through the commands and gives every
   * copy of a larger network the same bookings, slot for slot; `commands` fills every scale through the
   * commands (at 10× that books about 4 referrals a second: 80% takes hours, so BENCH_FILL_MAX_SECONDS stops it).
   */
  fill: (process.env.BENCH_PLAN_SEARCH_FILL || 'replicate') as 'replicate' | 'commands',
  save: process.env.BENCH_PLAN_SEARCH_SAVE || null,
  load: process.env.BENCH_PLAN_SEARCH_LOAD || null,
};

interface Capture {
  readonly scale: number;
  /** Dropped once timed: a hundred inputs at 10× hold over a gigabyte. */
  inputs: readonly CapturedInput[];
  readonly freeSlots: readonly number[];
  readonly fill: FillResult | null;
  readonly seedSeconds: number | null;
  /** Replicated: the scale whose fill every copy was given. */
  readonly filledLike?: number;
}

/** The demo network's copy of a site or unit as the 1× network names it (seed-demo-network.ts `copies`). */
const originalSite = (code: string) => (/^.{3}\d{2}$/.test(code) ? `${code.slice(0, 3)}01` : code);
const originalUnit = (unitId: string) => unitId.replace(/-C\d+$/, '');
const slotOf = (s: { siteCode: string; unitId: string | null; resource: string; day: string; session: string }) =>
  s.unitId ? `unit|${originalUnit(s.unitId)}|${s.day}|${s.session}` : `site|${originalSite(s.siteCode)}|${s.resource}|${s.day}|${s.session}`;

/**
 * Gives every copy of the network the places the filled 1× network has left on the same slot of the
 * same site or unit: inputs for the same referral (same product, day and preferred centre), so the
 * larger network is filled as the 1× one was, copy by copy.
 */
function replicateFill(inputs: readonly CapturedInput[], filled: readonly CapturedInput[]): CapturedInput[] {
  const filledSlots = new Map<string, FreeSlot>(); // shared between inputs, as referAndRead's
  return inputs.map((captured, i) => {
    const like = filled[i];
    if (!like || like.productCode !== captured.productCode || like.input.earliestCollectionDate !== captured.input.earliestCollectionDate) {
      throw new Error(`referral ${i} at ${captured.scale}× does not match the 1× referral it should be filled like`);
    }
    const free = new Map(like.input.free.map((s) => [slotOf(s), s.free]));
    return {
      ...captured,
      input: {
        ...captured.input,
        free: captured.input.free.map((s) => {
          const places = free.get(slotOf(s)) ?? s.free;
          if (places === s.free) return s;
          const key = `${s.resourceKey}|${s.day}|${s.session}|${places}`;
          let copy = filledSlots.get(key);
          if (!copy) filledSlots.set(key, (copy = { ...s, free: places }));
          return copy;
        }),
      },
    };
  });
}

/** Seeds a network at `scale`, fills its year, refers `searches` patients and captures their search inputs. */
async function capture(scale: number, open: Set<BenchDatabase>, onMachine: (machine: MachineDescription, serverSource: string) => void, filledLike?: Capture): Promise<Capture> {
  const network = await openNetwork(scale, log, (database) => open.add(database));
  try {
    onMachine(await describeMachine(network.database.url, ['libs/pathways/src/domain', 'bench/plan-search']), network.database.serverSource);
    if (filledLike) {
      const inputs = replicateFill(await referAndRead(network, scale), filledLike.inputs);
      log(`${scale}×: seeded in ${network.seedSeconds.toFixed(1)} s; every copy given the ${filledLike.scale}× network's bookings`);
      return { scale, inputs, freeSlots: inputs.map((c) => c.input.free.length), fill: filledLike.fill, seedSeconds: network.seedSeconds, filledLike: filledLike.scale };
    }
    log(`${scale}×: seeded in ${network.seedSeconds.toFixed(1)} s; filling the year to ${Math.round(settings.targetUtilisation * 100)}% of the cell-therapy bays (at most ${settings.fillMaxSeconds} s)`);
    const fill = await fillYear(network, settings, (line) => log(`${scale}×: ${line}`));
    log(`${scale}×: fill ${fill.stoppedBy === 'target' ? 'reached' : `stopped by the ${fill.stoppedBy} at`} ${(share(fill.after.bays) * 100).toFixed(1)}% after ${fill.stats.booked} bookings in ${fill.seconds.toFixed(0)} s`);
    const inputs = await referAndRead(network, scale);
    return { scale, inputs, freeSlots: inputs.map((c) => c.input.free.length), fill, seedSeconds: network.seedSeconds };
  } finally {
    await network.close();
    open.delete(network.database);
  }
}

/** New referrals as bench:scheduling makes them (both products, the usual washouts, centres in turn), read as the search gets them. */
async function referAndRead(network: BenchNetwork, scale: number): Promise<CapturedInput[]> {
  const scheduler = new Scheduler(network, 'plan-search', new BookingStats(), { horizonDays: settings.horizonDays, maxAttempts: 1 });
  const referrals: { coi: string; productCode: ProductCode }[] = [];
  for (let i = 0; i < settings.searches; i++) {
    const productCode: ProductCode = i % 4 === 3 ? 'CRYO-CAR19' : 'POC-CAR19';
    const request = { productCode, earliest: dayAfter(network, WASHOUT_DAYS[i % WASHOUT_DAYS.length]!), treatmentCentre: DEMO_CENTRES[(i * 3) % DEMO_CENTRES.length]!.code };
    referrals.push({ coi: await scheduler.refer(request, false), productCode });
  }
  await network.caughtUp(PATHWAY_READ_MODELS);
  const planOptions = network.app.get(PlanOptions);
  const inputs: CapturedInput[] = [];
  // Inputs share the slots they have in common (the search never changes its input): 80 inputs of
  // 80,000 fresh slots each would keep over a gigabyte alive, and the collector's pauses would land in
  // whichever search happened to be running.
  const shared = new Map<string, FreeSlot>();
  for (const { coi, productCode } of referrals) {
    const input = await planOptions.inputForPathway(coi, { count: 3, horizonDays: settings.horizonDays });
    const free = slotsOf(input).map((s) => {
      const key = `${s.resourceKey}|${s.day}|${s.session}|${s.free}`;
      const same = shared.get(key);
      if (same) return same;
      shared.set(key, s);
      return s;
    });
    // Kept as a list here (replicateFill rewrites it); grouped again as the search is handed it before timing.
    inputs.push({ scale, productCode, input: { ...input, free, freeByResource: undefined } });
  }
  log(`${scale}×: ${inputs.length} search inputs captured (${inputs[0]?.input.free.length ?? 0} free slots in the first)`);
  return inputs;
}

interface Timing {
  readonly productCode: string;
  readonly prunedMs: number;
  readonly unprunedMs: number;
  readonly plans: number;
  readonly identical: boolean;
  readonly freeSlots: number;
}

const timeOnce = (search: (input: PlanSearchInput) => unknown, input: PlanSearchInput) => {
  const t0 = performance.now();
  const result = search(input);
  return { ms: performance.now() - t0, result };
};

/** Both searches on each input, `repeats` times, alternating which goes first so neither always runs on a warmer cache. */
function time(listed: readonly CapturedInput[]): Timing[] {
  // Grouped by resource and day as PlanOptions hands them to the search (SlotLayoutCache.resourceDays), outside the timing.
  const inputs = listed.map((c) => ({ ...c, slots: c.input.free.length, input: { ...c.input, free: [], freeByResource: resourceDaysOf(c.input.free, c.input.earliestCollectionDate) } }));
  for (const { input } of inputs.slice(0, 3)) {
    searchPlans(input);
    searchPlansUnpruned(input);
  }
  const out: Timing[] = [];
  for (const [i, { input, productCode, slots }] of inputs.entries()) {
    for (let r = 0; r < settings.repeats; r++) {
      const prunedFirst = (i + r) % 2 === 0;
      const first = timeOnce(prunedFirst ? searchPlans : searchPlansUnpruned, input);
      const second = timeOnce(prunedFirst ? searchPlansUnpruned : searchPlans, input);
      const [pruned, unpruned] = prunedFirst ? [first, second] : [second, first];
      const result = pruned.result as ReturnType<typeof searchPlans>;
      out.push({
        productCode,
        prunedMs: pruned.ms,
        unprunedMs: unpruned.ms,
        plans: result.plans.length,
        identical: JSON.stringify(pruned.result) === JSON.stringify(unpruned.result),
        freeSlots: slots,
      });
    }
  }
  return out;
}

const p = (values: readonly number[], q: number) => formatMs(percentile(values, q));
const count = (n: number) => n.toLocaleString('en-GB');

function render(captures: readonly Capture[], timings: ReadonlyMap<number, Timing[]>, machine: MachineDescription | null, serverSource: string, startedAt: Date): string {
  const rows: string[][] = [];
  for (const { scale } of captures) {
    const t = timings.get(scale)!;
    for (const [what, pick] of [['unpruned', (x: Timing) => x.unprunedMs], ['pruned (searchPlans)', (x: Timing) => x.prunedMs]] as const) {
      const values = t.map(pick);
      rows.push([`${scale}×, ${what}`, count(values.length), p(values, 50), p(values, 95), p(values, 99), formatMs(Math.max(...values))]);
    }
  }
  const ratioRows = captures.map(({ scale }) => {
    const t = timings.get(scale)!;
    const q = (v: number) => percentile(t.map((x) => x.prunedMs), v) / percentile(t.map((x) => x.unprunedMs), v);
    return [`${scale}×`, formatRatio(q(50)), formatRatio(q(95)), formatRatio(q(99)), `${count(t.filter((x) => x.identical).length)} of ${count(t.length)}`];
  });
  const base = timings.get(captures[0]!.scale)!;
  const growthRows = (['unprunedMs', 'prunedMs'] as const).map((key) => [
    key === 'prunedMs' ? 'pruned' : 'unpruned',
    ...captures.map(({ scale }) => {
      const t = timings.get(scale)!;
      return `${p(t.map((x) => x[key]), 95)} ms (${formatRatio(percentile(t.map((x) => x[key]), 95) / percentile(base.map((x) => x[key]), 95))}×)`;
    }),
  ]);
  const fills = captures.map(({ scale, fill, freeSlots, seedSeconds, filledLike }) => {
    const slots = [...freeSlots].sort((a, b) => a - b);
    const plans = timings.get(scale)!.filter((x) => x.plans > 0).length / settings.repeats;
    const filled = filledLike !== undefined
      ? `seeded in ${seedSeconds!.toFixed(0)} s, each copy given the bookings of the ${filledLike}× network (${(share(fill!.after.bays) * 100).toFixed(1)}% of its cell-therapy bay-days)`
      : fill
      ? `seeded in ${seedSeconds!.toFixed(0)} s, then ${count(fill.stats.booked)} bookings in ${fill.seconds.toFixed(0)} s ${fill.stoppedBy === 'target' ? 'reached' : `(stopped by the ${fill.stoppedBy})`} ${(share(fill.after.bays) * 100).toFixed(1)}% of ${count(fill.after.bays.capacity)} cell-therapy bay-days`
      : 'inputs loaded from a file (BENCH_PLAN_SEARCH_LOAD)';
    return `- **${scale}×** (${scale * DEMO_CENTRES.length} centres): ${filled}; ${count(freeSlots.length)} referrals, ${count(slots[Math.floor(slots.length / 2)] ?? 0)} free slots per input at the median, ${count(plans)} with a plan.`;
  });
  const commandsFill = `its year of demand is booked through the ordinary commands as in bench:scheduling (the same referral mix, ${settings.fillWorkers} schedulers, until ${Math.round(settings.targetUtilisation * 100)}% of the cell-therapy bays over the next 365 days are used or ${settings.fillMaxSeconds} s have passed)`;
  const fillMethod =
    settings.fill === 'replicate'
      ? `The 1× network's year of demand is booked through the ordinary commands as in bench:scheduling (the same referral mix, ${settings.fillWorkers} schedulers, until ${Math.round(settings.targetUtilisation * 100)}% of the cell-therapy bays over the next 365 days are used). Filling the 10× network the same way books about 4 referrals a second with the search as it was (issue 12 §7), hours for 80%, so the larger networks are filled by copy instead: each referral's input at 3× and 10× is read from its own seeded network and every slot of every copy is given the places the filled 1× network has left on the same slot of the same site or unit (the same referral's input at 1×), so every copy is as full as the 1× network, in the same pattern.`
      : `At every scale ${commandsFill}.`;
  const largest = captures[captures.length - 1]!.scale;
  const p95Largest = percentile(timings.get(largest)!.map((x) => x.prunedMs), 95);
  return [
    '## Plan search at scale (pure search)',
    '',
    `Run on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${machine ? `; code at ${machine.code}` : ''}; the whole run took ${((performance.now() - started) / 60_000).toFixed(1)} minutes. Run with \`npm run bench:plan-search\` (knobs: BENCH_PLAN_SEARCH_SCALES, BENCH_TARGET_UTILISATION, BENCH_FILL_MAX_SECONDS, BENCH_FILL_MAX_BOOKINGS, BENCH_FILL_WORKERS, BENCH_SEARCHES, BENCH_HORIZON_DAYS, BENCH_PLAN_SEARCH_REPEATS; BENCH_PLAN_SEARCH_SAVE and BENCH_PLAN_SEARCH_LOAD keep the captured inputs in a file and time them again without a database).`,
    '',
    machine ? `**Machine.** ${machineLine(machine, serverSource)}` : '**Machine.** not described (inputs loaded from a file).',
    '',
    `**Method.** For each scale, a fresh database is seeded with that many copies of the demo network (\`seedDemoNetwork\`). ${fillMethod} Then ${settings.searches} new referrals are made as bench:scheduling makes them (3 POC-CAR19 to 1 CRYO-CAR19, washouts of 0-42 days, preferred centres in turn) and their search inputs read with \`PlanOptions.inputForPathway\` (${settings.horizonDays}-day horizon, 3 plans). The database is then closed and only the pure searches run: each input searched ${settings.repeats} times by \`searchPlansUnpruned\` (the search without P1-P6 of plan-search.ts; it shares the cheaper indexing and the route tables kept between searches, so it is somewhat faster than the search before issue 12 §7) and by \`searchPlans\` (pruned), back to back, alternating which goes first, after 3 warm-up inputs; the inputs share the slot objects they have in common (neither search changes its input), so holding all of them does not load the collector. Both are single-threaded and allocate the same indexes; "identical" compares their whole results (plans, steps, slots, \`limitedBy\`, \`reasonNone\`) as JSON.`,
    '',
    ...fills,
    '',
    markdownTable(['scale, search', 'searches', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], rows),
    '',
    '**Pruned ÷ unpruned** (same inputs, same run; below 1 is faster):',
    '',
    markdownTable(['scale', 'p50', 'p95', 'p99', 'identical results'], ratioRows),
    '',
    `**Growth of p95 with the network** (ratio to ${captures[0]!.scale}×):`,
    '',
    markdownTable(['search', ...captures.map(({ scale }) => `${scale}×`)], growthRows),
    '',
    `Pure search p95 at ${largest}×: ${formatMs(p95Largest)} ms pruned. The issue's target, p95 < 50 ms end to end at 10× with the year filled to 80%, also counts the reads (\`PlanOptions.inputForPathway\`, timed by bench:scheduling with BENCH_SCALE=10): ${p95Largest < 50 ? 'the pure search leaves room for them' : '**not met**: the pure search alone is over it'}.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const open = new Set<BenchDatabase>();
  onInterrupt(async () => {
    for (const database of open) await database.close();
  }, log);
  let machine: MachineDescription | null = null;
  let serverSource = '';
  const captures: Capture[] = [];
  const timings = new Map<number, Timing[]>();
  const loaded = settings.load ? await loadInputs(settings.load) : [];
  const scales = settings.load ? [...new Set(loaded.map((c) => c.scale))].sort((a, b) => a - b) : settings.scales;
  // Replicated fill: the 1× network, filled through the commands, first; its inputs are kept to fill the others like it.
  const order = settings.fill === 'replicate' && !settings.load ? [1, ...scales.filter((s) => s !== 1)] : scales;
  let base: Capture | undefined;
  for (const scale of order) {
    let captured: Capture;
    if (settings.load) {
      const inputs = loaded.filter((c) => c.scale === scale);
      captured = { scale, inputs, freeSlots: inputs.map((c) => c.input.free.length), fill: null, seedSeconds: null };
    } else {
      // The network is closed before timing: nothing else runs in the process while the searches are timed.
      captured = await capture(scale, open, (m, source) => ((machine ??= m), (serverSource ||= source)), scale === 1 ? undefined : base);
      if (settings.fill === 'replicate' && scale === 1) base = { ...captured, inputs: captured.inputs };
      if (settings.save) {
        await saveInputs(`${settings.save}.${scale}x.jsonl`, captured.inputs);
        log(`saved the inputs to ${settings.save}.${scale}x.jsonl`);
      }
    }
    if (!scales.includes(scale)) continue; // only the fill to copy
    captures.push(captured);
    const { inputs } = captured;
    const t = time(inputs);
    captured.inputs = [];
    timings.set(scale, t);
    const pr = t.map((x) => x.prunedMs);
    const un = t.map((x) => x.unprunedMs);
    log(
      `${scale}×: unpruned p50 ${p(un, 50)} / p95 ${p(un, 95)} / p99 ${p(un, 99)} ms; pruned p50 ${p(pr, 50)} / p95 ${p(pr, 95)} / p99 ${p(pr, 99)} ms; ` +
        `identical ${t.filter((x) => x.identical).length} of ${t.length}`,
    );
  }
  const different = [...timings.values()].flat().filter((x) => !x.identical).length;
  const section = render(captures, timings, machine, serverSource, startedAt);
  if (!settings.load) {
    const file = resolve(settings.reportFile);
    await writeMarkdownSection(file, SECTION_ID, section);
    log(`wrote the "Plan search at scale (pure search)" section of ${file}`);
  } else {
    console.log(section);
  }
  if (different > 0) throw new Error(`${different} searches gave different results pruned and unpruned`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
