import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Allow, decodeCursor, encodeCursor, pageSize, toConnection } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { NotFoundError, SCENARIO_PLANNERS, SCENARIO_READERS } from '@bedside/shared';
import { CreateScenarioCommand, UpdateScenarioCommand, type ScenarioChanged } from '../application/scenario-commands';
import { ScenarioReads } from '../application/scenario-reads';
import type { ScenarioAssumptions } from '../domain/scenario';
import { dosesPerUnitDay } from '../domain/surge/surge-instance';
import type { ScenarioVersionRow } from '../projections/scenarios.projection';
import { Scenario, ScenarioConnection, ScenarioInput } from './scenario.types';

const toScenario = (row: ScenarioVersionRow): Scenario => ({
  id: row.scenario_id,
  version: row.version,
  ...row.assumptions,
  vaccineDemand: row.assumptions.vaccineDemand.map((d) => ({ ...d, weight: d.weight ?? null, deadline: d.deadline ?? null })),
  unitsRemoved: [...row.assumptions.unitsRemoved],
  referralsPerWeek: [...row.assumptions.referralsPerWeek],
  unitsAdded: [...row.assumptions.unitsAdded],
  outages: [...row.assumptions.outages],
  processChanges: [...row.assumptions.processChanges],
  dosesPerUnitDay: dosesPerUnitDay(row.assumptions.fillFinish),
  reason: row.reason,
  recordedAt: row.recorded_at,
  recordedBy: row.recorded_by,
});

/** What a planner typed, as the domain's assumptions (nullable GraphQL fields become absent ones). */
// Lists left out are empty (not GraphQL defaults: graphql-jit drops input-field defaults from compiled queries).
const assumptionsOf = (input: ScenarioInput): ScenarioAssumptions => ({
  ...input,
  referralsPerWeek: input.referralsPerWeek ?? [],
  unitsAdded: input.unitsAdded ?? [],
  unitsRemoved: input.unitsRemoved ?? [],
  outages: input.outages ?? [],
  vaccineDemand: (input.vaccineDemand ?? []).map(({ weight, deadline, ...d }) => ({ ...d, ...(weight !== null && weight !== undefined && { weight }), ...(deadline !== null && deadline !== undefined && { deadline }) })),
  processChanges: (input.processChanges ?? []).map(({ qcReleaseDays, manufactureDays, ...c }) => ({
    ...c,
    ...(qcReleaseDays !== null && qcReleaseDays !== undefined && { qcReleaseDays }),
    ...(manufactureDays !== null && manufactureDays !== undefined && { manufactureDays }),
  })),
});

/** Surge scenarios (issue 13 §2): planners create and edit them; planners and Control Site QA read them. */
@Resolver(() => Scenario)
export class ScenarioResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly reads: ScenarioReads,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Allow(SCENARIO_READERS)
  @Query(() => Scenario, { nullable: true, description: 'A scenario at its latest version, or at the version asked for.' })
  async scenario(
    @Args('id', { type: () => ID, description: 'The scenario’s id.' }) id: string,
    @Args('version', { type: () => Int, nullable: true, description: 'A version (default: the latest).' }) version?: number | null,
  ): Promise<Scenario | null> {
    const row = await this.reads.scenario(id, version);
    return row ? toScenario(row) : null;
  }

  @Allow(SCENARIO_READERS)
  @Query(() => ScenarioConnection, { description: 'Every scenario at its latest version, most recently edited first.' })
  async scenarios(
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
  ): Promise<ScenarioConnection> {
    const limit = pageSize(first);
    const cursor = decodeCursor('scenarios', after, ['string', 'string']) as [string, string] | undefined;
    const rows = await this.reads.scenarios(limit, cursor && { recordedAt: cursor[0], scenarioId: cursor[1] });
    return toConnection(rows, limit, (r) => encodeCursor('scenarios', [new Date(r.recorded_at).toISOString(), r.scenario_id]), toScenario);
  }

  @Allow(SCENARIO_PLANNERS)
  @Mutation(() => Scenario, { description: 'Creates a scenario, version 1 (planners only). It never changes the live network.' })
  async createScenario(@Args('input', { description: 'Its assumptions.' }) input: ScenarioInput, @Acting() acting: CommandContext): Promise<Scenario> {
    return this.answer(await this.commands.execute(new CreateScenarioCommand(assumptionsOf(input), acting)));
  }

  @Allow(SCENARIO_PLANNERS)
  @Mutation(() => Scenario, { description: 'Edits a scenario as its next version (planners only); runs keep the version they used.' })
  async updateScenario(
    @Args('id', { type: () => ID, description: 'The scenario’s id.' }) id: string,
    @Args('input', { description: 'Its assumptions, whole.' }) input: ScenarioInput,
    @Acting() acting: CommandContext,
    @Args('basedOnVersion', { type: () => Int, nullable: true, description: 'The version you edited: refused if someone has edited it since.' }) basedOnVersion?: number | null,
    @Args('reason', { type: () => String, nullable: true, description: 'Why, for the audit trail.' }) reason?: string | null,
  ): Promise<Scenario> {
    return this.answer(await this.commands.execute(new UpdateScenarioCommand(id, assumptionsOf(input), basedOnVersion ?? null, reason, acting)));
  }

  private async answer({ scenarioId, version, position }: ScenarioChanged): Promise<Scenario> {
    await this.readYourWrites.after(position);
    const row = await this.reads.scenario(scenarioId, version);
    if (!row) throw new NotFoundError('scenario', scenarioId);
    return toScenario(row);
  }
}
