import type { DataSource } from 'typeorm';
import { daysBookedAfterInfusion, searchPlans, slotStreamId, type FreeSlot, type SlotRef, type VeinToVeinPlan } from '@bedside/pathways';
import { addDays, type LocalDate } from '@bedside/shared';
import { searchInput, type PlanBasis, type PlanOptions } from '../../libs/pathways/src/application/plan-options';

/**
 * Plans bookings ahead, without booking: each plan's slots are taken off an in-memory copy of live
 * capacity before the next search, so the plans never compete for a place. Used to measure hold and
 * confirm alone, with no search and no lost races in the timed loop.
 */
export class InMemoryPlanner {
  private constructor(
    private readonly basis: PlanBasis,
    private readonly slots: readonly FreeSlot[],
    private readonly remaining: Map<string, number>,
  ) {}

  static async load(planOptions: PlanOptions, dataSource: DataSource, productCode: string, from: LocalDate, to: LocalDate): Promise<InMemoryPlanner> {
    const [{ version }] = await dataSource.query('SELECT max(version) AS version FROM dmmf_versions WHERE product_code = $1', [productCode]);
    const basis = await planOptions.basis(productCode, version);
    const slots = await planOptions.freeSlots(basis, from, to);
    return new InMemoryPlanner(basis, slots, new Map(slots.map((s) => [slotStreamId(s), s.free])));
  }

  /** The best plan from `earliest` on what is still free, its slots taken; undefined when none fits. */
  next(earliest: LocalDate, horizonDays: number): VeinToVeinPlan | undefined {
    const last = addDays(earliest, horizonDays + daysBookedAfterInfusion(this.basis.process));
    const free = this.slots.filter((s) => s.day >= earliest && s.day <= last).map((s) => ({ ...s, free: this.remaining.get(slotStreamId(s))! }));
    const [plan] = searchPlans(searchInput(this.basis, { free }, { earliest, deadline: null, preferredCentre: null, horizonDays, count: 1 }, earliest)).plans;
    if (plan) for (const slot of plan.slots) this.take(slot);
    return plan;
  }

  private take(slot: SlotRef): void {
    const key = slotStreamId(slot);
    this.remaining.set(key, this.remaining.get(key)! - 1);
  }
}
