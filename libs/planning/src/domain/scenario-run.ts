import { ConflictError, eventClass, NotFoundError, ValidationError, type Evolver } from '@bedside/shared';
import type { ScenarioState } from './scenario';

/**
 * A run of a scenario (issue 13 §3, §6): who asked, when, for which version, with which options; then
 * what the optimiser proposed, beside the two baselines, with the solver's status, gap and build. Every
 * run is recorded on its own stream, `scenario-run-<id>`; a run never writes to the live network.
 */
export interface RunOptions {
  /** Seconds the solver may take (1 to 600); it proposes the best plan found by then. */
  readonly timeLimitSeconds: number;
  /** Also solve with one more unit and say what it buys. */
  readonly marginalUnit: boolean;
  /** Recorded for repeatability; the fill-finish optimiser is deterministic, the CAR-T what-if draws from it. */
  readonly seed: number;
  /** The solver stops once its plan is within this share of the optimum (RUN_RELATIVE_GAP). */
  readonly relativeGap: number;
  /** CAR-T what-if: share of collected patients never infused (9% to 30% in practice). */
  readonly attrition: number;
  /** CAR-T what-if: share of batches that fail (1% to 8%). */
  readonly batchFailure: number;
}

export const DEFAULT_ATTRITION = 0.15;
export const DEFAULT_BATCH_FAILURE = 0.04;

/** Runs stop at a plan within 1% of optimal (issue 13's benchmark target). */
export const RUN_RELATIVE_GAP = 0.01;

export const MAX_RUN_SECONDS = 600;
export const DEFAULT_RUN_SECONDS = 30;

export interface ScenarioRunRequestedData {
  readonly runId: string;
  readonly scenarioId: string;
  readonly scenarioVersion: number;
  readonly options: RunOptions;
}

/** A plan's figures, as a run records them. */
export interface RunPlanFigures {
  readonly weightedUnmetDoseDays: number;
  /** Doses released by each region by each day, cumulative, in the order of `regions`. */
  readonly released: readonly (readonly number[])[];
  readonly unmetAtEnd: readonly number[];
  /** Doses not released by their deadline, by region (absent from runs recorded before deadlines existed). */
  readonly missedDeadline?: readonly number[];
  readonly utilisation: Readonly<Record<string, number>>;
}

export interface ScenarioRunResult {
  readonly regions: readonly string[];
  readonly days: number;
  /** Doses wanted by each region by each day, cumulative. */
  readonly wanted: readonly (readonly number[])[];
  readonly source: 'OPTIMISER' | 'PROPORTIONAL' | 'GREEDY';
  readonly proposed: RunPlanFigures & { readonly timelines: readonly { readonly unitId: string; readonly segments: readonly { readonly kind: 'FILLING' | 'MOVING'; readonly region: string; readonly from: number; readonly to: number }[] }[] };
  readonly baselines: { readonly proportional: RunPlanFigures; readonly greedy: RunPlanFigures };
  readonly gainOverBestBaseline: number;
  /** `periodDays`: days per period of the optimiser's model (absent from runs recorded before periods: 1). */
  readonly solver: { readonly status: string; readonly gap: number | null; readonly seconds: number; readonly version: string; readonly periodDays?: number };
  readonly marginalUnitSaves: number | null;
  /** The live network's units the run started from (the scenario's changes applied). */
  readonly units: readonly { readonly unitId: string; readonly region: string }[];
}

/** Days, summarised. */
export interface DaySummary {
  readonly count: number;
  readonly mean: number | null;
  readonly p10: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
}

/** What the CAR-T what-if found (issue 13 §4). */
export interface CarTRunResult {
  readonly referred: number;
  readonly infused: number;
  readonly lostAfterCollection: number;
  readonly failedBatches: number;
  readonly stillWaiting: number;
  readonly veinToVein: DaySummary;
  readonly referralToInfusion: DaySummary;
  readonly waitForManufacture: DaySummary;
  readonly waitlistByWeek: readonly number[];
  /** Booked share by site and resource (units by unit). */
  readonly utilisation: readonly { readonly siteCode: string; readonly unitId: string | null; readonly resource: string; readonly booked: number; readonly capacity: number }[];
  readonly bottleneck: string;
  readonly seconds: number;
}

export interface ScenarioRunFinishedData {
  readonly runId: string;
  /** The surge fill-finish answer; null when the scenario wants no vaccine doses. */
  readonly result: ScenarioRunResult | null;
  /** The CAR-T what-if; absent or null when the scenario has no referrals. */
  readonly carT?: CarTRunResult | null;
}

export interface ScenarioRunFailedData {
  readonly runId: string;
  /** What went wrong, in words a planner can act on. */
  readonly reason: string;
}

export interface ScenarioPlanCommittedData {
  readonly runId: string;
  /** The deployments it became, by id. */
  readonly deploymentIds: readonly string[];
  readonly reason: string;
}

