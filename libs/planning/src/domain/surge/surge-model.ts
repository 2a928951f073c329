import { cumulativeDemand, moveDays, weightOf, type SurgeInstance } from './surge-instance';
import { timelineOf, type SurgePlan } from './surge-plan';

/**
 * The surge question as a mixed-integer programme (issue 13 §3), in the arrays HiGHS takes (a minimising
 * objective, bounds, and a row-wise sparse matrix). Units are alike, so the model counts them, per region
 * and period (a period is `periodDays` days: one day by default; a week keeps a large question within
 * reach, see `surgePeriodDays`):
 *
 * - `ready[r][k]`, integer: units filling in region r throughout period k;
 * - `move[a][b][k]`, integer: units leaving a at the start of period k for b, filling there from the
 *   first period that starts once moveDays(a, b) have passed (moves that would arrive after the last
 *   period are left out: they could fill nothing);
 * - `released[r][t]`, continuous: doses released in r by the end of day t (filled releaseDays earlier);
 * - `inTime[r][s]`, continuous, on each day s that is some want's deadline in r: doses due by s (by
 *   their deadlines) released in time, counted cumulatively over those deadlines;
 * - `unmet[r][t]` ≥ wanted − released, and ≥ the doses whose deadlines have passed undelivered, continuous,
 *   ≥ 0, on days something is wanted: the objective counts it once per day, times the region's weight
 *   (as `evaluateSurgeCounts` does).
 *
 * Rows: units are conserved in every region in every period (those filling or leaving are those that
 * stood or arrived there), releases add up day by day, unmet covers what is wanted and what missed its
 * deadline, and the wants due by any deadline get no more than was released by then (with deadlines
 * nested in time, that is all it takes for the released doses to go round, so no binaries are needed).
 * Counting per region and period, not one binary per unit and day, keeps the model within reach of a
 * single-threaded WebAssembly solver.
 */
export interface LinearProgram {
  readonly numCols: number;
  readonly numRows: number;
  readonly colCost: Float64Array;
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
  readonly matrix: { readonly format: 'csr'; readonly starts: Int32Array; readonly indices: Int32Array; readonly values: Float64Array };
  /** 1 for an integer column, 0 for a continuous one. */
  readonly integrality: Int32Array;
}

export interface SurgeModel {
  readonly program: LinearProgram;
  /** Turns the solver's column values into a plan for every unit. */
  decode(columnValues: ArrayLike<number>): SurgePlan;
}

interface Move {
  readonly from: number;
  readonly to: number;
  readonly period: number;
  readonly column: number;
}

/**
 * The period a question is planned in: a day, unless the question has more than about 10,000 possible
 * moves (regions squared, times periods); then a week, or two. Measured (docs/benchmarks.md): the
 * reference question (10 regions, 100 days, about 9,000 moves) reaches 1% by the day in seconds, while
 * by the day 30 and 42 host areas found no plan at all in a minute, and by the fortnight they do.
 */
export function surgePeriodDays(instance: Pick<SurgeInstance, 'regions' | 'days'>): number {
  const moves = (periodDays: number) => instance.regions.length * (instance.regions.length - 1) * Math.ceil(instance.days / periodDays);
  return [1, 7, 14].find((p) => moves(p) <= MOVES_WITHIN_REACH) ?? 14;
}
const MOVES_WITHIN_REACH = 10_000;

