import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { DEMO_CENTRES } from '@bedside/network';
import type { VeinToVeinPlan } from '@bedside/pathways';
import { addDays } from '@bedside/shared';
import type { ForeignLoadMonitor } from '../support/foreign-load';
import { runClosedLoop } from '../support/measure';
import type { BenchNetwork } from './network';
import { BookingStats, dayAfter, Scheduler, type ReferralRequest } from './scheduler';
import { PlanOptions } from '../../libs/pathways/src/application/plan-options';
import { InMemoryPlanner } from './in-memory-planner';
import type { SchedulingBenchSettings } from './settings';

export type ConcurrencyMode = 'race' | 'spread' | 'commands';

export interface ConcurrencyFigures {
  readonly mode: ConcurrencyMode;
  readonly workers: number;
  readonly seconds: number;
  readonly stats: BookingStats;
  /** Share of all cores other processes used during the timed run (0..1), when measurable. */
  readonly otherLoad: number | undefined;
  /** Commands mode: how long planning the bookings ahead took (not timed in the run). */
  readonly planAheadSeconds?: number;
}

/** Days between the earliest collection dates of neighbouring schedulers in the spread run. */
const SPREAD_DAYS = 11;

/**
 * Race: every scheduler refers the same kind of patient (fresh product, collection from next week,
 * the same preferred centre), so they compete for the same weeks. Spread: each has its own earliest
 * collection date, SPREAD_DAYS after its neighbour's, and its own preferred centre.
 */
function requestFor(network: BenchNetwork, mode: 'race' | 'spread', worker: number): ReferralRequest {
  if (mode === 'race') return { productCode: 'POC-CAR19', earliest: dayAfter(network, 7), treatmentCentre: DEMO_CENTRES[0]!.code };
  return { productCode: 'POC-CAR19', earliest: dayAfter(network, 7 + worker * SPREAD_DAYS), treatmentCentre: DEMO_CENTRES[worker % DEMO_CENTRES.length]!.code };
}

/** `workers` schedulers, each in a loop: refer, search, hold the best plan, confirm; search again on SLOT_TAKEN. */
export async function measureSchedulers(
  network: BenchNetwork,
  mode: 'race' | 'spread',
  settings: SchedulingBenchSettings,
  otherLoad: ForeignLoadMonitor,
  log: (line: string) => void,
): Promise<ConcurrencyFigures> {
  const stats = new BookingStats();
  const schedulers = Array.from({ length: settings.workers }, (_, w) => new Scheduler(network, `${mode}-${w}`, stats, { horizonDays: settings.horizonDays, maxAttempts: settings.retries + 1 }));
  const progress = setInterval(() => log(`${mode}: ${stats.booked} booked, ${stats.slotTaken} SLOT_TAKEN, ${stats.conflicts} CONFLICT, ${stats.gaveUp} gave up, ${stats.noPlan} without a plan`), 5000);
  const window = otherLoad.window();
  try {
    const result = await runClosedLoop(settings.workers, settings.raceSeconds, async (w) => {
      await schedulers[w]!.referAndBook(requestFor(network, mode, w));
    });
    return { mode, workers: settings.workers, seconds: result.seconds, stats, otherLoad: otherLoad.available ? window() : undefined };
  } finally {
    clearInterval(progress);
  }
}

/**
 * Hold and confirm alone: `settings.commandBookings` plans are worked out ahead on an in-memory copy of
 * live capacity (so no two share a full slot) for patients referred beforehand; then `workers`
 * schedulers hold and confirm them as fast as they can. No search, no read-model waits and no places
 * lost to another scheduler in the timed part (appends racing on a shared slot stream still retry,
 * counted as CONFLICT when the command's own retries run out): the booking commands' ceiling here.
 */
export async function measureCommandsAlone(
  network: BenchNetwork,
  settings: SchedulingBenchSettings,
  otherLoad: ForeignLoadMonitor,
  log: (line: string) => void,
): Promise<ConcurrencyFigures> {
  const stats = new BookingStats();
  const planAheadStarted = performance.now();
  const planner = await InMemoryPlanner.load(network.app.get(PlanOptions), network.app.get(DataSource), 'POC-CAR19', network.today, addDays(network.today, 399));
  const referrer = new Scheduler(network, 'commands-referrer', new BookingStats(), { horizonDays: settings.horizonDays, maxAttempts: 1 });
  const queue: { coi: string; plan: VeinToVeinPlan }[] = [];
  // Collection dates move on about as fast as the network absorbs patients, so each search stays short.
  for (let day = 0; queue.length < settings.commandBookings && day < 300; ) {
    const earliest = dayAfter(network, day);
    const plan = planner.next(earliest, 60);
    if (!plan) {
      day++;
      continue;
    }
    queue.push({ coi: await referrer.refer({ productCode: 'POC-CAR19', earliest }, false), plan });
    if (queue.length % 4 === 0) day++;
  }
  const planAheadSeconds = (performance.now() - planAheadStarted) / 1000;
  log(`commands: ${queue.length} patients referred and their plans worked out ahead in ${planAheadSeconds.toFixed(1)} s; holding and confirming them`);

  const schedulers = Array.from({ length: settings.workers }, (_, w) => new Scheduler(network, `commands-${w}`, stats, { horizonDays: settings.horizonDays, maxAttempts: settings.retries + 1 }));
  const order = interleave(queue, settings.workers);
  const window = otherLoad.window();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    schedulers.map(async (scheduler) => {
      for (let item = order[next++]; item; item = order[next++]) {
        // The plan still fits after a CONFLICT (appends racing on a shared slot stream): hold it again.
        for (let attempt = 1; attempt <= settings.retries + 1; attempt++) if (await scheduler.tryToBook(item.coi, 'POC-CAR19', item.plan, attempt)) break;
      }
    }),
  );
  return { mode: 'commands', workers: settings.workers, seconds: (performance.now() - started) / 1000, stats, otherLoad: otherLoad.available ? window() : undefined, planAheadSeconds };
}

/**
 * Plans in an order that keeps the ones in flight together far apart in time: consecutive plans share
 * bed-days and chair sessions (one slot stream each), and appends racing on one stream retry.
 */
function interleave<T>(items: readonly T[], lanes: number): T[] {
  const stride = Math.ceil(items.length / lanes);
  const order: T[] = [];
  for (let k = 0; k < stride; k++) {
    for (let lane = 0; lane < lanes; lane++) {
      const item = items[lane * stride + k];
      if (item !== undefined) order.push(item);
    }
  }
  return order;
}