export class ScenarioRunRequested extends eventClass<'ScenarioRunRequested', ScenarioRunRequestedData>('ScenarioRunRequested') {}
export class ScenarioRunFinished extends eventClass<'ScenarioRunFinished', ScenarioRunFinishedData>('ScenarioRunFinished') {}
export class ScenarioRunFailed extends eventClass<'ScenarioRunFailed', ScenarioRunFailedData>('ScenarioRunFailed') {}
/** A finished run's plan became deployments (issue 13 §5), recorded in the same append as they were. */
export class ScenarioPlanCommitted extends eventClass<'ScenarioPlanCommitted', ScenarioPlanCommittedData>('ScenarioPlanCommitted') {}
export type ScenarioRunEvent = ScenarioRunRequested | ScenarioRunFinished | ScenarioRunFailed | ScenarioPlanCommitted;
export const SCENARIO_RUN_EVENT_TYPES: readonly ScenarioRunEvent['type'][] = ['ScenarioRunRequested', 'ScenarioRunFinished', 'ScenarioRunFailed', 'ScenarioPlanCommitted'];

export const scenarioRunStreamId = (runId: string) => `scenario-run-${runId}`;

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED';

export interface ScenarioRunState {
  readonly runId: string;
  readonly scenarioId: string;
  readonly scenarioVersion: number;
  readonly status: RunStatus;
  readonly result: ScenarioRunResult | null;
  /** Set once its plan has become deployments. */
  readonly committed: boolean;
}

export const scenarioRunEvolver: Evolver<ScenarioRunState | undefined, ScenarioRunEvent> = {
  initialState: undefined,
  evolve(state, event) {
    switch (event.type) {
      case 'ScenarioRunRequested':
        return { runId: event.data.runId, scenarioId: event.data.scenarioId, scenarioVersion: event.data.scenarioVersion, status: 'RUNNING', result: null, committed: false };
      case 'ScenarioRunFinished':
        return state && { ...state, status: 'FINISHED', result: event.data.result };
      case 'ScenarioRunFailed':
        return state && { ...state, status: 'FAILED' };
      case 'ScenarioPlanCommitted':
        return state && { ...state, committed: true };
    }
  },
};

export interface RunScenario {
  /** The version to run; the latest when empty. */
  readonly version?: number | null;
  readonly timeLimitSeconds?: number | null;
  readonly marginalUnit?: boolean | null;
  readonly seed?: number | null;
  readonly attrition?: number | null;
  readonly batchFailure?: number | null;
}

/** Records a request to run a scenario's version; the work runs off the request (ScenarioRunner). */
export function requestRun(scenario: ScenarioState | undefined, scenarioId: string, runId: string, input: RunScenario, versionExists: (version: number) => boolean): ScenarioRunRequested[] {
  if (!scenario) throw new NotFoundError('scenario', scenarioId, 'Create it first (createScenario).');
  const version = input.version ?? scenario.version;
  if (!Number.isInteger(version) || version < 1 || !versionExists(version)) {
    throw new ValidationError('version', `Scenario ${scenarioId} has versions 1 to ${scenario.version}; run one of them.`);
  }
  const seconds = input.timeLimitSeconds ?? DEFAULT_RUN_SECONDS;
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_RUN_SECONDS) {
    throw new ValidationError('timeLimitSeconds', `Give the solver between 1 and ${MAX_RUN_SECONDS} seconds; it proposes the best plan found by then (got ${seconds}).`);
  }
  const seed = input.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw new ValidationError('seed', 'A seed is a whole number from 0 to 2147483647.');
  const share = (field: 'attrition' | 'batchFailure', fallback: number) => {
    const value = input[field] ?? fallback;
    if (!Number.isFinite(value) || value < 0 || value >= 1) throw new ValidationError(field, `${field} is a share from 0 to below 1 (e.g. 0.15 for 15%); got ${value}.`);
    return value;
  };
  return [
    new ScenarioRunRequested({
      runId,
      scenarioId,
      scenarioVersion: version,
      options: { timeLimitSeconds: seconds, marginalUnit: input.marginalUnit ?? false, seed, relativeGap: RUN_RELATIVE_GAP, attrition: share('attrition', DEFAULT_ATTRITION), batchFailure: share('batchFailure', DEFAULT_BATCH_FAILURE) },
    }),
  ];
}

/** Records how a run ended, once: a run that has ended is never ended again. */
export function finishRun(run: ScenarioRunState | undefined, ending: ScenarioRunFinishedData | ScenarioRunFailedData): (ScenarioRunFinished | ScenarioRunFailed)[] {
  if (!run) throw new NotFoundError('scenario run', ending.runId);
  if (run.status !== 'RUNNING') throw new ConflictError(`Run ${run.runId} has already ${run.status === 'FINISHED' ? 'finished' : 'failed'}.`, { runId: run.runId });
  return ['result' in ending ? new ScenarioRunFinished(ending) : new ScenarioRunFailed(ending)];
}

/** A run whose plan may become deployments: finished, and not committed before. */
export function requireCommittable(run: ScenarioRunState | undefined, runId: string): ScenarioRunState & { readonly result: ScenarioRunResult } {
  if (!run) throw new NotFoundError('scenario run', runId);
  if (run.status !== 'FINISHED') throw new ConflictError(`Run ${runId} has ${run.status === 'RUNNING' ? 'not finished yet: commit its plan once it has' : 'failed: it has no plan to commit'}.`, { runId, status: run.status });
  if (!run.result) throw new ConflictError(`Run ${runId} planned no mobile fill-finish units (its scenario wants no vaccine doses): it has no deployments to commit.`, { runId });
  if (run.committed) throw new ConflictError(`Run ${runId}'s plan has already been committed as deployments (see its audit trail).`, { runId });
  return run as ScenarioRunState & { readonly result: ScenarioRunResult };
}
