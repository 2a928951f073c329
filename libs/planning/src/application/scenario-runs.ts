import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AggregateRepository, type CommandContext, type GlobalPosition } from '@bedside/event-store';
import { NetworkReadModel, type DeploymentData } from '@bedside/network';
import { LiveUpdates } from '@bedside/read-model';
import { CLOCK, requireRole, requireText, SCENARIO_PLANNERS, type Clock, type Evolver } from '@bedside/shared';
import { scenarioEvolver, scenarioStreamId, surgeQuestionOf, type ScenarioAssumptions, type ScenarioEvent, type ScenarioState } from '../domain/scenario';
import { finishRun, requestRun, scenarioRunEvolver, scenarioRunStreamId, type RunOptions, type RunScenario, type ScenarioRunResult } from '../domain/scenario-run';
import { surgeNetworkOf } from '../domain/surge-network';
import type { SurgeResult } from './optimise-surge';
import { optimiseSurge } from './optimise-surge';

/** Who records how a run ended, in the audit trail. */
export const SURGE_PLANNER_ACTOR = 'bedside:surge-planner';

export const SCENARIO_RUN_PROGRESS = 'SCENARIO_RUN_PROGRESS';

/** Where a run is: its stage in words and a share done (0 to 1). */
export interface RunProgress {
  readonly runId: string;
  readonly status: 'RUNNING' | 'FINISHED' | 'FAILED';
  readonly stage: string;
  readonly progress: number;
}

export class RunScenarioCommand {
  constructor(
    readonly scenarioId: string,
    readonly input: RunScenario,
    readonly context: CommandContext,
  ) {}
}

export interface RunRequested {
  readonly runId: string;
  readonly position?: GlobalPosition;
}

/**
 * Runs scenarios off the request (issue 13 §3, §6): a run is recorded as requested, answered at once with
 * its id, and worked in the background: the live network read, the surge question made, the baselines and
 * the optimiser (HiGHS in a worker thread with a kill timer, so the API keeps answering), and the outcome
 * recorded as finished or failed. Progress is told to `scenarioRunProgress` subscribers as it goes.
 */
@Injectable()
export class ScenarioRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ScenarioRuns');
  private readonly progress = new Map<string, RunProgress>();
  private readonly jobs = new Set<Promise<void>>();

  constructor(
    private readonly repository: AggregateRepository,
    private readonly network: NetworkReadModel,
    private readonly live: LiveUpdates,
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Where a run working in this process is; undefined for one that is not. */
  progressOf(runId: string): RunProgress | undefined {
    return this.progress.get(runId);
  }

  /** Starts the work and returns at once. */
  start(runId: string, assumptions: ScenarioAssumptions, options: RunOptions): void {
    const job = this.work(runId, assumptions, options).finally(() => this.jobs.delete(job));
    this.jobs.add(job);
  }

  /** Runs still recorded as running long after their time could have run out were cut off by a stop: say so. */
  async onApplicationBootstrap(): Promise<void> {
    const stale: { run_id: string }[] = await this.dataSource
      .query(
        `SELECT run_id FROM scenario_runs WHERE status = 'RUNNING'
            AND requested_at + make_interval(secs => (options->>'timeLimitSeconds')::float * 2 + 300) < $1`,
        [this.clock.now()],
      )
      .catch(() => []);
    for (const { run_id } of stale) {
      await this.record(run_id, { runId: run_id, reason: 'The server stopped while this run was working. Run the scenario again.' }).catch(() => undefined);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.jobs]);
  }

  private tell(runId: string, status: RunProgress['status'], stage: string, progress: number): void {
    const update: RunProgress = { runId, status, stage, progress: Math.min(1, Math.max(0, progress)) };
    if (status === 'RUNNING') this.progress.set(runId, update);
    else this.progress.delete(runId);
    void this.live.publishNow(SCENARIO_RUN_PROGRESS, update);
  }

  private async work(runId: string, assumptions: ScenarioAssumptions, options: RunOptions): Promise<void> {
    const started = performance.now();
    let ticker: NodeJS.Timeout | undefined;
    try {
      this.tell(runId, 'RUNNING', 'reading the live network', 0.02);
      const live = await this.network.forSurgePlanning();
      const network = surgeNetworkOf({
        asOf: assumptions.asOf,
        days: assumptions.days,
        units: live.units.map((u) => ({ unitId: u.unit_id, kind: u.kind, mobility: u.mobility, qualification: u.qualification, homeSiteCode: u.home_site_code, deployments: u.deployments as DeploymentData[] })),
        siteRegions: live.siteRegions,
        travel: live.travel,
      });
      const instance = surgeQuestionOf(assumptions, network);
      if (instance.units.length === 0) {
        const why = network.leftOut.length > 0 ? ` (${network.leftOut.join('; ')})` : '';
        throw new RunRefused(`No mobile fill-finish unit is qualified and placed in a region${why}: add units to the scenario (unitsAdded) or qualify one.`);
      }
      this.tell(runId, 'RUNNING', 'baselines and the optimiser', 0.1);
      // The solver says nothing while it works: progress is its time used against its limit.
      const limitMs = options.timeLimitSeconds * 1000 * (options.marginalUnit ? 2 : 1);
      ticker = setInterval(() => this.tell(runId, 'RUNNING', 'solving', 0.1 + (0.85 * (performance.now() - started)) / limitMs), 1000);
      const result = await optimiseSurge(instance, { timeLimitSeconds: options.timeLimitSeconds, relativeGap: options.relativeGap, marginalUnit: options.marginalUnit });
      clearInterval(ticker);
      await this.record(runId, { runId, result: resultOf(instance.regions, instance.days, result, instance.units) });
      this.tell(runId, 'FINISHED', 'finished', 1);
    } catch (error) {
      if (ticker) clearInterval(ticker);
      const reason = error instanceof RunRefused || error instanceof Error ? error.message : String(error);
      if (!(error instanceof RunRefused)) this.logger.error(`run ${runId} failed: ${reason}`);
      await this.record(runId, { runId, reason }).catch((e) => this.logger.error(`could not record that run ${runId} failed: ${(e as Error).message}`));
      this.tell(runId, 'FAILED', reason, 1);
    }
  }

  private async record(runId: string, ending: Parameters<typeof finishRun>[1]): Promise<void> {
    await this.repository.execute(scenarioRunStreamId(runId), scenarioRunEvolver, (run) => finishRun(run, ending), { actor: SURGE_PLANNER_ACTOR, role: 'planner' } as CommandContext);
  }
}

