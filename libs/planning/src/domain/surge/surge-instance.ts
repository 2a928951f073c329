import { daysLostMoving, MAX_REQUALIFICATION_DAYS, type FillFinishSpec } from '@bedside/network';
import { ValidationError } from '@bedside/shared';

/**
 * A surge fill-finish question (issue 13 §3; docs/domain.md "Surge"): regional demand for vaccine doses
 * day by day, and mobile fill-finish units that can be sent region to region. Where should each unit
 * fill on each day so that as few weighted doses as possible wait, counted per dose per day?
 *
 * Doses may be wanted by a deadline (the end of a campaign's window, CEPI's 100 Days Mission): doses not
 * released by then are no use and count as waiting on every day to the end, as doses never filled do. So
 * the plan that lets the fewest weighted doses wait is also the one that delivers the most by their deadlines.
 *
 * The units are alike (one fill-finish specification), so a plan can count them per region and day
 * rather than name each one, which keeps the optimiser's model small.
 */
export interface SurgeInstance {
  /** Regions units can serve, by code (e.g. the seven NHS England regions and the devolved nations). */
  readonly regions: readonly string[];
  /** Days planned, from day 0; doses still wanted at the end count as unmet on every day they waited. */
  readonly days: number;
  /** Whole days to travel from one region to another, `travelDays[from][to]` (0 on the diagonal). */
  readonly travelDays: readonly (readonly number[])[];
  /** Days to pack up before leaving a region. */
  readonly teardownDays: number;
  /** Days to set up on arrival. */
  readonly setupDays: number;
  /**
   * Days to requalify after a move before released product flows: media fills, three runs each
   * incubated at least 14 days, about 17 to 21 days for a full requalification; 0 when a move needs none.
   */
  readonly requalificationDays: number;
  /** Days from filling to release (batch release testing): doses filled on day t reach patients on day t + releaseDays. */
  readonly releaseDays: number;
  /** Doses one unit fills in a day (see `dosesPerUnitDay`). */
  readonly dosesPerUnitDay: number;
  /** The units, each with the region it stands in, ready to fill, on day 0. */
  readonly units: readonly { readonly unitId: string; readonly region: string }[];
  /** Doses wanted in a region from a day on, and by a deadline (the last day they are of use) when they have one. */
  readonly demand: readonly SurgeDemand[];
  /** Priority weight of a dose waiting a day in each region (default 1). */
  readonly weights?: Readonly<Record<string, number>>;
}

export interface SurgeDemand {
  readonly region: string;
  readonly day: number;
  readonly doses: number;
  /** The last day (from `day` to the last day planned) by which these doses must be released to be of use. */
  readonly deadline?: number;
}

/**
 * What sets a fill-finish unit's output (docs/domain.md "Surge"): the network's figures for a unit
 * (`FillFinishSpec`, libs/network/src/domain/modular-unit.ts) less its set-up and release days, which a
 * surge question states for itself.
 */
export type FillRate = Pick<FillFinishSpec, 'vialsPerHour' | 'dosesPerVial' | 'shiftsPerDay' | 'hoursPerShift' | 'effectiveOutputFactor'>;

/** Doses a unit fills in a day at its effective rate, whole doses only. */
export const dosesPerUnitDay = (spec: FillRate): number =>
  Math.floor(spec.vialsPerHour * spec.hoursPerShift * spec.shiftsPerDay * spec.dosesPerVial * spec.effectiveOutputFactor);

/**
 * Days a unit is lost moving from one region to another: the network's one rule for a move
 * (libs/network/src/domain/unit-move.ts daysLostMoving), which deployments follow too.
 */
export const moveDays = (instance: SurgeInstance, from: number, to: number): number =>
  from === to
    ? 0
    : daysLostMoving({ tearDownDays: instance.teardownDays, travelDays: instance.travelDays[from]![to]!, setUpDays: instance.setupDays, requalificationDays: instance.requalificationDays });

export const weightOf = (instance: SurgeInstance, region: string): number => instance.weights?.[region] ?? 1;

/** Doses wanted by each region by the end of each day, `[region][day]`, cumulative. */
export function cumulativeDemand(instance: SurgeInstance): number[][] {
  const wanted = instance.regions.map(() => new Array<number>(instance.days).fill(0));
  for (const { region, day, doses } of instance.demand) wanted[instance.regions.indexOf(region)]![day]! += doses;
  for (const row of wanted) for (let t = 1; t < row.length; t++) row[t]! += row[t - 1]!;
  return wanted;
}

/**
 * Doses that missed their deadlines, by region, given the doses released by the end of each day
 * (`released[region][day]`, cumulative). Released doses go to the wants whose deadlines come first (wants
 * without a deadline last): with one weight per region, no other order gets more doses there in time
 * (the doses released by an earlier deadline are among those released by a later one). Returns, per region
 * and day, the doses whose deadline passed before that day unreleased, and the total per region.
 */
