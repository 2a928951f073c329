import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import type { BenchDatabase } from '../support/database';
import { ForeignLoadMonitor } from '../support/foreign-load';
import { formatMs, formatRate } from '../support/format';
import { onInterrupt } from '../support/interrupt';
import { describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { percentile } from '../support/measure';
import { auditDoubleBooking, type DoubleBookingAudit } from './audit';
import { measureCommandsAlone, measurePaced, measureSchedulers, type ConcurrencyFigures } from './concurrency';
import { fillYear, share } from './fill';
import { openNetwork, type BenchNetwork } from './network';
import { renderSchedulingSection, SECTION_ID } from './report';
import { measurePlanSearch } from './search-latency';
import { schedulingBenchSettings } from './settings';

const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

/** Databases still to drop if the run is interrupted. */
const open = new Set<BenchDatabase>();

async function withNetwork<T>(scale: number, use: (network: BenchNetwork, otherLoad: ForeignLoadMonitor) => Promise<T>): Promise<T> {
  const network = await openNetwork(scale, log, (database) => open.add(database));
  const otherLoad = new ForeignLoadMonitor(network.database.name);
  otherLoad.start();
  try {
    return await use(network, otherLoad);
  } finally {
    otherLoad.stop();
    await network.close();
    open.delete(network.database);
  }
}

async function audit(network: BenchNetwork, name: string): Promise<{ network: string; audit: DoubleBookingAudit }> {
  const result = await auditDoubleBooking(network);
  log(`audit (${name}): ${result.eventsRead} events, ${result.slotsTouched} slots; ${result.overBooked} over-booked, ${result.commitmentMismatches} disagreements with capacity_commitments`);
  for (const sample of result.mismatchSamples) log(`  disagreement: ${sample}`);
  return { network: name, audit: result };
}

function logRun(run: ConcurrencyFigures): void {
  const { stats } = run;
  log(
    `${run.mode}: ${stats.booked} bookings in ${run.seconds.toFixed(1)} s = ${formatRate(stats.booked / run.seconds)}/s; hold+confirm p50 ${formatMs(percentile(stats.holdConfirmMs, 50))} ms, ` +
      `p99 ${formatMs(percentile(stats.holdConfirmMs, 99))} ms${stats.fromArrivalMs.length > 0 ? `; from arrival p50 ${formatMs(percentile(stats.fromArrivalMs, 50))} ms, p99 ${formatMs(percentile(stats.fromArrivalMs, 99))} ms` : ''}; ${stats.slotTaken} SLOT_TAKEN, ${stats.conflicts} CONFLICT, ${stats.gaveUp} gave up, ${stats.noPlan} without a plan`,
  );
}

async function main(): Promise<void> {
  const settings = schedulingBenchSettings();
  const startedAt = new Date();
  onInterrupt(async () => {
    for (const database of open) await database.close();
  }, log);

  const yearNetwork = await withNetwork(settings.scale, async (network, otherLoad) => {
    const machine = await describeMachine(network.database.url, ['libs/pathways', 'libs/event-store', 'libs/read-model', 'libs/network']);
    log(`PostgreSQL ${machine.postgresVersion}; ${machine.cpuModel}, ${machine.cores} cores; Node ${machine.node}; ${settings.scale}× demo network seeded in ${network.seedSeconds.toFixed(1)} s`);
    if (machine.busyBeforeRun !== undefined && machine.busyBeforeRun > 0.25) {
      log(`warning: ${Math.round(machine.busyBeforeRun * 100)}% of CPU time was busy before the run; other work will move the figures`);
    }
    const window = otherLoad.window();
    log(`fill: booking a year of demand until ${Math.round(settings.targetUtilisation * 100)}% of the cell-therapy bays are used`);
    const fill = await fillYear(network, settings, log);
    log(`fill: ${fill.stoppedBy === 'target' ? 'reached' : `stopped by the ${fill.stoppedBy} at`} ${(share(fill.after.bays) * 100).toFixed(1)}% bay utilisation after ${fill.stats.booked} bookings in ${fill.seconds.toFixed(0)} s`);
    await network.pool.query('VACUUM ANALYZE');
    const search = await measurePlanSearch(network, settings, log);
    const endToEnd = search.samples.map((s) => s.endToEndMs);
    log(`search: forPathway p50 ${formatMs(percentile(endToEnd, 50))} ms, p95 ${formatMs(percentile(endToEnd, 95))} ms, p99 ${formatMs(percentile(endToEnd, 99))} ms; pure searchPlans p95 ${formatMs(percentile(search.samples.map((s) => s.pureMs), 95))} ms`);
    const otherLoadFillAndSearch = otherLoad.available ? window() : undefined;
    return { machine, serverSource: network.database.serverSource, seedSeconds: network.seedSeconds, fill, search, otherLoadFillAndSearch, audit: await audit(network, `year at ${Math.round(share(fill.after.bays) * 100)}%`) };
  });

  const runs: ConcurrencyFigures[] = [];
  const audits = [yearNetwork.audit];
  for (const mode of ['race', 'spread'] as const) {
    await withNetwork(settings.scale, async (network, otherLoad) => {
      log(`${mode}: ${settings.workers} schedulers for ${settings.raceSeconds} s`);
      const run = await measureSchedulers(network, mode, settings, otherLoad, log);
      logRun(run);
      runs.push(run);
      audits.push(await audit(network, mode));
    });
  }
  // A copy of the demo network takes about 1,200 planned bookings in its first 300 days.
  const scaleFor = (bookings: number) => Math.max(settings.scale, Math.ceil(bookings / 1200));
  await withNetwork(scaleFor(settings.commandBookings), async (network, otherLoad) => {
    const run = await measureCommandsAlone(network, settings, otherLoad, log);
    logRun(run);
    runs.push(run);
    audits.push(await audit(network, 'hold + confirm alone'));
  });
  for (let index = 1; index <= settings.pacedRuns; index++) {
    await withNetwork(scaleFor(settings.pacedRate * (settings.pacedSeconds + settings.pacedWarmupSeconds)), async (network, otherLoad) => {
      const run = await measurePaced(network, settings, otherLoad, log, { index, of: settings.pacedRuns });
      logRun(run);
      runs.push(run);
      audits.push(await audit(network, `hold + confirm at ${formatRate(settings.pacedRate)}/s${settings.pacedRuns > 1 ? `, run ${index}` : ''}`));
    });
  }

  const section = renderSchedulingSection({
    startedAt,
    totalSeconds: (performance.now() - started) / 1000,
    machine: yearNetwork.machine,
    serverSource: yearNetwork.serverSource,
    settings,
    seedSeconds: yearNetwork.seedSeconds,
    fill: yearNetwork.fill,
    search: yearNetwork.search,
    runs,
    audits,
    otherLoadFillAndSearch: yearNetwork.otherLoadFillAndSearch,
  });
  const file = resolve(settings.reportFile);
  await writeMarkdownSection(file, SECTION_ID, section);
  log(`wrote the "Vein-to-vein scheduling" section of ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