/** A run that cannot be answered for a reason the planner can fix (recorded as failed, not logged as a fault). */
class RunRefused extends Error {}

function resultOf(regions: readonly string[], days: number, r: SurgeResult, units: readonly { unitId: string; region: string }[]): ScenarioRunResult {
  const figures = (p: SurgeResult['proposed']) => ({
    weightedUnmetDoseDays: p.outcome.weightedUnmetDoseDays,
    released: p.outcome.released,
    unmetAtEnd: p.outcome.unmetAtEnd,
    utilisation: p.outcome.utilisation,
  });
  return {
    regions,
    days,
    wanted: r.wanted,
    source: r.proposed.source,
    proposed: { ...figures(r.proposed), timelines: r.proposed.plan.timelines },
    baselines: { proportional: figures({ ...r.baselines.proportional, source: 'PROPORTIONAL' }), greedy: figures({ ...r.baselines.greedy, source: 'GREEDY' }) },
    gainOverBestBaseline: r.gainOverBestBaseline,
    solver: { status: r.solver.status, gap: r.solver.gap ?? null, seconds: r.solver.seconds, version: r.solver.version },
    marginalUnitSaves: r.marginalUnitSaves ?? null,
    units: [...units],
  };
}

/** Every version of a scenario, oldest first: a run may name any of them. */
const scenarioVersionsEvolver: Evolver<ScenarioState[], ScenarioEvent> = {
  initialState: [],
  evolve: (versions, event) => [...versions, scenarioEvolver.evolve(undefined, event)!],
};

/** Records the request and starts the run; answers with the run's id at once (issue 13 §6). */
@CommandHandler(RunScenarioCommand)
export class RunScenarioHandler implements ICommandHandler<RunScenarioCommand, RunRequested> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly runner: ScenarioRunner,
  ) {}

  async execute({ scenarioId: raw, input, context }: RunScenarioCommand): Promise<RunRequested> {
    requireRole(context.role, SCENARIO_PLANNERS, 'run scenarios');
    const scenarioId = requireText('id', raw, 100);
    // Every version as its stream recorded it (the read model may not show the latest yet).
    const { state: versions } = await this.repository.load(scenarioStreamId(scenarioId), scenarioVersionsEvolver);
    const scenario = versions.at(-1);
    const runId = randomUUID();
    const { events, position } = await this.repository.execute(
      scenarioRunStreamId(runId),
      scenarioRunEvolver,
      () => requestRun(scenario, scenarioId, runId, input, (v) => versions.some((s) => s.version === v)),
      context,
    );
    const { scenarioVersion, options } = events[0]!.data as { scenarioVersion: number; options: RunOptions };
    this.runner.start(runId, versions.find((s) => s.version === scenarioVersion)!.assumptions, options);
    return { runId, position };
  }
}
