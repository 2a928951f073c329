import { cumulativeDemand, deadlineMisses, moveDays, weightOf, type SurgeInstance } from './surge-instance';

/** A stretch of a unit's days: filling in a region, or moving to one (tear-down, travel, set-up, requalification). */
export interface UnitSegment {
  readonly kind: 'FILLING' | 'MOVING';
  /** Where it fills, or where it is going. */
  readonly region: string;
  /** First day, and the day after the last. */
  readonly from: number;
  readonly to: number;
}

export interface UnitTimeline {
  readonly unitId: string;
  readonly segments: readonly UnitSegment[];
}

/** Where every unit is on every day of the question. */
export interface SurgePlan {
  readonly timelines: readonly UnitTimeline[];
}

/**
 * What one day-by-day choice of region does for a unit: it fills where it stands while the choice is that
 * region, and moves as soon as the choice is another, losing the move's days (tear-down, travel, set-up,
 * requalification) and deaf to choices meanwhile. Baselines, the exhaustive search and the optimiser's
 * decoded counts all become plans through this one walk.
 */
export function timelineOf(instance: SurgeInstance, unitId: string, home: string, wantedRegion: (day: number) => number): UnitTimeline {
  const segments: UnitSegment[] = [];
  const push = (kind: UnitSegment['kind'], region: number, from: number, to: number) => {
    const last = segments.at(-1);
    const name = instance.regions[region]!;
    if (last && last.kind === kind && last.region === name && last.to === from) segments[segments.length - 1] = { ...last, to };
    else segments.push({ kind, region: name, from, to });
  };
  let at = instance.regions.indexOf(home);
  let day = 0;
  while (day < instance.days) {
    const wanted = wantedRegion(day);
    if (wanted === at) {
      push('FILLING', at, day, day + 1);
      day += 1;
    } else {
      const arrives = Math.min(instance.days, day + moveDays(instance, at, wanted));
      push('MOVING', wanted, day, arrives);
      at = wanted;
      day = arrives;
    }
  }
  return { unitId, segments };
}

/**
 * Checks a plan without trusting whoever made it (issue 13 §3): every unit planned once, from day 0 to the
 * last day without gaps or overlaps (one place at a time), starting where it stands, filling only where
 * its last move took it, and never before the move's tear-down, travel, set-up and requalification are over.
 */
export function checkSurgePlan(instance: SurgeInstance, plan: SurgePlan): string[] {
  const problems: string[] = [];
  const planned = new Map(plan.timelines.map((t) => [t.unitId, t]));
  if (planned.size !== plan.timelines.length) problems.push('a unit is planned twice');
  for (const unit of instance.units) {
    const timeline = planned.get(unit.unitId);
    if (!timeline) {
      problems.push(`${unit.unitId} is not planned`);
      continue;
    }
    let at = unit.region;
    let day = 0;
    for (const segment of timeline.segments) {
      const where = `${unit.unitId} on days ${segment.from}-${segment.to - 1}`;
      if (segment.from !== day) problems.push(`${where}: starts on day ${segment.from}, not ${day} (a gap or two places at once)`);
      if (segment.to <= segment.from) problems.push(`${where}: an empty stretch`);
      if (!instance.regions.includes(segment.region)) problems.push(`${where}: ${segment.region} is not a region planned`);
      if (segment.kind === 'FILLING' && segment.region !== at) problems.push(`${where}: fills in ${segment.region} while it stands in ${at}`);
      if (segment.kind === 'MOVING') {
        const needed = moveDays(instance, instance.regions.indexOf(at), instance.regions.indexOf(segment.region));
        if (segment.region === at) problems.push(`${where}: moves to where it already stands`);
        else if (segment.to - segment.from < needed && segment.to < instance.days) problems.push(`${where}: fills in ${segment.region} ${needed - (segment.to - segment.from)} day(s) before set-up and requalification end`);
        at = segment.region;
      }
      day = segment.to;
    }
    if (day !== instance.days) problems.push(`${unit.unitId} is planned to day ${day}, not to the end (day ${instance.days})`);
  }
  for (const unitId of planned.keys()) if (!instance.units.some((u) => u.unitId === unitId)) problems.push(`${unitId} is not one of the units`);
  return problems;
}

/** Units filling in each region on each day, `[region][day]`. */
export function fillingCounts(instance: SurgeInstance, plan: SurgePlan): number[][] {
  const counts = instance.regions.map(() => new Array<number>(instance.days).fill(0));
  for (const { segments } of plan.timelines) {
    for (const s of segments) if (s.kind === 'FILLING') for (let t = s.from; t < s.to; t++) counts[instance.regions.indexOf(s.region)]![t]! += 1;
  }
  return counts;
}

export interface SurgeOutcome {
  /**
   * The objective: every dose wanted and not yet released counted once per day it waits, times its region's
   * weight; a dose not released by its deadline waits on every day to the end.
   */
  readonly weightedUnmetDoseDays: number;
  /** Doses released in each region by the end of each day, `[region][day]`, cumulative. */
  readonly released: number[][];
  /** Doses wanted and not released (or released after their deadline), by region, at the end. */
  readonly unmetAtEnd: number[];
  /** Doses not released by their deadline, by region. */
  readonly missedDeadline: number[];
  /** Share of the days each unit fills, by unit. */
  readonly utilisation: Record<string, number>;
}

/**
 * What a plan delivers: doses filled on day t are released on day t + releaseDays and go to the wants whose
 * deadlines come first (`deadlineMisses`). A day's waiting doses are those wanted and not released, or, if
 * more, those that missed their deadline (which released doses no longer serve).
 */
export function evaluateSurgeCounts(instance: SurgeInstance, filling: readonly (readonly number[])[]): Omit<SurgeOutcome, 'utilisation'> {
  const wanted = cumulativeDemand(instance);
  const released = instance.regions.map((_, r) => {
    const row = new Array<number>(instance.days).fill(0);
    let total = 0;
    for (let t = 0; t < instance.days; t++) {
      const filledOn = t - instance.releaseDays;
      if (filledOn >= 0) total += filling[r]![filledOn]! * instance.dosesPerUnitDay;
      row[t] = total;
    }
    return row;
  });
  const missed = deadlineMisses(instance, released);
  const waiting = (r: number, t: number) => Math.max(missed.byDay[r]![t]!, wanted[r]![t]! - released[r]![t]!, 0);
  let weightedUnmetDoseDays = 0;
  instance.regions.forEach((region, r) => {
    for (let t = 0; t < instance.days; t++) weightedUnmetDoseDays += weightOf(instance, region) * waiting(r, t);
  });
  const unmetAtEnd = instance.regions.map((_, r) => waiting(r, instance.days - 1));
  return { weightedUnmetDoseDays, released, unmetAtEnd, missedDeadline: missed.total };
}

export function evaluateSurgePlan(instance: SurgeInstance, plan: SurgePlan): SurgeOutcome {
  const utilisation = Object.fromEntries(
    plan.timelines.map((t) => [t.unitId, t.segments.filter((s) => s.kind === 'FILLING').reduce((days, s) => days + s.to - s.from, 0) / instance.days]),
  );
  return { ...evaluateSurgeCounts(instance, fillingCounts(instance, plan)), utilisation };
}
