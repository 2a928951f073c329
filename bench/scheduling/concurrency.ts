import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { DEMO_CENTRES, demoHomeDistrict } from '@bedside/network';
import type { VeinToVeinPlan } from '@bedside/pathways';
import { addDays } from '@bedside/shared';
import type { ForeignLoadMonitor } from '../support/foreign-load';
import { runClosedLoop } from '../support/measure';
import type { BenchNetwork } from './network';
import { BookingStats, dayAfter, Scheduler, schedulerFor, type ReferralRequest } from './scheduler';
import { PlanOptions } from '../../libs/pathways/src/application/plan-options';
import { InMemoryPlanner } from './in-memory-planner';
import type { SchedulingBenchSettings } from './settings';

export type ConcurrencyMode = 'race' | 'spread' | 'commands' | 'paced';

export interface ConcurrencyFigures {
  readonly mode: ConcurrencyMode;
  readonly workers: number;
  readonly seconds: number;
  readonly stats: BookingStats;
  /** Share of all cores other processes used during the timed run (0..1), when measurable. */
  readonly otherLoad: number | undefined;
  /** Commands and paced modes: how long planning the bookings ahead took (not timed in the run). */
  readonly planAheadSeconds?: number;
  /** Paced mode: the bookings per second offered (arrivals on a fixed schedule). */
  readonly offeredRate?: number;
  /** Paced mode: which of the repeated steady-rate runs this is. */
  readonly repeat?: { readonly index: number; readonly of: number };
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
  const schedulers = Array.from({ length: settings.workers }, (_, w) => schedulerFor(network, `${mode}-${w}`, stats, settings));
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

/** Patients referred beforehand with plans worked out on an in-memory copy of live capacity, so no two want the same last place. */
interface PlannedBooking {
  readonly coi: string;
  readonly plan: VeinToVeinPlan;
}

async function planAhead(network: BenchNetwork, settings: SchedulingBenchSettings, bookings: number, log: (line: string) => void, mode: string): Promise<{ queue: PlannedBooking[]; seconds: number }> {
  const started = performance.now();
  const planner = await InMemoryPlanner.load(network.app.get(PlanOptions), network.app.get(DataSource), 'POC-CAR19', network.today, addDays(network.today, 399));
  const referrer = new Scheduler(network, `${mode}-referrer`, new BookingStats(), { horizonDays: settings.horizonDays, maxAttempts: 1 });
  const queue: PlannedBooking[] = [];
  // Collection dates move on about as fast as the network absorbs patients (four a day per copy of
  // the demo network), so each search stays short.
  const perDay = 4 * network.scale;
  for (let day = 0; queue.length < bookings && day < 300; ) {
    const earliest = dayAfter(network, day);
    const plan = planner.next(earliest, 60);
    if (!plan) {
      day++;
      continue;
    }
    // The patient lives near the centre the plan treats at, so the hold's judge finds it within reach (R9).
    queue.push({ coi: await referrer.refer({ productCode: 'POC-CAR19', earliest, homeDistrict: demoHomeDistrict(plan.treatmentCentre) }, false), plan });
    if (queue.length % perDay === 0) day++;
    if (queue.length % 500 === 0) log(`${mode}: ${queue.length} of ${bookings} patients referred and planned`);
  }
  const seconds = (performance.now() - started) / 1000;
  log(`${mode}: ${queue.length} patients referred and their plans worked out ahead in ${seconds.toFixed(1)} s; holding and confirming them`);
  return { queue, seconds };
}

/** Holds and confirms one planned booking, holding again after a CONFLICT (appends racing on a shared slot stream): the plan still fits. */
async function book(scheduler: Scheduler, item: PlannedBooking, settings: SchedulingBenchSettings): Promise<boolean> {
  for (let attempt = 1; attempt <= settings.retries + 1; attempt++) if (await scheduler.tryToBook(item.coi, 'POC-CAR19', item.plan, attempt)) return true;
  return false;
}

/**
 * Hold and confirm alone: `settings.commandBookings` plans are worked out ahead for patients referred
 * beforehand; then `workers` schedulers hold and confirm them as fast as they can. No search, no
 * read-model waits and no places lost to another scheduler in the timed part (appends racing on a
 * shared slot stream still retry, counted as CONFLICT when the command's own retries run out): the
 * booking commands' ceiling here. In a closed loop every scheduler is always waiting on one booking,
 * so latency is schedulers / throughput (Little's law), whatever the commands cost.
 */
export async function measureCommandsAlone(
  network: BenchNetwork,
  settings: SchedulingBenchSettings,
  otherLoad: ForeignLoadMonitor,
  log: (line: string) => void,
): Promise<ConcurrencyFigures> {
  const stats = new BookingStats();
  const { queue, seconds: planAheadSeconds } = await planAhead(network, settings, settings.commandBookings, log, 'commands');
  const schedulers = Array.from({ length: settings.workers }, (_, w) => schedulerFor(network, `commands-${w}`, stats, settings));
  const order = interleave(queue, settings.workers);
  const window = otherLoad.window();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    schedulers.map(async (scheduler) => {
      for (let item = order[next++]; item; item = order[next++]) await book(scheduler, item, settings);
    }),
  );
  return { mode: 'commands', workers: settings.workers, seconds: (performance.now() - started) / 1000, stats, otherLoad: otherLoad.available ? window() : undefined, planAheadSeconds };
}

