import { normaliseCoi } from '../domain';
import { Args, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '@bedside/event-store';
import { Acting, pageSize, Allow, Connection, decodeCursor, encodeCursor, toConnection, GraphQLLocalDate } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { CLINICAL, NotFoundError, PATIENT_LEVEL_READERS } from '@bedside/shared';
import { PathwayReads } from '../application/pathway-reads';
import type { PathwayChanged } from '../application/referral-commands';
import { AcceptRepairCommand, AtRiskPathways } from '../application/repair';
import { toPathway, toPlan } from './pathway.mapper';
import { Pathway, Slot, VeinToVeinPlan } from './pathway.types';
import { ArrangeMonitoringStayCommand, PostponePatientCommand } from '../application/postponement';

@ObjectType({ description: 'A pathway whose booking no longer holds, with why and a repaired plan where one can be made.' })
class AtRiskPathway {
  @Field(() => Pathway, { description: 'The pathway.' }) pathway!: Pathway;
  @Field(() => [String], { description: 'What broke, in words (e.g. the unit out of service and the slot it took).' }) reasons!: string[];
  @Field(() => VeinToVeinPlan, {
    nullable: true,
    description: 'The proposed repaired plan. It keeps what is done: a collected patient is not collected again (the material must still reach a unit within its hold), a batch under way stays on its unit.',
  })
  proposal!: VeinToVeinPlan | null;
  @Field(() => [Slot], { description: 'Booked slots of steps already done that the proposal keeps (empty before collection).' }) keptSlots!: Slot[];
  @Field({ description: 'The proposal is a new collection because the product failed.' }) recollection!: boolean;
  @Field(() => ID, { nullable: true, description: 'Pass to acceptRepair to book the proposal.' }) proposalId!: string | null;
  @Field(() => String, { nullable: true, description: 'Why there is no proposal, when there is none.' }) note!: string | null;
}

@ObjectType({ description: 'A page of at-risk pathways.' })
class AtRiskPathwayConnection extends Connection(AtRiskPathway, 'AtRiskPathway', 'at-risk pathway') {}

@Resolver()
export class RepairResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly atRisk: AtRiskPathways,
    private readonly reads: PathwayReads,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Allow(PATIENT_LEVEL_READERS)
  @Query(() => AtRiskPathwayConnection, {
    description: 'Booked pathways whose plan no longer holds (capacity lost, patient postponed, product failed or past its shelf life), each with a proposed repair or a note saying why there is none.',
  })
  async atRiskPathways(
    @Acting() acting: CommandContext,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
  ): Promise<AtRiskPathwayConnection> {
    const limit = pageSize(first);
    const [afterCoi] = decodeCursor('at-risk', after, ['string']) ?? [];
    const entries = await this.atRisk.page((afterCoi as string | undefined) ?? null, limit, acting);
    return toConnection(entries, limit, (e) => encodeCursor('at-risk', [e.pathway.coi]), (e) => ({
      pathway: toPathway(e.pathway),
      reasons: e.reasons,
      proposal: e.proposal && toPlan(e.proposal, e.pathway.referred_at),
      proposalId: e.proposalId,
      keptSlots: [...e.keptSlots],
      recollection: e.recollection,
      note: e.note,
    }));
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, {
    description: 'The patient cannot be collected or conditioned before `until` (e.g. an infection). A booked pathway then shows in atRiskPathways with a repaired plan; a referral not yet booked is planned from that day.',
  })
  async postponePatient(
    @Args('coi', { type: () => ID, description: 'Chain of Identity.' }) coi: string,
    @Args('until', { type: () => GraphQLLocalDate, description: 'First day the patient can go on (after today).' }) until: string,
    @Args('reason', { description: 'Why, for the record.' }) reason: string,
    @Acting() acting: CommandContext,
  ): Promise<Pathway> {
    return this.changed(await this.commands.execute(new PostponePatientCommand(normaliseCoi(coi), until, reason, acting)));
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, {
    description:
      'Where the patient will stay for the monitoring period when not at home, e.g. accommodation near a centre beyond reach of home: plans are then made for centres within reach of that district, and conditioning and infusion are judged by it.',
  })
  async arrangeMonitoringStay(
    @Args('coi', { type: () => ID, description: 'Chain of Identity.' }) coi: string,
    @Args('district', { description: 'The postcode district of the stay, e.g. "M20" (never a full postcode or address).' }) district: string,
    @Args('reason', { description: 'Why the patient stays away from home, for the record.' }) reason: string,
    @Acting() acting: CommandContext,
  ): Promise<Pathway> {
    return this.changed(await this.commands.execute(new ArrangeMonitoringStayCommand(normaliseCoi(coi), district, reason, acting)));
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Books the proposed repair of an at-risk pathway, releasing its broken booking in the same step.' })
  async acceptRepair(
    @Args('coi', { type: () => ID, description: 'Chain of Identity.' }) coi: string,
    @Args('proposalId', { type: () => ID, description: 'From atRiskPathways.' }) proposalId: string,
    @Acting() acting: CommandContext,
  ): Promise<Pathway> {
    return this.changed(await this.commands.execute(new AcceptRepairCommand(normaliseCoi(coi), proposalId, acting)));
  }

  private async changed({ coi: id, position }: PathwayChanged): Promise<Pathway> {
    await this.readYourWrites.after(position);
    const row = await this.reads.pathway(id);
    if (!row) throw new NotFoundError('pathway', id);
    return toPathway(row);
  }
}