export function buildSurgeModel(instance: SurgeInstance, periodDays = 1): SurgeModel {
  if (!Number.isInteger(periodDays) || periodDays < 1) throw new Error(`A period is a whole number of days (got ${periodDays}).`);
  const R = instance.regions.length;
  const D = instance.days;
  const P = periodDays;
  const K = Math.ceil(D / P);
  const periodOf = (day: number) => Math.floor(day / P);
  // Periods a move takes: it leaves at a period's start and fills from the first period starting after it arrives.
  const movePeriods = (a: number, b: number) => Math.ceil(moveDays(instance, a, b) / P);
  const wanted = cumulativeDemand(instance);
  const start = instance.regions.map((region) => instance.units.filter((u) => u.region === region).length);
  const cost: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  const integer: number[] = [];
  const column = (c: number, lo: number, hi: number, isInteger: boolean) => {
    cost.push(c);
    lower.push(lo);
    upper.push(hi);
    integer.push(isInteger ? 1 : 0);
    return cost.length - 1;
  };
  const units = instance.units.length;
  const ready = instance.regions.map(() => Array.from({ length: K }, () => column(0, 0, units, true)));
  const moves: Move[] = [];
  for (let a = 0; a < R; a++) {
    for (let b = 0; b < R; b++) {
      if (a === b) continue;
      const lost = movePeriods(a, b);
      for (let k = 0; k + lost < K; k++) moves.push({ from: a, to: b, period: k, column: column(0, 0, units, true) });
    }
  }
  const released = instance.regions.map(() => Array.from({ length: D }, () => column(0, 0, Number.POSITIVE_INFINITY, false)));
  // Doses due by each deadline, per region and cumulative over deadlines: [day, doses due by then][], in day order.
  const dueBy = instance.regions.map((region) => {
    const byDay = new Map<number, number>();
    for (const d of instance.demand) if (d.region === region && d.deadline !== undefined && d.doses > 0) byDay.set(d.deadline, (byDay.get(d.deadline) ?? 0) + d.doses);
    let total = 0;
    return [...byDay].sort((a, b) => a[0] - b[0]).map(([day, doses]) => ({ day, due: (total += doses), column: column(0, 0, total, false) }));
  });
  const unmet = instance.regions.map((region, r) => Array.from({ length: D }, (_, t) => (wanted[r]![t]! > 0 ? column(weightOf(instance, region), 0, Number.POSITIVE_INFINITY, false) : -1)));

  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  const row = (terms: readonly (readonly [number, number])[], lo: number, hi: number) => {
    const merged = new Map<number, number>();
    for (const [col, coefficient] of terms) merged.set(col, (merged.get(col) ?? 0) + coefficient);
    for (const [col, coefficient] of [...merged].sort((x, y) => x[0] - y[0])) {
      indices.push(col);
      values.push(coefficient);
    }
    starts.push(indices.length);
    rowLower.push(lo);
    rowUpper.push(hi);
  };
  const leaving = new Map<string, Move[]>();
  const arriving = new Map<string, Move[]>();
  for (const m of moves) {
    const out = `${m.from}:${m.period}`;
    const into = `${m.to}:${m.period + movePeriods(m.from, m.to)}`;
    leaving.set(out, [...(leaving.get(out) ?? []), m]);
    arriving.set(into, [...(arriving.get(into) ?? []), m]);
  }
  for (let r = 0; r < R; r++) {
    for (let k = 0; k < K; k++) {
      // Filling or leaving this period = stood here the period before (or on day 0) + arrived now.
      const terms: [number, number][] = [[ready[r]![k]!, 1], ...(leaving.get(`${r}:${k}`) ?? []).map((m): [number, number] => [m.column, 1]), ...(arriving.get(`${r}:${k}`) ?? []).map((m): [number, number] => [m.column, -1])];
      if (k > 0) terms.push([ready[r]![k - 1]!, -1]);
      const stood = k === 0 ? start[r]! : 0;
      row(terms, stood, stood);
    }
    for (let t = 0; t < D; t++) {
      // Released by today = released by yesterday + what was filled releaseDays ago.
      const releaseTerms: [number, number][] = [[released[r]![t]!, 1]];
      if (t > 0) releaseTerms.push([released[r]![t - 1]!, -1]);
      const filledOn = t - instance.releaseDays;
      if (filledOn >= 0) releaseTerms.push([ready[r]![periodOf(filledOn)]!, -instance.dosesPerUnitDay]);
      row(releaseTerms, 0, 0);
      if (unmet[r]![t]! >= 0) row([[unmet[r]![t]!, 1], [released[r]![t]!, 1]], wanted[r]![t]!, Number.POSITIVE_INFINITY);
      const deadlines = dueBy[r]!;
      const today = deadlines.findIndex((d) => d.day === t);
      if (today >= 0) {
        // Released in time by today's deadline: no more than released by today, nor fewer than by the
        // last deadline, nor more than the wants due since could add.
        const d = deadlines[today]!;
        row([[d.column, 1], [released[r]![t]!, -1]], Number.NEGATIVE_INFINITY, 0);
        if (today > 0) row([[d.column, 1], [deadlines[today - 1]!.column, -1]], 0, d.due - deadlines[today - 1]!.due);
      }
      // Waiting ≥ doses due before today not released in time.
      const passed = deadlines.findLast((d) => d.day < t);
      if (passed) row([[unmet[r]![t]!, 1], [passed.column, 1]], passed.due, Number.POSITIVE_INFINITY);
    }
  }
  const program: LinearProgram = {
    numCols: cost.length,
    numRows: rowLower.length,
    colCost: Float64Array.from(cost),
    colLower: Float64Array.from(lower),
    colUpper: Float64Array.from(upper),
    rowLower: Float64Array.from(rowLower),
    rowUpper: Float64Array.from(rowUpper),
    matrix: { format: 'csr', starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values) },
    integrality: Int32Array.from(integer),
  };
  return { program, decode: (columnValues) => decodeMoves(instance, moves, columnValues, P, movePeriods) };
}

/**
 * Follows each unit through the counted moves, the first units to arrive being the first to leave again.
 * A unit leaves on its period's first day; with periods longer than a day it may arrive before the period
 * the model counted on, and `timelineOf` lets it fill from the day it is ready (what a planner would do).
 */
function decodeMoves(instance: SurgeInstance, moves: readonly Move[], columnValues: ArrayLike<number>, periodDays: number, movePeriods: (a: number, b: number) => number): SurgePlan {
  const pools = instance.regions.map((region) => instance.units.filter((u) => u.region === region).map((u) => u.unitId));
  const target = new Map(instance.units.map((u) => [u.unitId, new Array<number>(instance.days).fill(instance.regions.indexOf(u.region))]));
  const arrivals = new Map<number, { unitId: string; region: number }[]>();
  const byPeriod = new Map<number, Move[]>();
  for (const m of moves) if (Math.round(columnValues[m.column]!) > 0) byPeriod.set(m.period, [...(byPeriod.get(m.period) ?? []), m]);
  for (let k = 0; k * periodDays < instance.days; k++) {
    for (const { unitId, region } of arrivals.get(k) ?? []) pools[region]!.push(unitId);
    for (const m of byPeriod.get(k) ?? []) {
      const count = Math.round(columnValues[m.column]!);
      const leaving = pools[m.from]!.splice(0, count);
      if (leaving.length < count) throw new Error(`The solution moves ${count} unit(s) from ${instance.regions[m.from]} in period ${k}, where ${leaving.length} stand.`);
      for (const unitId of leaving) {
        target.get(unitId)!.fill(m.to, k * periodDays);
        const period = k + movePeriods(m.from, m.to);
        arrivals.set(period, [...(arrivals.get(period) ?? []), { unitId, region: m.to }]);
      }
    }
  }
  return { timelines: instance.units.map((u) => timelineOf(instance, u.unitId, u.region, (day) => target.get(u.unitId)![day]!)) };
}
