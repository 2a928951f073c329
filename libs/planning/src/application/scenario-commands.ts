import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, type CommandContext, type GlobalPosition } from '@bedside/event-store';
import { requireRole, requireText, SCENARIO_PLANNERS } from '@bedside/shared';
import { NetworkReadModel } from '@bedside/network';
import { createScenario, reviseScenario, scenarioEvolver, scenarioStreamId, type KnownNetwork, type ScenarioAssumptions } from '../domain/scenario';

/** The units and sites registered in the live network now, which a scenario's changes must name. */
async function knownNetwork(network: NetworkReadModel): Promise<KnownNetwork> {
  const { units, siteRegions } = await network.forSurgePlanning();
  return { unitIds: new Set(units.map((u) => u.unit_id)), siteCodes: new Set(siteRegions.keys()) };
}

/** A scenario as recorded: its id and version, and where the write landed in the log. */
export interface ScenarioChanged {
  readonly scenarioId: string;
  readonly version: number;
  readonly position?: GlobalPosition;
}

export class CreateScenarioCommand {
  constructor(
    readonly assumptions: ScenarioAssumptions,
    readonly context: CommandContext,
  ) {}
}

export class UpdateScenarioCommand {
  constructor(
    readonly scenarioId: string,
    readonly assumptions: ScenarioAssumptions,
    /** The version the planner edited (null: whatever is current). */
    readonly basedOnVersion: number | null,
    readonly reason: string | null | undefined,
    readonly context: CommandContext,
  ) {}
}

/** Records a new scenario, version 1 (issue 13 §2). */
@CommandHandler(CreateScenarioCommand)
export class CreateScenarioHandler implements ICommandHandler<CreateScenarioCommand, ScenarioChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly network: NetworkReadModel,
  ) {}

  async execute({ assumptions, context }: CreateScenarioCommand): Promise<ScenarioChanged> {
    requireRole(context.role, SCENARIO_PLANNERS, 'create scenarios');
    const scenarioId = randomUUID();
    const known = await knownNetwork(this.network);
    const { position } = await this.repository.execute(scenarioStreamId(scenarioId), scenarioEvolver, (state) => createScenario(state, scenarioId, assumptions, undefined, known), context);
    return { scenarioId, version: 1, position };
  }
}

/** Records an edit as the scenario's next version; runs keep naming the version they used. */
@CommandHandler(UpdateScenarioCommand)
export class UpdateScenarioHandler implements ICommandHandler<UpdateScenarioCommand, ScenarioChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly network: NetworkReadModel,
  ) {}

  async execute({ scenarioId: raw, assumptions, basedOnVersion, reason, context }: UpdateScenarioCommand): Promise<ScenarioChanged> {
    requireRole(context.role, SCENARIO_PLANNERS, 'edit scenarios');
    const scenarioId = requireText('id', raw, 100);
    const known = await knownNetwork(this.network);
    const { state, position } = await this.repository.execute(
      scenarioStreamId(scenarioId),
      scenarioEvolver,
      (current) => reviseScenario(current, scenarioId, assumptions, basedOnVersion, reason, undefined, known),
      reason?.trim() ? { ...context, reason: reason.trim() } : context,
    );
    return { scenarioId, version: state!.version, position };
  }
}
