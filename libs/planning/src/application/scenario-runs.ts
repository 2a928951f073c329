import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AggregateRepository, EVENT_STORE, type CommandContext, type EventStore, type GlobalPosition } from '@bedside/event-store';
import { NetworkReadModel, type DeploymentData } from '@bedside/network';
import { LiveUpdates } from '@bedside/read-model';
import { addDays, CLOCK, localDateOf, NETWORK_TIME_ZONE, requireRole, requireText, SCENARIO_PLANNERS, type Clock } from '@bedside/shared';
import { PlanOptions, unitsWhereTheyAre, type FreeSlot } from '@bedside/pathways';
import { scenarioStreamId, scenarioVersionsEvolver, surgeQuestionOf, type ScenarioAssumptions } from '../domain/scenario';
import { finishRun, requestRun, scenarioRunEvolver, scenarioRunStreamId, type CarTRunResult, type DaySummary, type RunOptions, type RunScenario, type ScenarioRunResult } from '../domain/scenario-run';
import { carTQuestionOf, requireCarTFromToday, type CarTCopy } from '../domain/cart-scenario';
import { WhatIfRun, type ProductSearch, type WhatIfOutcome } from '../domain/cart-what-if';
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
    private readonly moduleRef: ModuleRef,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
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
    try {
      const wantsDoses = assumptions.vaccineDemand.length > 0;
      const wantsCarT = assumptions.referralsPerWeek.length > 0;
      if (!wantsDoses && !wantsCarT) throw new RunRefused('The scenario states no vaccine demand and no CAR-T referrals: there is nothing to run.');
      this.tell(runId, 'RUNNING', 'reading the live network', 0.02);
      const live = await this.network.forSurgePlanning();
      const result = wantsDoses ? await this.surge(runId, assumptions, options, live, wantsCarT ? 0.5 : 0.95) : null;
      const carT = wantsCarT ? await this.carT(runId, assumptions, options, live, wantsDoses ? 0.5 : 0.05) : null;
      await this.record(runId, { runId, result, carT });
      this.tell(runId, 'FINISHED', 'finished', 1);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!(error instanceof RunRefused)) this.logger.error(`run ${runId} failed: ${reason}`);
      await this.record(runId, { runId, reason }).catch((e) => this.logger.error(`could not record that run ${runId} failed: ${(e as Error).message}`));
      this.tell(runId, 'FAILED', reason, 1);
    }
  }

  /** The surge fill-finish question, answered by the optimiser beside the baselines; progress up to `upTo`. */
  private async surge(runId: string, assumptions: ScenarioAssumptions, options: RunOptions, live: SurgeLive, upTo: number): Promise<ScenarioRunResult> {
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
    const started = performance.now();
    const limitMs = options.timeLimitSeconds * 1000 * (options.marginalUnit ? 2 : 1);
    const ticker = setInterval(() => this.tell(runId, 'RUNNING', 'solving', 0.1 + ((upTo - 0.1) * (performance.now() - started)) / limitMs), 1000);
    try {
      const result = await optimiseSurge(instance, { timeLimitSeconds: options.timeLimitSeconds, relativeGap: options.relativeGap, marginalUnit: options.marginalUnit });
      return resultOf(instance.regions, instance.days, result, instance.units);
    } finally {
      clearInterval(ticker);
    }
  }

  /**
   * The CAR-T what-if (issue 13 §4): the scenario's referrals through the real plan search on a copy of
   * live capacity from the scenario's day, yielding to the request loop between searches.
   */
  private async carT(runId: string, assumptions: ScenarioAssumptions, options: RunOptions, live: SurgeLive, from: number): Promise<CarTRunResult> {
    this.tell(runId, 'RUNNING', 'copying the network for the CAR-T referrals', from);
    const copy = await carTCopyOf(this.moduleRef.get(PlanOptions, { strict: false }), this.network, assumptions, live.siteRegions);
    const { network, referrals } = carTQuestionOf(assumptions, copy, options.seed);
    const started = performance.now();
    const run = new WhatIfRun(network, referrals, { attrition: options.attrition, batchFailure: options.batchFailure, horizonDays: WHAT_IF_HORIZON_DAYS, seed: options.seed, until: addDays(assumptions.asOf, assumptions.days - 1) });
    for (let steps = 1; run.step(); steps++) {
      if (steps % 50 === 0) {
        const { searches, referred } = run.progress;
        this.tell(runId, 'RUNNING', `planning CAR-T referrals (${searches} searches for ${referred} referrals)`, from + ((0.95 - from) * Math.min(1, searches / Math.max(1, referred))));
      }
      // One search at a time (about 13 ms on a national network), then the request loop's turn.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return carTResultOf(run.outcome(), (performance.now() - started) / 1000);
  }

  /**
   * Records how the run ended, as Bedside's planner (not as the planner who asked), in the request's
   * correlation and caused by the request (issue 14 §3).
   */
  private async record(runId: string, ending: Parameters<typeof finishRun>[1]): Promise<void> {
    const [requested] = await this.store.readStream(scenarioRunStreamId(runId), { maxCount: 1 });
    const context: CommandContext = {
      actor: SURGE_PLANNER_ACTOR,
      role: 'planner',
      correlationId: requested?.metadata.correlationId ?? `scenario-run-${runId}`,
      ...(requested && { causationId: requested.eventId }),
    };
    await this.repository.execute(scenarioRunStreamId(runId), scenarioRunEvolver, (run) => finishRun(run, ending), context);
  }
}

