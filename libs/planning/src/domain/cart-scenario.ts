import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import type { FreeSlot } from '@bedside/pathways/domain';
import { addDays, ValidationError, type LocalDate } from '@bedside/shared';
import type { ProductSearch, WhatIfNetwork, WhatIfReferral } from './cart-what-if';
import type { ScenarioAssumptions } from './scenario';

/** The live network's copy a CAR-T what-if starts from: each product's search and usable slots, and where centres are. */
export interface CarTCopy {
  readonly products: ReadonlyMap<string, { readonly search: ProductSearch; readonly slots: readonly FreeSlot[] }>;
  /** Treatment centres by region (a referral goes to one of its region's). */
  readonly centresByRegion: ReadonlyMap<string, readonly string[]>;
}

/**
 * A scenario's CAR-T question (issue 13 §2, §4): the copy changed as the scenario assumes (process
 * changes, units removed, cell-therapy units added at their region's first centre with one batch a day,
 * outages closing a unit's or a site's slots for their days), and its referrals: Poisson arrivals at each
 * region's and product's weekly rate, each to one of the region's centres, drawn from the seed.
 */
/**
 * A CAR-T what-if plans its referrals on a copy of live capacity from the scenario's day (issue 13 §4), so
 * that day cannot have passed: capacity on days gone by is not kept free, and every referral then would
 * wait for the future. A scenario with no CAR-T referrals may start on any day.
 */
export function requireCarTFromToday(assumptions: Pick<ScenarioAssumptions, 'asOf' | 'referralsPerWeek'>, today: LocalDate): void {
  if (assumptions.referralsPerWeek.length === 0 || assumptions.asOf >= today) return;
  throw new ValidationError(
    'asOf',
    `This scenario's CAR-T referrals would be planned on live capacity from ${assumptions.asOf}, which has passed: set asOf to today (${today}) or later, or leave the referrals out to plan vaccine fill-finish from that day.`,
  );
}

export function carTQuestionOf(assumptions: ScenarioAssumptions, copy: CarTCopy, seed: number): { network: WhatIfNetwork; referrals: WhatIfReferral[] } {
  const asOf = assumptions.asOf;
  const removed = new Set(assumptions.unitsRemoved);
  const searches = new Map<string, ProductSearch>();
  const slots = new Map<string, FreeSlot>();
  const added = assumptions.unitsAdded.filter((u) => u.kind === 'CELL_THERAPY').flatMap((u) => {
    const centre = copy.centresByRegion.get(u.region)?.[0];
    return centre ? [{ unitId: u.unitId, siteCode: centre }] : [];
  });
  for (const [productCode, { search, slots: usable }] of copy.products) {
    const change = assumptions.processChanges.find((c) => c.productCode === productCode);
    searches.set(productCode, {
      ...search,
      process: { ...search.process, ...(change?.qcReleaseDays !== undefined && { qcReleaseDays: change.qcReleaseDays }), ...(change?.manufactureDays !== undefined && { manufactureDays: change.manufactureDays }) },
      designatedUnits: [...search.designatedUnits.filter((u) => !removed.has(u.unitId)), ...added],
    });
    for (const slot of usable) if (!(slot.unitId && removed.has(slot.unitId))) slots.set(`${slot.resourceKey}\n${slot.day}\n${slot.session}`, slot);
  }
  // An added unit has a bay every day there are bays (laid out as the copy's own are).
  const bayOn = new Map<string, FreeSlot>();
  for (const slot of slots.values()) if (slot.resource === 'MANUFACTURING_BAY' && !bayOn.has(slot.day)) bayOn.set(slot.day, slot);
  for (const unit of added) {
    for (const [day, bay] of bayOn) slots.set(`unit:${unit.unitId}\n${day}\n`, { ...bay, resourceKey: `unit:${unit.unitId}`, unitId: unit.unitId, siteCode: unit.siteCode, free: 1 });
  }
  for (const outage of assumptions.outages) {
    const from = addDays(asOf, outage.fromDay);
    const to = addDays(asOf, outage.toDay);
    for (const [key, slot] of slots) {
      if (slot.day >= from && slot.day <= to && (slot.unitId === outage.target || slot.siteCode === outage.target)) slots.set(key, { ...slot, free: 0 });
    }
  }
  const rng = xoroshiro128plus(seed);
  const uniform = () => (unsafeUniformIntDistribution(0, 2 ** 30 - 1, rng) + 0.5) / 2 ** 30;
  const referrals: WhatIfReferral[] = [];
  for (let d = 0; d < assumptions.days; d++) {
    const day = addDays(asOf, d) as LocalDate;
    for (const { region, productCode, perWeek } of assumptions.referralsPerWeek) {
      if (!searches.has(productCode)) continue;
      const centres = copy.centresByRegion.get(region) ?? [];
      let count = 0;
      for (let p = uniform(); p > Math.exp(-perWeek / 7); p *= uniform()) count++;
      for (let i = 0; i < count; i++) {
        const centre = centres.length > 0 ? centres[unsafeUniformIntDistribution(0, centres.length - 1, rng)]! : null;
        referrals.push({ id: `W${referrals.length + 1}`, productCode, day, preferredCentre: centre });
      }
    }
  }
  return { network: { searches, slots: [...slots.values()] }, referrals };
}
