import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Allow } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { NETWORK_TIME_ZONE, CLOCK, CONTROL_SITE, localDateOf, NotFoundError, SCENARIO_PLANNERS, SCENARIO_READERS, ValidationError, type Clock } from '@bedside/shared';
import { DeploymentType, toDeployment } from '@bedside/network';
import { ScenarioReads } from '../application/scenario-reads';
import { RunScenarioCommand, SCENARIO_RUN_PROGRESS, ScenarioRunner, type RunProgress, type RunRequested } from '../application/scenario-runs';
import { CommitScenarioPlanCommand, type PlanCommitted } from '../application/commit-scenario-plan';
import type { RunPlanFigures, ScenarioRunResult as RunResultData } from '../domain/scenario-run';
import type { ScenarioRunRow } from '../projections/scenario-runs.projection';
import { Scenario } from './scenario.types';
import { RunComparison, RunOptionsInput, ScenarioRun, ScenarioRunProgress, type PlanFigures, type ScenarioRunResult } from './scenario-run.types';

interface PubSub {
  subscribe(topic: string): Promise<AsyncIterable<unknown>>;
}

const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

function figures(result: RunResultData, plan: RunPlanFigures): PlanFigures {
  return {
    weightedUnmetDoseDays: plan.weightedUnmetDoseDays,
    regions: result.regions.map((region, r) => ({ region, wanted: [...result.wanted[r]!], released: [...plan.released[r]!], unmetAtEnd: plan.unmetAtEnd[r]!, missedDeadline: plan.missedDeadline?.[r] ?? 0 })),
    utilisation: mean(Object.values(plan.utilisation)),
  };
}

function toResult(r: RunResultData): ScenarioRunResult {
  const start = new Map(r.units.map((u) => [u.unitId, u.region]));
  return {
    source: r.source,
    proposed: figures(r, r.proposed),
    unitTimelines: r.proposed.timelines.map((t) => ({
      unitId: t.unitId,
      startRegion: start.get(t.unitId) ?? t.segments[0]?.region ?? '',
      segments: t.segments.map((s) => ({ kind: s.kind, region: s.region, fromDay: s.from, toDay: s.to })),
      utilisation: r.proposed.utilisation[t.unitId] ?? 0,
    })),
    proportional: figures(r, r.baselines.proportional),
    greedy: figures(r, r.baselines.greedy),
    gainOverBestBaseline: r.gainOverBestBaseline,
    solverStatus: r.solver.status,
    gap: r.solver.gap,
    solverSeconds: r.solver.seconds,
    solverVersion: r.solver.version,
    solverPeriodDays: r.solver.periodDays ?? 1,
    marginalUnitSaves: r.marginalUnitSaves,
  };
}

