import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Allow, decodeCursor, encodeCursor, GraphQLLocalDate, pageSize, toConnection } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { NETWORK_TIME_ZONE, CLOCK, CONTROL_SITE, EVERYONE, localDateOf, NotFoundError, parseLocalDate, ValidationError, type Clock, type LocalDate } from '@bedside/shared';
import { DeployUnitCommand, RecallUnitCommand, type DeploymentRecorded } from '../application/deployment-commands';
import { DEPLOYMENT_CHANGED, type DeploymentChangedPayload } from '../application/live-deployments';
import { NetworkReadModel } from '../application/network-read-model';
import { normaliseUnitId, siteOn } from '../domain';
import { toDeployment } from './deployment.mappers';
import { Deployment, DeploymentConnection, DeployUnitInput } from './deployment.types';
import { ModularUnit } from './network-model.types';

interface PubSub {
  subscribe(topic: string): Promise<AsyncIterable<unknown>>;
}

/** Deployments of mobile units (issue 13 §1, §6): Control Site QA deploys and recalls; everyone reads. */
@Resolver()
export class DeploymentResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModel: NetworkReadModel,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private today(): LocalDate {
    return localDateOf(this.clock.now(), NETWORK_TIME_ZONE);
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => Deployment, {
    description:
      'Moves a mobile unit to a site (Control Site QA): it offers nothing from `leavesOn` through tear-down, road, set-up and requalification, then offers capacity there. Refused (CONFLICT) if it overlaps another move, or would strand booked pathways unless forced.',
  })
  async deployUnit(@Args('input', { description: 'Where the unit goes, from when, and why.' }) input: DeployUnitInput, @Acting() acting: CommandContext): Promise<Deployment> {
    const recorded: DeploymentRecorded = await this.commands.execute(new DeployUnitCommand(input.unitId, input, acting));
    return this.shown(recorded);
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => Deployment, {
    description: 'Brings a deployed unit home, leaving today, the way it went (same tear-down, set-up and requalification days); planned moves not yet begun are called off (Control Site QA).',
  })
  async recallUnit(
    @Args('unitId', { type: () => ID, description: 'The mobile unit.' }) unitId: string,
    @Args('reason', { description: 'Why it comes home (e.g. "surge over").' }) reason: string,
    @Args('force', { type: () => Boolean, nullable: true, description: 'Recall even though pathways are booked on it from today: they are flagged at risk with a repaired plan.' }) force: boolean | undefined,
    @Acting() acting: CommandContext,
  ): Promise<Deployment> {
    return this.shown(await this.commands.execute(new RecallUnitCommand(unitId, reason, force ?? false, acting)));
  }

  private async shown({ deployment, position }: DeploymentRecorded): Promise<Deployment> {
    await this.readYourWrites.after(position);
    return toDeployment(deployment, undefined, this.today());
  }

  @Allow(EVERYONE)
  @Query(() => DeploymentConnection, { description: 'Deployments in force (called-off ones are left out), by unit and then in order; those under way between `from` and `to` when given.' })
  async deployments(
    @Args('unitId', { type: () => ID, nullable: true, description: 'Only this unit’s.' }) unitId?: string,
    @Args('from', { type: () => GraphQLLocalDate, nullable: true, description: 'Only those under way on or after this day.' }) from?: string,
    @Args('to', { type: () => GraphQLLocalDate, nullable: true, description: 'Only those under way on or before this day.' }) to?: string,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
  ): Promise<DeploymentConnection> {
    if (from && to && parseLocalDate('to', to) < parseLocalDate('from', from)) throw new ValidationError('to', `The range ends (${to}) before it starts (${from}).`);
    const limit = pageSize(first);
    const [afterId] = (decodeCursor('deployments', after, ['string']) ?? []) as string[];
    const today = this.today();
    const units = await this.readModel.deployedUnits(unitId ? normaliseUnitId('unitId', unitId) : null);
    if (unitId && units.length === 0 && !(await this.readModel.unit(unitId))) throw new NotFoundError('modular unit', unitId);
    // By unit id in code-unit order (as the cursor compares them, whatever the database's collation), then in order.
    const byUnit = [...units].sort((a, b) => (a.unit_id < b.unit_id ? -1 : a.unit_id > b.unit_id ? 1 : 0));
    const all = byUnit.flatMap((u) => u.deployments.map((d, i) => ({ d, next: u.deployments[i + 1] })));
    const rows = all
      .filter(({ d, next }) => (!to || d.leavesOn <= to) && (!from || !next || next.leavesOn > from))
      .filter(({ d }) => !afterId || isAfterCursor(d, afterId))
      .slice(0, limit + 1);
    return toConnection(rows, limit, ({ d }) => encodeCursor('deployments', [d.deploymentId]), ({ d, next }) => toDeployment(d, next, today));
  }

  @Allow(EVERYONE)
  @Subscription(() => Deployment, {
    description: 'Each deployment or recall recorded (of one unit, or of all), as it stands once the read models show it.',
    filter: (payload: DeploymentChangedPayload, variables: { unitId?: string | null }) => !variables.unitId || payload.unitId === variables.unitId.trim().toUpperCase(),
    async resolve(this: DeploymentResolver, payload: DeploymentChangedPayload): Promise<Deployment> {
      const [unit] = await this.readModel.deployedUnits(payload.unitId);
      const i = unit?.deployments.findIndex((d) => d.deploymentId === payload.deploymentId) ?? -1;
      if (!unit || i < 0) throw new NotFoundError('deployment', payload.deploymentId);
      return toDeployment(unit.deployments[i]!, unit.deployments[i + 1], this.today());
    },
  })
  deploymentChanged(
    @Context('pubsub') pubsub: PubSub,
    @Args('unitId', { type: () => ID, nullable: true, description: 'Only this unit’s.' }) _unitId?: string,
  ): Promise<AsyncIterable<unknown>> {
    return pubsub.subscribe(DEPLOYMENT_CHANGED);
  }
}

/** Whether a deployment comes after the one a cursor names: by unit id, then by number ("MU-1-D10" after "MU-1-D9"). */
function isAfterCursor(d: { unitId: string; deploymentId: string }, cursorId: string): boolean {
  const match = /^(.*)-D(\d+)$/.exec(cursorId);
  if (!match) return true;
  const [, unitId, n] = match as unknown as [string, string, string];
  if (d.unitId !== unitId) return d.unitId > unitId;
  return Number(/-D(\d+)$/.exec(d.deploymentId)![1]) > Number(n);
}

/** A unit's location follows its deployments (docs/domain.md "Deployments"). */
@Resolver(() => ModularUnit)
export class ModularUnitLocationResolver {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  @ResolveField(() => String, { description: 'Code of the site where it is today (or on the day it was read as of), or is on its way to: its home until a deployment takes it elsewhere.' })
  currentSiteCode(@Parent() unit: ModularUnit): string {
    return siteOn(unit.homeSiteCode, unit.deploymentsInForce ?? [], localDateOf(unit.asOf ?? this.clock.now(), NETWORK_TIME_ZONE));
  }

  @ResolveField(() => [Deployment], { description: 'Its deployments in force, in order: its deployment calendar.' })
  deployments(@Parent() unit: ModularUnit): Deployment[] {
    const today = localDateOf(unit.asOf ?? this.clock.now(), NETWORK_TIME_ZONE);
    const list = unit.deploymentsInForce ?? [];
    return list.map((d, i) => toDeployment(d, list[i + 1], today));
  }
}
