import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { searchPlans, type FreeSlot, type PlanSearchInput, type SlotRef, type VeinToVeinPlan } from '@bedside/pathways/domain';
import { addDays, daysBetween, type LocalDate } from '@bedside/shared';

/**
 * The CAR-T capacity what-if (issue 13 §4): a stream of referrals replayed through the real plan search
 * (searchPlans, the function schedulers book with) on a simulated clock, against a copy of the network's
 * capacity. Each referral is planned on the day it arrives, on what earlier ones left free, and its slots
 * are taken as a booking takes them. Patients lost after collection (attrition) give back their
 * conditioning, infusion and monitoring places on their collection day; a failed batch gives back the
 * same when its manufacture ends, and the patient is collected again from that day. A referral with no
 * plan within the horizon waits, and is planned again a week later.
 */
export interface WhatIfNetwork {
  /** The process, designated units, treatment centres and travel: a plan search's input without its capacity and request. */
  readonly search: Omit<PlanSearchInput, 'earliestCollectionDate' | 'free' | 'freeByResource' | 'horizonDays' | 'count' | 'preferredCentre' | 'clinicalDeadline' | 'kept' | 'patientAvailableFrom'>;
  /** The copy's capacity: every slot with what is free on it. */
  readonly slots: readonly FreeSlot[];
}

export interface WhatIfReferral {
  readonly id: string;
  /** The day the patient is referred and may first be collected. */
  readonly day: LocalDate;
  readonly preferredCentre: string | null;
}

export interface WhatIfParameters {
  /** Share of collected patients never infused (9% to 30% in practice), 0 to 1. */
  readonly attrition: number;
  /** Share of batches that fail (1% to 8%), 0 to 1. */
  readonly batchFailure: number;
  /** A plan must infuse within this many days of the day it is searched from. */
  readonly horizonDays: number;
  /** Makes the run repeatable: the same seed, the same patients lost and batches failed. */
  readonly seed: number;
  /** The last day simulated; referrals waiting then are still waiting. */
  readonly until: LocalDate;
}

export interface WhatIfOutcome {
  readonly referred: number;
  readonly infused: number;
  readonly lostAfterCollection: number;
  readonly failedBatches: number;
  /** Referred and never collected by `until` (waiting, or planned for later). */
  readonly stillWaiting: number;
  /** Infusion day minus first collection day, per infused patient. */
  readonly veinToVeinDays: readonly number[];
  /** Infusion day minus referral day, per infused patient. */
  readonly referralToInfusionDays: readonly number[];
  /** Days from the day a patient could first be collected to the day their manufacture starts, per batch started. */
  readonly waitForManufactureDays: readonly number[];
  /** Patients referred and not yet collected at the end of each week from the first referral. */
  readonly waitlistByWeek: readonly number[];
  /** Booked share of each resource over the days simulated. */
  readonly utilisation: readonly { readonly resourceKey: string; readonly siteCode: string; readonly unitId: string | null; readonly resource: string; readonly booked: number; readonly capacity: number }[];
  /** What limited the plans most often, and the busiest resource, in words. */
  readonly bottleneck: string;
}

const TREATMENT = new Set(['CONDITIONING_CHAIR', 'INFUSION_BED', 'MONITORING_BED', 'ICU_BED']);
const slotKey = (s: SlotRef) => `${s.resourceKey}\n${s.day}\n${s.session}`;
const RETRY_DAYS = 7;

interface Pending {
  readonly referral: WhatIfReferral;
  /** The day it is (next) planned from. */
  readonly from: LocalDate;
  readonly firstCollection: LocalDate | null;
}

