import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { DEMO_CENTRES } from '@bedside/network';
import { addDays, type LocalDate } from '@bedside/shared';
import { COMMITMENT_READ_MODELS, type BenchNetwork } from './network';
import { BookingStats, dayAfter, schedulerFor, type ProductCode, type ReferralRequest } from './scheduler';
import type { SchedulingBenchSettings } from './settings';

export interface ResourceUse {
  readonly resource: string;
  readonly capacity: number;
  /** Places held or booked. */
  readonly used: number;
}

export interface Utilisation {
  readonly from: LocalDate;
  readonly to: LocalDate;
  /** Bays of cell-therapy units, the only ones a plan can use (fill-finish units and closed days left out). */
  readonly bays: ResourceUse;
  /** The same by unit size: batch-of-one units and the 16-batch Cell Shuttle-class system(s). */
  readonly bayGroups: readonly ResourceUse[];
  /** Every resource kind, for context (ICU beds in shares of a bed: each plan reserves ICU cover, issue 14 §4). */
  readonly resources: readonly ResourceUse[];
}

export const share = (use: ResourceUse) => (use.capacity > 0 ? use.used / use.capacity : Number.NaN);

/** Held and booked places against open capacity, from the read models, over `from`..`to` inclusive. */
export async function utilisation(pool: Pool, from: LocalDate, to: LocalDate): Promise<Utilisation> {
  const bays = await pool.query<{ resource: string; capacity: number; used: number }>(
    `SELECT CASE WHEN u.batch_capacity = 1 THEN 'batch-of-one units' ELSE 'multi-batch units' END AS resource,
            sum(s.capacity)::int AS capacity, sum(coalesce(c.committed, 0) + coalesce(c.tentative, 0))::int AS used
       FROM capacity_slots s JOIN modular_units u ON u.unit_id = s.unit_id AND u.kind = 'CELL_THERAPY'
       LEFT JOIN capacity_commitments c USING (resource_key, day, session)
      WHERE s.resource = 'MANUFACTURING_BAY' AND s.capacity > 0 AND s.day BETWEEN $1 AND $2
      GROUP BY 1 ORDER BY 1`,
    [from, to],
  );
  const resources = await pool.query<{ resource: string; capacity: number; used: number }>(
    `SELECT s.resource, sum(s.capacity)::int AS capacity, sum(coalesce(c.committed, 0) + coalesce(c.tentative, 0))::float8 AS used
       FROM capacity_slots s LEFT JOIN capacity_commitments c USING (resource_key, day, session)
      WHERE s.unit_id IS NULL AND s.capacity > 0 AND s.day BETWEEN $1 AND $2
      GROUP BY 1 ORDER BY 1`,
    [from, to],
  );
  const bayGroups = bays.rows;
  const total = { resource: 'MANUFACTURING_BAY (cell therapy)', capacity: sum(bayGroups.map((g) => g.capacity)), used: sum(bayGroups.map((g) => g.used)) };
  return { from, to, bays: total, bayGroups, resources: [total, ...resources.rows] };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export interface FillResult {
  readonly stats: BookingStats;
  readonly referrals: number;
  readonly seconds: number;
  readonly stoppedBy: 'target' | 'bookings cap' | 'time cap' | 'no room';
  readonly before: Utilisation;
  readonly after: Utilisation;
  readonly byProduct: Readonly<Record<ProductCode, number>>;
}

/** Golden-ratio (Weyl) sequence: every prefix spreads its days evenly over the year, as steady demand would. */
const GOLDEN = (Math.sqrt(5) - 1) / 2;
const spreadDay = (i: number, days: number) => Math.floor(((i * GOLDEN) % 1) * days);

/** The i-th patient of the year's demand: three fresh point-of-care referrals to one cryopreserved, any day of the year. */
function yearOfDemand(network: BenchNetwork, i: number): ReferralRequest {
  return {
    productCode: i % 4 === 3 ? 'CRYO-CAR19' : 'POC-CAR19',
    earliest: dayAfter(network, spreadDay(i, 365)),
    treatmentCentre: DEMO_CENTRES[i % DEMO_CENTRES.length]!.code,
  };
}

/**
 * Books a year of demand through the ordinary commands until the cell-therapy bays over the next 365
 * days reach the target utilisation, or a cap is hit. Referrals arrive spread over the year (not all
 * wanting next week), so the load ends up spread as it would be on a network running at that level.
 */
export async function fillYear(network: BenchNetwork, settings: SchedulingBenchSettings, log: (line: string) => void): Promise<FillResult> {
  const from = dayAfter(network, 1);
  const to = addDays(from, 364);
  const before = await utilisation(network.pool, from, to);
  const stats = new BookingStats();
  const byProduct: Record<ProductCode, number> = { 'POC-CAR19': 0, 'CRYO-CAR19': 0 };
  const started = performance.now();
  let next = 0;
  let stoppedBy: FillResult['stoppedBy'] | undefined;
  let noPlanRun = 0;
  let checking: Promise<void> | undefined;
  let lastChecked = 0;
  let current = before;

  const check = async () => {
    await network.caughtUp(COMMITMENT_READ_MODELS);
    current = await utilisation(network.pool, from, to);
    const seconds = (performance.now() - started) / 1000;
    log(`fill: ${stats.booked} bookings (${(stats.booked / seconds).toFixed(1)}/s), bay utilisation ${(share(current.bays) * 100).toFixed(1)}% of ${current.bays.capacity} bay-days; ${stats.noPlan} without a plan, ${stats.slotTaken} SLOT_TAKEN`);
    if (share(current.bays) >= settings.targetUtilisation) stoppedBy ??= 'target';
  };
  const worker = async (w: number) => {
    const scheduler = schedulerFor(network, `fill-${w}`, stats, settings);
    while (!stoppedBy) {
      if (stats.booked >= settings.fillMaxBookings) stoppedBy = 'bookings cap';
      else if ((performance.now() - started) / 1000 >= settings.fillMaxSeconds) stoppedBy = 'time cap';
      // Many referrals in a row with no plan: what is left is fragments no plan fits.
      else if (noPlanRun >= 100) stoppedBy = 'no room';
      if (stoppedBy) break;
      const request = yearOfDemand(network, next++);
      const outcome = await scheduler.referAndBook(request);
      noPlanRun = outcome.kind === 'no-plan' ? noPlanRun + 1 : 0;
      if (outcome.kind === 'booked') byProduct[request.productCode]++;
      // Bay-days booked so far, as the plans said: a little over the truth (some fall after the year), so checks come early.
      const estimate = (before.bays.used + stats.bayDays['POC-CAR19'] + stats.bayDays['CRYO-CAR19']) / before.bays.capacity;
      if (stats.booked - lastChecked >= (estimate < settings.targetUtilisation - 0.05 ? 50 : 5)) {
        lastChecked = stats.booked;
        checking ??= check().finally(() => (checking = undefined));
        await checking;
      }
    }
  };
  await Promise.all(Array.from({ length: settings.fillWorkers }, (_, w) => worker(w)));
  await checking;
  await check();
  return { stats, referrals: next, seconds: (performance.now() - started) / 1000, stoppedBy: stoppedBy ?? 'target', before, after: current, byProduct };
}
