import { Inject } from '@nestjs/common';
import { Args, ID, Info, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Allow, Loaders, selects, type RequestLoaders } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { CLINICAL, CLOCK, ConflictError, type Clock, NotFoundError, PATIENT_LEVEL_READERS, requireTrust } from '@bedside/shared';
import { ConfirmHoldCommand, HoldPlanCommand, ReleaseHoldCommand, type HoldChanged } from '../application/hold-commands';
import { PathwayReads, type HoldRow } from '../application/pathway-reads';
import { toPathway, toPlan } from './pathway.mapper';
import { ReferPatientCommand, type PathwayChanged } from '../application/referral-commands';
import { normaliseCoi } from '../domain';
import { Hold, HoldPlanInput, Pathway, PlanRequestInput, ReferralInput, VeinToVeinPlan } from './pathway.types';
import { PlanOptions } from '../application/plan-options';
import { PathwayAccess } from '../application/pathway-access';
import { PathwayAsOf } from '../application/pathway-as-of';
import { PathwayTimelines } from '../application/pathway-timelines';
import { PATHWAY_TIMELINE_LOADER } from './pathway-timeline.resolver';

const toHold = (r: HoldRow): Hold => ({ id: r.hold_id, coi: r.coi, status: r.status, expiresAt: r.expires_at, slots: r.slots });

/** Referral, holds and bookings: mutations become commands; answers come once every read model shows them. */
@Resolver(() => Pathway)
export class PathwayResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly reads: PathwayReads,
    private readonly readYourWrites: ReadYourWrites,
    private readonly planOptionsSearch: PlanOptions,
    private readonly access: PathwayAccess,
    private readonly asOfReads: PathwayAsOf,
    private readonly timelines: PathwayTimelines,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Allow(PATIENT_LEVEL_READERS)
  @Query(() => Pathway, { nullable: true, description: 'One pathway by its Chain of Identity; with `asOf`, as it was recorded at that instant.' })
  async pathway(
    @Args('coi', { type: () => ID, description: 'Chain of Identity identifier.' }) coi: string,
    @Acting() acting: CommandContext,
    @Info() info: GraphQLResolveInfo,
    @Loaders() loaders: RequestLoaders,
    @Args('asOf', { nullable: true, description: 'Show the pathway as recorded at this instant (UTC), rebuilt from its events; not in the future. Empty when it was not yet referred then.' }) asOf?: Date,
  ): Promise<Pathway | null> {
    if (asOf) {
      const then = await this.asOfReads.visiblePathway(coi, acting, asOf);
      return then ? toPathway(then) : null;
    }
    const id = normaliseCoi(coi);
    if (selects(info, 'timeline')) {
      // The row and its timeline in one statement: the timeline field then takes what was read here.
      const found = await this.timelines.pathwayWithTimeline(id, acting);
      if (!found) return null;
      requireTrust(acting, found.row.referring_trust, 'see pathways');
      loaders.provide(PATHWAY_TIMELINE_LOADER, id, found.steps);
      return toPathway(found.row);
    }
    const row = await this.reads.visiblePathway(id, acting);
    return row ? toPathway(row) : null;
  }

  @Allow(PATIENT_LEVEL_READERS)
  @Query(() => [VeinToVeinPlan], {
    description: 'The best few feasible vein-to-vein plans for a referred pathway, earliest infusion first, each with what kept it from being earlier. Exact for the model: no earlier plan is missed.',
  })
  async planOptions(@Args('input', { description: 'Which pathway to plan.' }) input: PlanRequestInput, @Acting() acting: CommandContext): Promise<VeinToVeinPlan[]> {
    await this.access.trustOf(input.coi, acting, 'plan pathways');
    const { plans, reasonNone } = await this.planOptionsSearch.forPathway(input.coi, input);
    if (plans.length === 0 && reasonNone) throw new ConflictError(`No plan fits: ${reasonNone}`, { coi: input.coi });
    const row = await this.reads.pathway(normaliseCoi(input.coi));
    return plans.map((plan) => toPlan(plan, row?.referred_at ?? this.clock.now()));
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Refers a patient: issues a Chain of Identity unless one is given, pins the product’s DMMF version, works out the earliest collection day.' })
  async referPatient(@Args('input', { description: 'The referral.' }) input: ReferralInput, @Acting() acting: CommandContext): Promise<Pathway> {
    return this.pathwayAfter(await this.commands.execute(new ReferPatientCommand(input, acting)));
  }

  @Allow(CLINICAL)
  @Mutation(() => Hold, { description: 'Holds every slot of a plan at once (SLOT_TAKEN when another scheduler got one first; nothing is then held).' })
  async holdPlan(@Args('input', { description: 'The plan to hold.' }) input: HoldPlanInput, @Acting() acting: CommandContext): Promise<Hold> {
    const { holdId, position }: HoldChanged = await this.commands.execute(new HoldPlanCommand({ ...input, coi: normaliseCoi(input.coi) }, acting));
    await this.readYourWrites.after(position);
    const row = await this.reads.hold(holdId);
    if (!row) throw new NotFoundError('hold', holdId);
    return toHold(row);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Books a held plan (HOLD_EXPIRED after it lapsed). Retrying with the same idempotency key books nothing twice.' })
  async confirmHold(
    @Args('holdId', { type: () => ID, description: 'The hold to book.' }) holdId: string,
    @Args('idempotencyKey', { description: 'Your key for this request: a retry with the same key books nothing twice.' }) idempotencyKey: string,
    @Acting() acting: CommandContext,
  ): Promise<Pathway> {
    return this.pathwayAfter(await this.commands.execute(new ConfirmHoldCommand(holdId, idempotencyKey, acting)));
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Gives a held (or booked) plan’s slots back.' })
  async releaseHold(
    @Args('holdId', { type: () => ID, description: 'The hold (or booking) to release.' }) holdId: string,
    @Acting() acting: CommandContext,
    @Args('reason', { type: () => String, nullable: true, description: 'Why.' }) reason?: string,
  ): Promise<Pathway> {
    return this.pathwayAfter(await this.commands.execute(new ReleaseHoldCommand(holdId, reason, acting)));
  }

  private async pathwayAfter({ coi, position }: PathwayChanged): Promise<Pathway> {
    await this.readYourWrites.after(position);
    const row = await this.reads.pathway(coi);
    if (!row) throw new NotFoundError('pathway', coi);
    return toPathway(row);
  }
}
