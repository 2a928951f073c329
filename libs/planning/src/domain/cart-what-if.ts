import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { addPlaces, placesTaken, resourceDaysOf, type ResourceDays } from '@bedside/capacity/domain';
import { daysBookedAfterInfusion, searchPlans, type FreeSlot, type PlanSearchInput, type SlotRef, type VeinToVeinPlan } from '@bedside/pathways/domain';
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
/** A product's process, designated units, treatment centres and travel: a plan search's input without its capacity and request. */
export type ProductSearch = Omit<PlanSearchInput, 'earliestCollectionDate' | 'free' | 'freeByResource' | 'horizonDays' | 'count' | 'preferredCentre' | 'clinicalDeadline' | 'kept' | 'patientAvailableFrom'>;

export interface WhatIfNetwork {
  /** By product code: products share the copy's capacity, each planned with its own process and designation. */
  readonly searches: ReadonlyMap<string, ProductSearch>;
  /** The copy's capacity: every slot with what is free on it. */
  readonly slots: readonly FreeSlot[];
}

export interface WhatIfReferral {
  readonly id: string;
  readonly productCode: string;
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
  /** Neither infused nor lost by `until`: not yet planned, planned to be collected after it, or to be collected again after a failed batch. */
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
  const run = new WhatIfRun(network, referrals, params);
  while (run.step());
  return run.outcome();
}

/**
 * The simulation one referral at a time (`step`), so that a caller can yield between steps and tell its
 * progress; `simulateWhatIf` runs it to the end.
 */
export class WhatIfRun {
  private readonly slots: FreeSlot[];
  /**
   * The copy grouped by resource and day from its first day, as the live search gets capacity
   * (resourceDaysOf): a search takes each resource's days from its own first day without copying a slot,
   * and a booking replaces only the day lists it changes (copy on write), so no search's input changes.
   */
  private readonly byResource: Map<string, ResourceDays & { days: FreeSlot[][] }>;
  private readonly firstDay: LocalDate;
  private readonly capacity: Map<string, number>;
  private readonly remaining: Map<string, number>;
  private readonly rng: ReturnType<typeof xoroshiro128plus>;
  /** Days on which places come back (attrition, failed batches). */
  private readonly givebacks = new Map<LocalDate, SlotRef[][]>();
  private readonly queue: Pending[];
  private readonly collectedOn = new Map<string, LocalDate>();
  /** Referrals infused or lost within the scenario: each is counted in one outcome, once. */
  private readonly ended = new Set<string>();
  private readonly limits = new Map<string, number>();
  private readonly tally = { infused: 0, lost: 0, failed: 0, vtv: [] as number[], r2i: [] as number[], waits: [] as number[] };
  private released = '';
  private planned = 0;

  constructor(
    private readonly network: WhatIfNetwork,
    private readonly referrals: readonly WhatIfReferral[],
    private readonly params: WhatIfParameters,
  ) {
    this.slots = [...network.slots].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    this.firstDay = this.slots[0]?.day ?? params.until;
    this.byResource = new Map(resourceDaysOf(this.slots, this.firstDay).map((r) => [r.resourceKey, { ...r, days: r.days.map((list) => [...list]) }]));
    this.capacity = new Map(this.slots.map((s) => [slotKey(s), s.free]));
    this.remaining = new Map(this.capacity);
    this.rng = xoroshiro128plus(params.seed);
    this.queue = referrals.map((referral) => ({ referral, from: referral.day, firstCollection: null })).sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  }

  /** Searches made so far, and referrals referred: a share done. */
  get progress(): { readonly searches: number; readonly referred: number; readonly day: LocalDate | null } {
    return { searches: this.planned, referred: this.referrals.length, day: this.queue[0]?.from ?? null };
  }

  private chance(share: number): boolean {
    return share > 0 && unsafeUniformIntDistribution(0, 999_999, this.rng) < share * 1_000_000;
  }

  private take(slot: SlotRef, n: number): void {
    this.remaining.set(slotKey(slot), addPlaces(this.remaining.get(slotKey(slot)) ?? 0, -n));
    const resource = this.byResource.get(slot.resourceKey);
    const i = daysBetween(this.firstDay, slot.day);
    const list = resource?.days[i];
    if (!list) return;
    resource.days[i] = list.map((s) => (s.session === slot.session ? { ...s, free: addPlaces(s.free, -n) } : s));
  }

  /** Capacity from `earliest` for `dayCount` days, as the search reads it (day 0 is `earliest`). */
  private freeFrom(earliest: LocalDate, dayCount: number): ResourceDays[] {
    const offset = daysBetween(this.firstDay, earliest);
    const groups: ResourceDays[] = [];
    for (const r of this.byResource.values()) groups.push({ resourceKey: r.resourceKey, siteCode: r.siteCode, unitId: r.unitId, resource: r.resource, days: r.days.slice(Math.max(0, offset), Math.max(0, offset + dayCount)) });
    return groups;
  }

  private giveBackUpTo(day: LocalDate): void {
    for (const [on, lists] of [...this.givebacks].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (on > day) break;
      for (const list of lists) for (const slot of list) this.take(slot, -placesTaken(slot));
      this.givebacks.delete(on);
      this.released = on;
    }
  }

