import { cumulativeDemand, moveDays, weightOf, type SurgeInstance } from './surge-instance';
import { evaluateSurgePlan, timelineOf, type SurgePlan } from './surge-plan';

/**
 * The two plans every optimised plan is compared with (issue 13 §3), so a result says how much better it
 * is than what a planner would do without it. Both send each unit once, on day 0, and leave it there.
 */

/** Each unit's one region, as a plan: it moves there on day 0 if it is not there already, then fills. */
function settled(instance: SurgeInstance, regionOf: ReadonlyMap<string, number>): SurgePlan {
  return { timelines: instance.units.map((u) => timelineOf(instance, u.unitId, u.region, () => regionOf.get(u.unitId)!)) };
}

/**
 * A static allocation proportional to demand: each region gets units in proportion to the weighted doses
 * it wants over the horizon (largest remainders), and units already standing in a region stay there first,
 * then the rest go where it is quickest to get to.
 */
export function proportionalBaseline(instance: SurgeInstance): SurgePlan {
  const wanted = cumulativeDemand(instance).map((row, r) => row.at(-1)! * weightOf(instance, instance.regions[r]!));
  const total = wanted.reduce((a, b) => a + b, 0);
  const n = instance.units.length;
  const exact = wanted.map((w) => (total > 0 ? (w / total) * n : n / instance.regions.length));
  const seats = exact.map(Math.floor);
  const byRemainder = exact.map((e, r) => [e - Math.floor(e), r] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; seats.reduce((a, b) => a + b, 0) < n; i++) seats[byRemainder[i % byRemainder.length]![1]]! += 1;
  const regionOf = new Map<string, number>();
  for (const u of instance.units) {
    const home = instance.regions.indexOf(u.region);
    if (seats[home]! > 0) {
      seats[home]! -= 1;
      regionOf.set(u.unitId, home);
    }
  }
  for (const u of instance.units.filter((unit) => !regionOf.has(unit.unitId))) {
    const home = instance.regions.indexOf(u.region);
    const open = seats.flatMap((s, r) => (s > 0 ? [r] : []));
    const nearest = open.sort((a, b) => moveDays(instance, home, a) - moveDays(instance, home, b) || a - b)[0]!;
    seats[nearest]! -= 1;
    regionOf.set(u.unitId, nearest);
  }
  return settled(instance, regionOf);
}

/**
 * Greedy by largest unmet weighted demand: unit by unit, each goes to the region where, with the units
 * already placed, it takes the most weighted dose-days of waiting away (its move's lost days counted).
 */
export function greedyBaseline(instance: SurgeInstance): SurgePlan {
  const regionOf = new Map<string, number>();
  for (const u of instance.units) {
    let best = { region: instance.regions.indexOf(u.region), unmet: Number.POSITIVE_INFINITY };
    for (let r = 0; r < instance.regions.length; r++) {
      regionOf.set(u.unitId, r);
      const placed = { ...instance, units: instance.units.filter((unit) => regionOf.has(unit.unitId)) };
      const unmet = evaluateSurgePlan(placed, settled(placed, regionOf)).weightedUnmetDoseDays;
      if (unmet < best.unmet) best = { region: r, unmet };
    }
    regionOf.set(u.unitId, best.region);
  }
  return settled(instance, regionOf);
}