/** A run that cannot be answered for a reason the planner can fix (recorded as failed, not logged as a fault). */
class RunRefused extends Error {}

/**
 * The live network's copy a CAR-T what-if starts from: each referred product's process, designation and
 * usable slots (free places as booked now) from the scenario's day for as long as its referrals can be
 * planned, and each region's treatment centres.
 */
export async function carTCopyOf(plans: PlanOptions, network: NetworkReadModel, assumptions: ScenarioAssumptions, siteRegions: ReadonlyMap<string, string | null>): Promise<CarTCopy> {
  const last = addDays(assumptions.asOf, assumptions.days + WHAT_IF_HORIZON_DAYS + 30);
  const products = new Map<string, { search: ProductSearch; slots: FreeSlot[] }>();
  for (const productCode of new Set(assumptions.referralsPerWeek.map((r) => r.productCode))) {
    const dmmf = await network.dmmf(productCode);
    if (!dmmf) throw new RunRefused(`No DMMF is published for ${productCode}: it cannot be planned. Publish one, or leave its referrals out.`);
    const basis = await plans.basis(productCode, dmmf.version);
    // Units where they stand on the scenario's day, with only their days there, as the live plan search takes them.
    const placed = unitsWhereTheyAre(basis, assumptions.asOf, { free: await plans.freeSlots(basis, assumptions.asOf, last) }, assumptions.asOf);
    const search: ProductSearch = { process: basis.process, designatedUnits: placed.units, treatmentCentres: basis.centres, travelHours: basis.travelHours, freshCourier: basis.freshCourier };
    products.set(productCode, { search, slots: 'free' in placed.capacity ? [...placed.capacity.free] : [] });
  }
  const centres = new Set([...products.values()].flatMap((p) => p.search.treatmentCentres));
  const centresByRegion = new Map<string, string[]>();
  for (const [code, region] of siteRegions) if (region && centres.has(code)) centresByRegion.set(region, [...(centresByRegion.get(region) ?? []), code].sort());
  return { products, centresByRegion };
}

/** A CAR-T what-if plan must infuse within this many days of the day it is searched from (as planOptions' default). */
export const WHAT_IF_HORIZON_DAYS = 120;

type SurgeLive = Awaited<ReturnType<NetworkReadModel['forSurgePlanning']>>;

/** Nearest-rank percentiles and the mean of a list of days. */
function summary(days: readonly number[]): DaySummary {
  if (days.length === 0) return { count: 0, mean: null, p10: null, p50: null, p90: null };
  const sorted = [...days].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: days.length, mean: days.reduce((a, b) => a + b, 0) / days.length, p10: rank(0.1), p50: rank(0.5), p90: rank(0.9) };
}

function carTResultOf(outcome: WhatIfOutcome, seconds: number): CarTRunResult {
  // Site resources by site and kind; units by unit.
  const rows = new Map<string, { siteCode: string; unitId: string | null; resource: string; booked: number; capacity: number }>();
  for (const u of outcome.utilisation) {
    const key = u.unitId ? `unit:${u.unitId}` : `${u.siteCode}:${u.resource}`;
    const row = rows.get(key) ?? { siteCode: u.siteCode, unitId: u.unitId, resource: u.resource, booked: 0, capacity: 0 };
    row.booked += u.booked;
    row.capacity += u.capacity;
    rows.set(key, row);
  }
  return {
    referred: outcome.referred,
    infused: outcome.infused,
    lostAfterCollection: outcome.lostAfterCollection,
    failedBatches: outcome.failedBatches,
    stillWaiting: outcome.stillWaiting,
    veinToVein: summary(outcome.veinToVeinDays),
    referralToInfusion: summary(outcome.referralToInfusionDays),
    waitForManufacture: summary(outcome.waitForManufactureDays),
    waitlistByWeek: outcome.waitlistByWeek,
    utilisation: [...rows.values()],
    bottleneck: outcome.bottleneck,
    seconds,
  };
}

function resultOf(regions: readonly string[], days: number, r: SurgeResult, units: readonly { unitId: string; region: string }[]): ScenarioRunResult {
  const figures = (p: SurgeResult['proposed']) => ({
    weightedUnmetDoseDays: p.outcome.weightedUnmetDoseDays,
    released: p.outcome.released,
    unmetAtEnd: p.outcome.unmetAtEnd,
    missedDeadline: p.outcome.missedDeadline,
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
    solver: { status: r.solver.status, gap: r.solver.gap ?? null, seconds: r.solver.seconds, version: r.solver.version, periodDays: r.solver.periodDays },
    marginalUnitSaves: r.marginalUnitSaves ?? null,
    units: [...units],
  };
}

/** Records the request and starts the run; answers with the run's id at once (issue 13 §6). */
@CommandHandler(RunScenarioCommand)
export class RunScenarioHandler implements ICommandHandler<RunScenarioCommand, RunRequested> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly runner: ScenarioRunner,
    @Inject(CLOCK) private readonly clock: Clock,
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
      () => {
        const requested = requestRun(scenario, scenarioId, runId, input, (v) => versions.some((s) => s.version === v));
        requireCarTFromToday(versions.find((s) => s.version === requested[0]!.data.scenarioVersion)!.assumptions, localDateOf(this.clock.now(), NETWORK_TIME_ZONE));
        return requested;
      },
      context,
    );
    const { scenarioVersion, options } = events[0]!.data as { scenarioVersion: number; options: RunOptions };
    this.runner.start(runId, versions.find((s) => s.version === scenarioVersion)!.assumptions, options);
    return { runId, position };
  }
}