  private later(on: LocalDate, list: SlotRef[]): void {
    this.givebacks.set(on, [...(this.givebacks.get(on) ?? []), list]);
  }

  private planFrom(pending: Pending): VeinToVeinPlan | undefined {
    const search = this.network.searches.get(pending.referral.productCode);
    if (!search) throw new Error(`no process for product ${pending.referral.productCode}`);
    const horizonDays = this.params.horizonDays;
    const freeByResource = this.freeFrom(pending.from, horizonDays + daysBookedAfterInfusion(search.process) + 1);
    const input: PlanSearchInput = { ...search, earliestCollectionDate: pending.from, preferredCentre: pending.referral.preferredCentre, horizonDays, count: 1, free: [], freeByResource };
    return searchPlans(input).plans[0];
  }

  /** Plans the next referral due; false once none is left. */
  step(): boolean {
    const next = this.queue.shift();
    if (!next) return false;
    if (next.from > this.params.until) return this.queue.length > 0;
    if (next.from > this.released) this.giveBackUpTo(next.from);
    this.planned += 1;
    const plan = this.planFrom(next);
    if (!plan) {
      insert(this.queue, { ...next, from: addDays(next.from, RETRY_DAYS) });
      return true;
    }
    for (const slot of plan.slots) this.take(slot, placesTaken(slot));
    const limit = limitKind(plan.limitedBy);
    this.limits.set(limit, (this.limits.get(limit) ?? 0) + 1);
    const collected = plan.collectionDays[0]!;
    if (!this.collectedOn.has(next.referral.id)) this.collectedOn.set(next.referral.id, collected);
    this.tally.waits.push(daysBetween(next.from, plan.manufactureStartDay));
    // Collected after the scenario ends: booked, but still waiting when it ends (neither infused nor lost in it).
    if (collected > this.params.until) return true;
    const treatment = plan.slots.filter((s) => TREATMENT.has(resourceOf(s)));
    if (this.chance(this.params.batchFailure)) {
      this.tally.failed += 1;
      // The batch fails when manufacture ends: its treatment places come back and the patient is collected again.
      this.later(plan.productReadyDay, treatment);
      insert(this.queue, { ...next, from: plan.productReadyDay });
      return true;
    }
    this.ended.add(next.referral.id);
    if (this.chance(this.params.attrition)) {
      this.tally.lost += 1;
      this.later(collected, treatment);
      return true;
    }
    this.tally.infused += 1;
    this.tally.vtv.push(plan.veinToVeinDays);
    this.tally.r2i.push(daysBetween(next.referral.day, plan.infusionDay));
    return true;
  }

  outcome(): WhatIfOutcome {
    const { referrals, params, slots, capacity, remaining, collectedOn } = this;
    const first = referrals.reduce<LocalDate | null>((min, r) => (min === null || r.day < min ? r.day : min), null);
    const waitlistByWeek: number[] = [];
    if (first) {
      for (let end = addDays(first, 6); end <= params.until; end = addDays(end, 7)) {
        waitlistByWeek.push(referrals.filter((r) => r.day <= end && !((collectedOn.get(r.id) ?? '9999-12-31') <= end)).length);
      }
    }
    const byResource = new Map<string, { resourceKey: string; siteCode: string; unitId: string | null; resource: string; booked: number; capacity: number }>();
    for (const s of slots) {
      if (s.day < (first ?? s.day) || s.day > params.until) continue;
      const row = byResource.get(s.resourceKey) ?? { resourceKey: s.resourceKey, siteCode: s.siteCode, unitId: s.unitId, resource: s.resource, booked: 0, capacity: 0 };
      row.capacity += capacity.get(slotKey(s))!;
      row.booked = addPlaces(row.booked, addPlaces(capacity.get(slotKey(s))!, -remaining.get(slotKey(s))!));
      byResource.set(s.resourceKey, row);
    }
    const utilisation = [...byResource.values()].sort((a, b) => (a.resourceKey < b.resourceKey ? -1 : 1));
    return {
      referred: referrals.length,
      infused: this.tally.infused,
      lostAfterCollection: this.tally.lost,
      failedBatches: this.tally.failed,
      // Every referral ends the scenario infused, lost, or waiting: never planned, planned for after it ends, or to be
      // collected again after a failed batch (whose new plan may fall after it ends).
      stillWaiting: referrals.filter((r) => !this.ended.has(r.id)).length,
      veinToVeinDays: this.tally.vtv,
      referralToInfusionDays: this.tally.r2i,
      waitForManufactureDays: this.tally.waits,
      waitlistByWeek,
      utilisation,
      bottleneck: bottleneckOf(this.limits, utilisation),
    };
  }
}

function resourceOf(slot: SlotRef): string {
  return slot.resourceKey.startsWith('unit:') ? 'MANUFACTURING_BAY' : slot.resourceKey.split(':')[2]!;
}

function insert(queue: Pending[], item: Pending): void {
  let i = queue.length;
  while (i > 0 && queue[i - 1]!.from > item.from) i--;
  queue.splice(i, 0, item);
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
