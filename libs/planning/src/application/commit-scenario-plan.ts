import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { AggregateRepository, type CommandContext, type GlobalPosition } from '@bedside/event-store';
import { NetworkReadModel, UnitMoves, type Deployment, type DeploymentData } from '@bedside/network';
import { NETWORK_TIME_ZONE, CLOCK, localDateOf, optionalReason, requireRole, requireText, type Clock } from '@bedside/shared';
import { deploymentsOfPlan } from '../domain/plan-commit';
import { scenarioStreamId, scenarioVersionsEvolver } from '../domain/scenario';
import { requireCommittable, ScenarioPlanCommitted, scenarioRunEvolver, scenarioRunStreamId } from '../domain/scenario-run';

export class CommitScenarioPlanCommand {
  constructor(
    readonly runId: string,
    readonly reason: string | null | undefined,
    readonly context: CommandContext,
  ) {}
}

export interface PlanCommitted {
  readonly deployments: readonly Deployment[];
  readonly position?: GlobalPosition;
}

/**
 * A finished run's plan becomes deployments in one step, all or nothing (issue 13 §5): Control Site QA
 * commits it; each deployment is decided by the network's rules (deployUnit) and recorded with the
 * scenario and run as its reason, in the same append as the run's ScenarioPlanCommitted.
 */
@CommandHandler(CommitScenarioPlanCommand)
export class CommitScenarioPlanHandler implements ICommandHandler<CommitScenarioPlanCommand, PlanCommitted> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly network: NetworkReadModel,
    private readonly moves: UnitMoves,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ runId: raw, reason: rawReason, context }: CommitScenarioPlanCommand): Promise<PlanCommitted> {
    requireRole(context.role, ['control_site_qa'], "commit a scenario's plan");
    const runId = requireText('runId', raw, 100);
    const { state, version } = await this.repository.load(scenarioRunStreamId(runId), scenarioRunEvolver);
    const run = requireCommittable(state, runId);
    const scenario = (await this.repository.load(scenarioStreamId(run.scenarioId), scenarioVersionsEvolver)).state.find((s) => s.version === run.scenarioVersion)!;
    const live = await this.network.forSurgePlanning();
    const travel = new Map(live.travel.flatMap((t) => [[`${t.fromSiteCode}>${t.toSiteCode}`, t.hours] as const, [`${t.toSiteCode}>${t.fromSiteCode}`, t.hours] as const]));
    const why = optionalReason(rawReason);
    const reason = `Scenario "${scenario.assumptions.name}" v${scenario.version}, run ${runId}${why ? `: ${why}` : ''}`;
    const planned = deploymentsOfPlan(
      { runId, result: run.result },
      scenario.assumptions,
      {
        today: localDateOf(this.clock.now(), NETWORK_TIME_ZONE),
        units: new Map(live.units.map((u) => [u.unit_id, { homeSiteCode: u.home_site_code, deployments: u.deployments as DeploymentData[] }])),
        activeSites: live.activeSites,
        travelHours: (from, to) => travel.get(`${from}>${to}`),
      },
      reason,
    );
    const { deployments, position } = await this.moves.record(
      planned.map(({ unitId, input }) => ({ unitId, move: { kind: 'deploy' as const, input } })),
      { ...context, reason },
      (recorded) => [{ streamId: scenarioRunStreamId(runId), expectedVersion: version, events: [new ScenarioPlanCommitted({ runId, deploymentIds: recorded.map((d) => d.deploymentId), reason })] }],
    );
    return { deployments, position };
  }
}