/** Scenario runs (issue 13 §3, §6): planners run scenarios; planners and Control Site QA read runs. */
@Resolver(() => ScenarioRun)
export class ScenarioRunResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly reads: ScenarioReads,
    private readonly runner: ScenarioRunner,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Allow(CONTROL_SITE)
  @Mutation(() => [DeploymentType], {
    description:
      'Makes a finished run’s plan real (Control Site QA): every move becomes a deployment, all or nothing, with the scenario and run as the reason. Refused (CONFLICT) naming what no longer fits when the live network has changed.',
  })
  async commitScenarioPlan(
    @Args('runId', { type: () => ID, description: 'A FINISHED run.' }) runId: string,
    @Acting() acting: CommandContext,
    @Args('reason', { type: () => String, nullable: true, description: 'Why, added to the recorded reason.' }) reason?: string | null,
  ): Promise<DeploymentType[]> {
    const { deployments, position }: PlanCommitted = await this.commands.execute(new CommitScenarioPlanCommand(runId, reason, acting));
    await this.readYourWrites.after(position);
    const today = localDateOf(this.clock.now(), NETWORK_TIME_ZONE);
    return deployments.map((d) => toDeployment(d, undefined, today));
  }

  /** A run as GraphQL shows it, with the live progress of one still working. */
  toRun(row: ScenarioRunRow): ScenarioRun {
    const live = row.status === 'RUNNING' ? this.runner.progressOf(row.run_id) : undefined;
    return {
      id: row.run_id,
      scenarioId: row.scenario_id,
      scenarioVersion: row.scenario_version,
      status: row.status,
      stage: live?.stage ?? (row.status === 'RUNNING' ? 'working' : row.status === 'FINISHED' ? 'finished' : 'failed'),
      progress: row.status === 'RUNNING' ? (live?.progress ?? 0) : 1,
      options: row.options,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at,
      finishedAt: row.finished_at,
      failure: row.failure,
      committedAt: row.committed_at,
      committedBy: row.committed_by,
      result: row.result ? toResult(row.result) : null,
      carT: row.car_t ? { ...row.car_t, waitlistByWeek: [...row.car_t.waitlistByWeek], utilisation: row.car_t.utilisation.map((u) => ({ ...u, share: u.capacity > 0 ? u.booked / u.capacity : 0 })) } : null,
    };
  }

  @Allow(SCENARIO_PLANNERS)
  @Mutation(() => ScenarioRun, {
    description: 'Runs a scenario (planners only): answers at once with the run, RUNNING; the optimiser works off the request. Follow scenarioRunProgress, then read scenarioRun.',
  })
  async runScenario(
    @Args('id', { type: () => ID, description: 'The scenario’s id.' }) id: string,
    @Acting() acting: CommandContext,
    @Args('input', { type: () => RunOptionsInput, nullable: true, description: 'How to run it.' }) input?: RunOptionsInput | null,
  ): Promise<ScenarioRun> {
    const { runId, position }: RunRequested = await this.commands.execute(new RunScenarioCommand(id, input ?? {}, acting));
    await this.readYourWrites.after(position);
    const [row] = await this.reads.runs([runId]);
    if (!row) throw new NotFoundError('scenario run', runId);
    return this.toRun(row);
  }

  @Allow(SCENARIO_READERS)
  @Query(() => ScenarioRun, { nullable: true, description: 'A run: its status and progress, and once finished its result beside the baselines.' })
  async scenarioRun(@Args('id', { type: () => ID, description: 'Run id.' }) id: string): Promise<ScenarioRun | null> {
    const [row] = await this.reads.runs([id]);
    return row ? this.toRun(row) : null;
  }

  @Allow(SCENARIO_READERS)
  @Query(() => RunComparison, { description: 'Runs side by side (2 to 10), with the one whose plan leaves the fewest weighted unmet dose-days.' })
  async compareRuns(@Args('ids', { type: () => [ID], description: 'Run ids, 2 to 10.' }) ids: string[]): Promise<RunComparison> {
    if (ids.length < 2 || ids.length > 10) throw new ValidationError('ids', `Compare 2 to 10 runs (got ${ids.length}).`);
    const rows = await this.reads.runs(ids);
    const missing = ids.filter((id) => !rows.some((r) => r.run_id === id));
    if (missing.length > 0) throw new NotFoundError('scenario run', missing.join(', '));
    const finished = rows.filter((r) => r.result);
    const best = finished.reduce<ScenarioRunRow | null>((b, r) => (!b || r.result!.proposed.weightedUnmetDoseDays < b.result!.proposed.weightedUnmetDoseDays ? r : b), null);
    return { runs: rows.map((r) => this.toRun(r)), bestRunId: best?.run_id ?? null };
  }

  @Allow(SCENARIO_READERS)
  @Subscription(() => ScenarioRunProgress, {
    description: 'A run’s progress as it works, then how it ended.',
    filter: (payload: RunProgress, variables: { runId: string }) => payload.runId === variables.runId,
    resolve: (payload: RunProgress) => payload,
  })
  scenarioRunProgress(@Context('pubsub') pubsub: PubSub, @Args('runId', { type: () => ID, description: 'Run id.' }) _runId: string): Promise<AsyncIterable<unknown>> {
    return pubsub.subscribe(SCENARIO_RUN_PROGRESS);
  }
}

/** `Scenario.runs`: what a planner has run of a scenario, newest first (issue 15 §4: the console lists them). */
@Resolver(() => Scenario)
export class ScenarioRunsResolver {
  constructor(
    private readonly reads: ScenarioReads,
    private readonly runResolver: ScenarioRunResolver,
  ) {}

  @ResolveField(() => [ScenarioRun], { description: 'Its runs, of every version, most recently asked for first.' })
  async runs(@Parent() scenario: Scenario, @Args('first', { type: () => Int, nullable: true, description: 'How many, 1 to 100 (default 20).' }) first?: number | null): Promise<ScenarioRun[]> {
    const limit = first ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ValidationError('first', `Ask for 1 to 100 runs (got ${limit}).`);
    return (await this.reads.runsOf(scenario.id, limit)).map((row) => this.runResolver.toRun(row));
  }
}
