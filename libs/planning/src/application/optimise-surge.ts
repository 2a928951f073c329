import { ValidationError } from '@bedside/shared';
import { greedyBaseline, proportionalBaseline } from '../domain/surge/surge-baselines';
import { cumulativeDemand, validateSurgeInstance, type SurgeInstance, type SurgeLimits } from '../domain/surge/surge-instance';
import { buildSurgeModel, surgePeriodDays } from '../domain/surge/surge-model';
import { checkSurgePlan, evaluateSurgePlan, type SurgeOutcome, type SurgePlan } from '../domain/surge/surge-plan';
import { withoutIdleMoves } from '../domain/surge/surge-prune';
import { solveInWorker, type WorkerSolveOptions } from '../solver/solve-in-worker';

export interface SurgeRunOptions extends WorkerSolveOptions {
  /** Also solve with one more unit (standing where the first unit stands) and say what it buys. */
  readonly marginalUnit?: boolean;
  readonly limits?: SurgeLimits;
  /** Days per period of the optimiser's model (default `surgePeriodDays`: a day unless the question is large). */
  readonly periodDays?: number;
}

/** A plan with what it delivers. */
export interface PlannedSurge {
  readonly plan: SurgePlan;
  readonly outcome: SurgeOutcome;
}

export interface SurgeResult {
  /** The plan Bedside proposes: the optimiser's, or the better baseline's when the solver found none better. */
  readonly proposed: PlannedSurge & { readonly source: 'OPTIMISER' | 'PROPORTIONAL' | 'GREEDY' };
  readonly baselines: { readonly proportional: PlannedSurge; readonly greedy: PlannedSurge };
  /**
   * How the solve ended, its remaining gap to the optimum (a share, of the model planned in periods of
   * `periodDays`), its time and the HiGHS build.
   */
  readonly solver: { readonly status: string; readonly gap?: number; readonly seconds: number; readonly version: string; readonly periodDays: number };
  /** Share of the better baseline's weighted unmet dose-days the proposed plan saves (0.13 = 13% fewer). */
  readonly gainOverBestBaseline: number;
  /** Doses wanted by each region by each day, cumulative, to draw the released doses against. */
  readonly wanted: number[][];
  /** Weighted unmet dose-days one more unit takes away, when asked. */
  readonly marginalUnitSaves?: number;
}

/**
 * Answers a surge question (issue 13 §3): the two baselines, always, and the optimiser's plan within the
 * time asked, each checked by the independent checker before it is offered. A solve that finds nothing
 * better in time, or is stopped, proposes the better baseline and says so.
 */
export async function optimiseSurge(instance: SurgeInstance, options: SurgeRunOptions): Promise<SurgeResult> {
  validateSurgeInstance(instance, options.limits);
  if (!(options.timeLimitSeconds > 0 && options.timeLimitSeconds <= 3600)) throw new ValidationError('timeLimitSeconds', 'Give the solver between 1 second and an hour; it proposes the best plan found by then.');
  const planned = (plan: SurgePlan): PlannedSurge => {
    const problems = checkSurgePlan(instance, plan);
    if (problems.length > 0) throw new Error(`A surge plan broke the rules: ${problems.join('; ')}`);
    return { plan, outcome: evaluateSurgePlan(instance, plan) };
  };
  const proportional = planned(proportionalBaseline(instance));
  const greedy = planned(greedyBaseline(instance));
  const best = proportional.outcome.weightedUnmetDoseDays <= greedy.outcome.weightedUnmetDoseDays ? { ...proportional, source: 'PROPORTIONAL' as const } : { ...greedy, source: 'GREEDY' as const };
  const periodDays = options.periodDays ?? surgePeriodDays(instance);
  const model = buildSurgeModel(instance, periodDays);
  const solution = await solveInWorker(model.program, options);
  let proposed: SurgeResult['proposed'] = best;
  if ('columnValues' in solution && solution.columnValues) {
    // Moves cost nothing in the model once the doses are filled: those that buy nothing are not proposed.
    const optimised = planned(withoutIdleMoves(instance, model.decode(solution.columnValues)));
    if (optimised.outcome.weightedUnmetDoseDays < best.outcome.weightedUnmetDoseDays) proposed = { ...optimised, source: 'OPTIMISER' };
  }
  const baseline = best.outcome.weightedUnmetDoseDays;
  const result: SurgeResult = {
    proposed,
    baselines: { proportional, greedy },
    solver: { status: solution.status, gap: 'gap' in solution ? solution.gap : undefined, seconds: solution.seconds, version: solution.solverVersion, periodDays },
    gainOverBestBaseline: baseline > 0 ? 1 - proposed.outcome.weightedUnmetDoseDays / baseline : 0,
    wanted: cumulativeDemand(instance),
  };
  if (!options.marginalUnit) return result;
  const first = instance.units[0]!;
  const more = await optimiseSurge({ ...instance, units: [...instance.units, { unitId: 'ONE-MORE', region: first.region }] }, { ...options, periodDays, marginalUnit: false });
  return { ...result, marginalUnitSaves: proposed.outcome.weightedUnmetDoseDays - more.proposed.outcome.weightedUnmetDoseDays };
}