export function deadlineMisses(instance: SurgeInstance, released: readonly (readonly number[])[]): { byDay: number[][]; total: number[] } {
  const byDay = instance.regions.map(() => new Array<number>(instance.days).fill(0));
  const total = instance.regions.map(() => 0);
  const due = instance.demand.filter((d) => d.deadline !== undefined && d.doses > 0).sort((a, b) => a.deadline! - b.deadline! || a.day - b.day);
  const used = instance.regions.map(() => 0);
  for (const { region, doses, deadline } of due) {
    const r = instance.regions.indexOf(region);
    const delivered = Math.min(doses, Math.max(0, released[r]![deadline!]! - used[r]!));
    used[r]! += delivered;
    const missed = doses - delivered;
    total[r]! += missed;
    for (let t = deadline! + 1; t < instance.days; t++) byDay[r]![t]! += missed;
  }
  return { byDay, total };
}

/** The limits a question must keep to, so a solve stays within reach of a single-threaded solver. */
export interface SurgeLimits {
  readonly maxRegions: number;
  readonly maxDays: number;
  readonly maxUnits: number;
}

export const DEFAULT_SURGE_LIMITS: SurgeLimits = { maxRegions: 42, maxDays: 400, maxUnits: 200 };

/** Refuses a question that cannot be right, naming the field and what to do (nothing is solved). */
export function validateSurgeInstance(instance: SurgeInstance, limits: SurgeLimits = DEFAULT_SURGE_LIMITS): SurgeInstance {
  const { regions, days } = instance;
  if (regions.length === 0 || regions.length > limits.maxRegions) throw new ValidationError('regions', `Name between 1 and ${limits.maxRegions} regions.`);
  if (new Set(regions).size !== regions.length) throw new ValidationError('regions', 'Each region may be named once.');
  if (!Number.isInteger(days) || days < 1 || days > limits.maxDays) throw new ValidationError('days', `Plan between 1 and ${limits.maxDays} whole days.`);
  if (instance.units.length === 0 || instance.units.length > limits.maxUnits) throw new ValidationError('units', `Plan between 1 and ${limits.maxUnits} units.`);
  for (const [field, value] of [['teardownDays', instance.teardownDays], ['setupDays', instance.setupDays], ['releaseDays', instance.releaseDays]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > days) throw new ValidationError(field, `${field} must be a whole number of days from 0 to ${days}.`);
  }
  if (!Number.isInteger(instance.requalificationDays) || instance.requalificationDays < 0 || instance.requalificationDays > MAX_REQUALIFICATION_DAYS) {
    throw new ValidationError('requalificationDays', `Requalification after a move takes 0 to ${MAX_REQUALIFICATION_DAYS} days (a full media-fill requalification is about 17 to 21).`);
  }
  if (!(instance.dosesPerUnitDay > 0)) throw new ValidationError('dosesPerUnitDay', 'A unit must fill some doses a day: check its fill rate, doses per vial, shifts and output factor.');
  if (instance.travelDays.length !== regions.length || instance.travelDays.some((row) => row.length !== regions.length || row.some((d) => !Number.isInteger(d) || d < 0))) {
    throw new ValidationError('travelDays', 'Give whole, non-negative travel days between every pair of regions.');
  }
  for (const unit of instance.units) {
    if (!regions.includes(unit.region)) throw new ValidationError('units', `Unit ${unit.unitId} stands in ${unit.region}, which is not one of the regions planned.`);
  }
  if (new Set(instance.units.map((u) => u.unitId)).size !== instance.units.length) throw new ValidationError('units', 'Each unit may be named once.');
  for (const [i, entry] of instance.demand.entries()) {
    if (!regions.includes(entry.region)) throw new ValidationError(`demand[${i}].region`, `${entry.region} is not one of the regions planned.`);
    if (!Number.isInteger(entry.day) || entry.day < 0 || entry.day >= days) throw new ValidationError(`demand[${i}].day`, `Demand must fall on a day from 0 to ${days - 1}.`);
    if (!Number.isFinite(entry.doses) || entry.doses < 0) throw new ValidationError(`demand[${i}].doses`, 'Doses wanted cannot be negative.');
    if (entry.deadline !== undefined && (!Number.isInteger(entry.deadline) || entry.deadline < entry.day || entry.deadline >= days)) {
      throw new ValidationError(`demand[${i}].deadline`, `A deadline falls on a day from the day the doses are wanted (${entry.day}) to the last day planned (${days - 1}).`);
    }
  }
  for (const [region, weight] of Object.entries(instance.weights ?? {})) {
    if (!regions.includes(region)) throw new ValidationError('weights', `${region} is not one of the regions planned.`);
    if (!Number.isFinite(weight) || weight < 0) throw new ValidationError('weights', `The weight of ${region} cannot be negative.`);
  }
  return instance;
}
