import { performance } from 'node:perf_hooks';
import { DEMO_CENTRES } from '@bedside/network';
import { slotsOfResourceDays, type FreeSlot } from '@bedside/capacity';
import { searchPlans, type PlanSearchInput } from '@bedside/pathways';
import { PlanOptions } from '../../libs/pathways/src/application/plan-options';
import { PATHWAY_READ_MODELS, type BenchNetwork } from './network';
import { BookingStats, dayAfter, Scheduler, type ProductCode, type ReferralRequest } from './scheduler';
import type { SchedulingBenchSettings } from './settings';

/** Washout intervals a new referral comes with (docs/domain.md step 2): none, corticosteroid, anti-CD20, chemotherapy, immunotherapy. */
const WASHOUT_DAYS = [0, 3, 7, 14, 42] as const;

export interface SearchSample {
  readonly productCode: ProductCode;
  /** PlanOptions.forPathway, end to end: its SQL reads and the search. */
  readonly endToEndMs: number;
  /** Its reads alone (PlanOptions.inputForPathway). */
  readonly readsMs: number;
  /** searchPlans alone on those inputs. */
  readonly pureMs: number;
  readonly freeSlots: number;
  readonly plans: number;
  /** searchPlans on those inputs returned exactly what forPathway did (a second read of a network nothing changed). */
  readonly identical: boolean;
}

export interface SearchFigures {
  readonly samples: readonly SearchSample[];
  readonly referSeconds: number;
  readonly horizonDays: number;
}

/** The slots a search input lists, whether as a list or grouped by resource and day (as PlanOptions.inputForPathway hands them). */
export const slotsOf = (input: PlanSearchInput): readonly FreeSlot[] => (input.freeByResource ? slotsOfResourceDays(input.freeByResource) : input.free);

/** New referrals as they arrive on the filled network: both products, the usual washouts, every centre preferred in turn. */
function newReferral(network: BenchNetwork, i: number): ReferralRequest {
  return {
    productCode: i % 4 === 3 ? 'CRYO-CAR19' : 'POC-CAR19',
    earliest: dayAfter(network, WASHOUT_DAYS[i % WASHOUT_DAYS.length]!),
    treatmentCentre: DEMO_CENTRES[(i * 3) % DEMO_CENTRES.length]!.code,
  };
}

/**
 * Times the plan search for `settings.searches` referrals, one at a time on an otherwise idle
 * process: PlanOptions.forPathway end to end, then its reads and the pure searchPlans apart.
 * Nothing is booked, so every search sees the same network.
 */
export async function measurePlanSearch(network: BenchNetwork, settings: SchedulingBenchSettings, log: (line: string) => void): Promise<SearchFigures> {
  const scheduler = new Scheduler(network, 'search', new BookingStats(), { horizonDays: settings.horizonDays, maxAttempts: 1 });
  const referStarted = performance.now();
  const referrals: { coi: string; productCode: ProductCode }[] = [];
  for (let i = 0; i < settings.searches; i++) {
    const request = newReferral(network, i);
    referrals.push({ coi: await scheduler.refer(request, false), productCode: request.productCode });
  }
  await network.caughtUp(PATHWAY_READ_MODELS);
  const referSeconds = (performance.now() - referStarted) / 1000;
  log(`search: ${referrals.length} referrals made in ${referSeconds.toFixed(1)} s; timing the plan search for each`);

  const planOptions = network.app.get(PlanOptions);
  const options = { count: 3, horizonDays: settings.horizonDays };
  // Warm-up: the first calls compile the search and fill the server's caches.
  for (const { coi } of referrals.slice(0, 3)) await planOptions.forPathway(coi, options);

  const samples: SearchSample[] = [];
  for (const { coi, productCode } of referrals) {
    const t0 = performance.now();
    const result = await planOptions.forPathway(coi, options);
    const t1 = performance.now();
    const input = await planOptions.inputForPathway(coi, options);
    const t2 = performance.now();
    const pure = searchPlans(input);
    const t3 = performance.now();
    samples.push({
      productCode,
      endToEndMs: t1 - t0,
      readsMs: t2 - t1,
      pureMs: t3 - t2,
      freeSlots: slotsOf(input).length,
      plans: result.plans.length,
      identical: JSON.stringify(pure) === JSON.stringify(result),
    });
    if (samples.length % 50 === 0) log(`search: ${samples.length}/${referrals.length} timed`);
  }
  return { samples, referSeconds, horizonDays: settings.horizonDays };
}