/**
 * Hold and confirm at a steady rate: bookings arrive on a fixed schedule (`settings.pacedRate` a
 * second) and the first of `workers` schedulers free takes the next one. Latency runs from a
 * booking's arrival, not from when a scheduler got to it, so time spent waiting for a free scheduler
 * counts (no coordinated omission): what "N bookings/s with p99 under X" means. The schedule's first
 * `settings.pacedWarmupSeconds` are booked the same way but not counted: the pools open their
 * connections (each a login) and prepare their statements then, as a server does once after it starts.
 */
export async function measurePaced(
  network: BenchNetwork,
  settings: SchedulingBenchSettings,
  otherLoad: ForeignLoadMonitor,
  log: (line: string) => void,
  repeat = { index: 1, of: 1 },
): Promise<ConcurrencyFigures> {
  const stats = new BookingStats();
  const warmup = Math.round(settings.pacedRate * settings.pacedWarmupSeconds);
  const bookings = warmup + Math.round(settings.pacedRate * settings.pacedSeconds);
  const { queue, seconds: planAheadSeconds } = await planAhead(network, settings, bookings, log, 'paced');
  const warmupStats = new BookingStats();
  const lanes = Array.from({ length: settings.workers }, (_, w) => ({
    warming: schedulerFor(network, `paced-warmup-${w}`, warmupStats, settings),
    timed: schedulerFor(network, `paced-timed-${w}`, stats, settings),
  }));
  const order = interleave(queue, settings.workers);
  const intervalMs = 1000 / settings.pacedRate;
  const started = performance.now();
  const timedFrom = started + warmup * intervalMs;
  let window: (() => number) | undefined;
  let next = 0;
  await Promise.all(
    lanes.map(async (lane) => {
      for (let index = next++; index < order.length; index = next++) {
        const arrival = started + index * intervalMs;
        const early = arrival - performance.now();
        if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
        if (index < warmup) {
          await book(lane.warming, order[index]!, settings);
          continue;
        }
        window ??= otherLoad.window();
        if (await book(lane.timed, order[index]!, settings)) stats.fromArrivalMs.push(performance.now() - arrival);
      }
    }),
  );
  if (warmupStats.booked < warmup) log(`paced: warm-up booked ${warmupStats.booked} of ${warmup}`);
  return {
    mode: 'paced',
    workers: settings.workers,
    seconds: (performance.now() - timedFrom) / 1000,
    stats,
    otherLoad: otherLoad.available && window ? window() : undefined,
    planAheadSeconds,
    offeredRate: settings.pacedRate,
    repeat,
  };
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