export function simulateWhatIf(network: WhatIfNetwork, referrals: readonly WhatIfReferral[], params: WhatIfParameters): WhatIfOutcome {
  const slots = [...network.slots].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const capacity = new Map(slots.map((s) => [slotKey(s), s.free]));
  const remaining = new Map(capacity);
  const dayIndex = (day: LocalDate) => {
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (slots[mid]!.day < day) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const rng = xoroshiro128plus(params.seed);
  const chance = (share: number) => share > 0 && unsafeUniformIntDistribution(0, 999_999, rng) < share * 1_000_000;
  const take = (slot: SlotRef, n: number) => remaining.set(slotKey(slot), (remaining.get(slotKey(slot)) ?? 0) - n);

  // Days on which places come back (attrition, failed batches), and referrals to plan, by day.
  const givebacks = new Map<LocalDate, SlotRef[][]>();
  const queue: Pending[] = referrals.map((referral) => ({ referral, from: referral.day, firstCollection: null })).sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const collectedOn = new Map<string, LocalDate>();
  const outcome = { infused: 0, lost: 0, failed: 0, vtv: [] as number[], r2i: [] as number[], waits: [] as number[] };
  const limits = new Map<string, number>();
  let released = '';

  const giveBackUpTo = (day: LocalDate) => {
    for (const [on, lists] of [...givebacks].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (on > day) break;
      for (const list of lists) for (const slot of list) take(slot, -1);
      givebacks.delete(on);
      released = on;
    }
  };
  const later = (on: LocalDate, list: SlotRef[]) => givebacks.set(on, [...(givebacks.get(on) ?? []), list]);

  while (queue.length > 0) {
    const next = queue.shift()!;
    if (next.from > params.until) {
      continue;
    }
    if (next.from > released) giveBackUpTo(next.from);
    const plan = planFrom(network, slots, dayIndex, remaining, next, params.horizonDays);
    if (!plan) {
      insert(queue, { ...next, from: addDays(next.from, RETRY_DAYS) });
      continue;
    }
    for (const slot of plan.slots) take(slot, 1);
    const limit = limitKind(plan.limitedBy);
    limits.set(limit, (limits.get(limit) ?? 0) + 1);
    const collected = plan.collectionDays[0]!;
    if (!collectedOn.has(next.referral.id)) collectedOn.set(next.referral.id, collected);
    outcome.waits.push(daysBetween(next.from, plan.manufactureStartDay));
    const treatment = plan.slots.filter((s) => TREATMENT.has(resourceOf(s)));
    if (chance(params.batchFailure)) {
      outcome.failed += 1;
      // The batch fails when manufacture ends: its treatment places come back and the patient is collected again.
      const failsOn = plan.productReadyDay;
      later(failsOn, treatment);
      insert(queue, { ...next, from: failsOn });
      continue;
    }
    if (chance(params.attrition)) {
      outcome.lost += 1;
      later(collected, treatment);
      continue;
    }
    outcome.infused += 1;
    outcome.vtv.push(plan.veinToVeinDays);
    outcome.r2i.push(daysBetween(next.referral.day, plan.infusionDay));
  }

  const first = referrals.reduce<LocalDate | null>((min, r) => (min === null || r.day < min ? r.day : min), null);
  const waitlistByWeek: number[] = [];
  if (first) {
    for (let end = addDays(first, 6); end <= params.until; end = addDays(end, 7)) {
      waitlistByWeek.push(referrals.filter((r) => r.day <= end && !((collectedOn.get(r.id) ?? '9999-12-31') <= end)).length);
    }
  }
  const within = slots.filter((s) => s.day >= (first ?? s.day) && s.day <= params.until);
  const byResource = new Map<string, { resourceKey: string; siteCode: string; unitId: string | null; resource: string; booked: number; capacity: number }>();
  for (const s of within) {
    const row = byResource.get(s.resourceKey) ?? { resourceKey: s.resourceKey, siteCode: s.siteCode, unitId: s.unitId, resource: s.resource, booked: 0, capacity: 0 };
    row.capacity += capacity.get(slotKey(s))!;
    row.booked += capacity.get(slotKey(s))! - remaining.get(slotKey(s))!;
    byResource.set(s.resourceKey, row);
  }
  const utilisation = [...byResource.values()].sort((a, b) => (a.resourceKey < b.resourceKey ? -1 : 1));
  return {
    referred: referrals.length,
    infused: outcome.infused,
    lostAfterCollection: outcome.lost,
    failedBatches: outcome.failed,
    stillWaiting: referrals.filter((r) => !collectedOn.has(r.id) || collectedOn.get(r.id)! > params.until).length,
    veinToVeinDays: outcome.vtv,
    referralToInfusionDays: outcome.r2i,
    waitForManufactureDays: outcome.waits,
    waitlistByWeek,
    utilisation,
    bottleneck: bottleneckOf(limits, utilisation),
  };
}

function resourceOf(slot: SlotRef): string {
  return slot.resourceKey.startsWith('unit:') ? 'MANUFACTURING_BAY' : slot.resourceKey.split(':')[2]!;
}

function insert(queue: Pending[], item: Pending): void {
  let i = queue.length;
  while (i > 0 && queue[i - 1]!.from > item.from) i--;
  queue.splice(i, 0, item);
}

function planFrom(network: WhatIfNetwork, slots: readonly FreeSlot[], dayIndex: (day: LocalDate) => number, remaining: ReadonlyMap<string, number>, pending: Pending, horizonDays: number): VeinToVeinPlan | undefined {
  const earliest = pending.from;
  const last = addDays(earliest, horizonDays + network.search.process.monitoringInpatientDays);
  const free: FreeSlot[] = [];
  for (let i = dayIndex(earliest); i < slots.length && slots[i]!.day <= last; i++) {
    const slot = slots[i]!;
    free.push({ ...slot, free: remaining.get(slotKey(slot))! });
  }
  const input: PlanSearchInput = { ...network.search, earliestCollectionDate: earliest, preferredCentre: pending.referral.preferredCentre, horizonDays, count: 1, free };
  return searchPlans(input).plans[0];
}

/**
 * What limited a plan, without its days (plan-search.ts `limitedBy` words): "unit U1 busy on …" and
 * "unit U2 busy on …" are both manufacturing bays; a plan from the referral day itself was not limited.
 */
export function limitKind(limitedBy: string): string {
  const head = limitedBy.split(/:| on | \(|;/)[0]!.trim();
  if (head === 'washout') return 'nothing (planned from the day of referral)';
  if (/^unit \S+ busy$/.test(head)) return 'manufacturing bays';
  const full = /^(.+) at \S+ full$/.exec(head);
  return full ? full[1]! : head;
}

function bottleneckOf(limits: ReadonlyMap<string, number>, utilisation: WhatIfOutcome['utilisation']): string {
  const plans = [...limits.values()].reduce((a, b) => a + b, 0);
  const [reason, count] = [...limits].sort((a, b) => b[1] - a[1])[0] ?? ['nothing', 0];
  const busiest = utilisation.filter((u) => u.capacity > 0).sort((a, b) => b.booked / b.capacity - a.booked / a.capacity)[0];
  const share = (n: number, of: number) => `${Math.round((100 * n) / Math.max(1, of))}%`;
  const limited = plans > 0 ? `${share(count, plans)} of plans were limited by ${reason}` : 'No plan was made';
  return busiest ? `${limited}; the busiest resource was ${busiest.unitId ? `unit ${busiest.unitId}` : `${busiest.resource.toLowerCase().replace(/_/g, ' ')}s at ${busiest.siteCode}`}, ${share(busiest.booked, busiest.capacity)} booked.` : `${limited}.`;
}
