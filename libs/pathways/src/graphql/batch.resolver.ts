import { Args, Field, ID, InputType, Int, Mutation, ObjectType, Query, ResolveField, Resolver, registerEnumType } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Allow, asEnum, Connection, decodeCursor, encodeCursor, GraphQLLocalDate, loadersOf, pageSize, toConnection, type GraphQLRequestContext } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { CLINICAL, NotFoundError, type Caller } from '@bedside/shared';
import { ReportAdverseEventCommand } from '../application/adverse-events';
import { BatchReads, type BatchHistoryEntry, type BatchWithPathway } from '../application/batch-reads';
import { PathwayReads } from '../application/pathway-reads';
import type { PathwayChanged } from '../application/referral-commands';
import { ADVERSE_EVENT_SERIOUSNESS, normaliseCoi, type AdverseEventSeriousness } from '../domain';
import { batchStatus } from '../projections/batches.projection';
import { toPathway } from './pathway.mapper';
import { Pathway } from './pathway.types';

export const AdverseEventSeriousnessEnum = asEnum(ADVERSE_EVENT_SERIOUSNESS);
registerEnumType(AdverseEventSeriousnessEnum, {
  name: 'AdverseEventSeriousness',
  description: 'Whether an adverse event is serious (results in death, is life-threatening, needs or prolongs hospitalisation, or causes lasting disability).',
  valuesMap: { SERIOUS: { description: 'Serious.' }, NON_SERIOUS: { description: 'Not serious.' } },
});

@ObjectType({ description: 'One recorded event about a batch, as the pathway’s record holds it.' })
class BatchHistoryItem {
  @Field(() => ID, { description: 'The event’s id (the audit trail’s eventId).' }) eventId!: string;
  @Field({ description: 'What happened: the event type, e.g. ManufactureStarted, ProductReleased, PatientInfused, AdverseEventReported, StepCorrected.' }) type!: string;
  @Field(() => Date, { nullable: true, description: 'When it happened.' }) occurredAt!: Date | null;
  @Field({ description: 'When it was recorded.' }) recordedAt!: Date;
  @Field({ description: 'Who recorded it.' }) actor!: string;
  @Field(() => String, { nullable: true, description: 'Why, where a reason was recorded.' }) reason!: string | null;
  @Field(() => String, { nullable: true, description: 'Who signed it (a QC release), from their verified token.' }) signer!: string | null;
  @Field(() => Date, { nullable: true, description: 'When the signer had signed in: the proof of a recent sign-in.' }) signedInAt!: Date | null;
  @Field(() => GraphQLJSONObject, { description: 'The recorded facts themselves.' }) data!: Record<string, unknown>;
}

@ObjectType({ description: 'A batch of product, made for one patient on one unit (issue 14 §1): the starting point of a recall or a safety report.' })
export class Batch {
  @Field(() => ID, { description: 'The batch id: issued by Bedside (<unit>-<year>-<sequence>) or given by the site’s system.' }) batchId!: string;
  @Field({ description: 'Issued by Bedside (true) or given by the site (false).' }) issued!: boolean;
  @Field({ description: 'Product.' }) productCode!: string;
  @Field({ description: 'The unit it was made on.' }) unitId!: string;
  @Field({ description: 'The site where it was made.' }) siteCode!: string;
  @Field({ description: 'When manufacture started.' }) startedAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When manufacture ended.' }) completedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'When it failed (manufacture or QC).' }) failedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Why it failed.' }) failureReason!: string | null;
  @Field(() => Date, { nullable: true, description: 'When QC released it.' }) releasedAt!: Date | null;
  @Field({ description: 'Released exceptionally (out of specification, two signatures).' }) exceptional!: boolean;
  @Field(() => Date, { nullable: true, description: 'When the patient received it.' }) infusedAt!: Date | null;
  @Field({ description: 'IN_MANUFACTURE, MANUFACTURED, RELEASED, FAILED, or ENTERED_IN_ERROR (its start of manufacture was marked so).' }) status!: string;
  @Field(() => Int, { description: 'Adverse events reported against it.' }) adverseEventCount!: number;
  @Field(() => ID, { description: 'Chain of Identity of the pathway (patient) it was made for and reached.' }) coi!: string;
  @Field({ description: 'The referring trust of that patient.' }) referringTrust!: string;
  @Field(() => String, { nullable: true, description: 'The pathway’s status now.' }) pathwayStatus!: string | null;
}

@ObjectType({ description: 'A page of batches, in the order their manufacture started.' })
export class BatchConnection extends Connection(Batch, 'Batch', 'batch') {}

@InputType({ description: 'Which batches a lookback starts from: every filter given must hold.' })
class BatchFilterInput {
  @Field(() => String, { nullable: true, description: 'Product code.' }) productCode?: string | null;
  @Field(() => String, { nullable: true, description: 'Manufacturing site code.' }) siteCode?: string | null;
  @Field(() => String, { nullable: true, description: 'Unit id, e.g. MU-RBV01-COC1.' }) unitId?: string | null;
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Manufacture started on or after this day (UK).' }) from?: string | null;
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Manufacture started on or before this day (UK).' }) to?: string | null;
}

@InputType({ description: 'An adverse event a patient had, reported against their batch.' })
class AdverseEventInput {
  @Field(() => ID, { description: 'Chain of Identity of the patient’s pathway.' }) coi!: string;
  @Field(() => Date, { description: 'When it began (onset), not when it is reported; not in the future.' }) occurredAt!: Date;
  @Field(() => AdverseEventSeriousnessEnum, { description: 'Serious or not.' }) seriousness!: AdverseEventSeriousness;
  @Field({ description: 'What happened, e.g. "Grade 2 cytokine release syndrome, tocilizumab given".' }) description!: string;
}

const toBatch = (r: BatchWithPathway): Batch => ({
  batchId: r.batch_id,
  issued: r.issued,
  productCode: r.product_code,
  unitId: r.unit_id,
  siteCode: r.site_code,
  startedAt: r.started_at,
  completedAt: r.completed_at,
  failedAt: r.failed_at,
  failureReason: r.failure_reason,
  releasedAt: r.released_at,
  exceptional: r.exceptional,
  infusedAt: r.infused_at,
  status: batchStatus(r),
  adverseEventCount: r.adverse_events,
  coi: r.coi,
  referringTrust: r.referring_trust,
  pathwayStatus: r.pathway_status,
});

const toItem = (e: BatchHistoryEntry): BatchHistoryItem => ({ ...e, occurredAt: e.occurredAt ? new Date(e.occurredAt) : null, signedInAt: e.signedInAt ? new Date(e.signedInAt) : null });

const HISTORY_LOADER = 'batch-history';

/** Batches and the safety lookback (issue 14 §1): Control Site QA sees every batch, a trust its own patients’. */
@Resolver(() => Batch)
export class BatchResolver {
  constructor(
    private readonly batches: BatchReads,
    private readonly commands: CommandBus,
    private readonly pathways: PathwayReads,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Allow(CLINICAL)
  @Query(() => Batch, { description: 'One batch, with its whole history (history) and the patient it reached.' })
  async batch(@Args('batchId', { type: () => ID, description: 'The batch id, as on the label.' }) batchId: string, @Acting() caller: Caller): Promise<Batch> {
    return toBatch(await this.batches.batch(batchId, caller));
  }

  @Allow(CLINICAL)
  @Query(() => BatchConnection, {
    description:
      'The lookback a recall or a safety report starts from: batches by product, manufacturing site, unit and the days manufacture started, in the order they started, each with the pathway it reached. A scheduler sees their own trusts’ patients’ batches only.',
  })
  async batchLookback(
    @Args('filter', { type: () => BatchFilterInput, nullable: true, description: 'Which batches (default: all you may see).' }) filter: BatchFilterInput | null,
    @Acting() caller: Caller,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
  ): Promise<BatchConnection> {
    const limit = pageSize(first);
    const [startedAt, batchId] = (decodeCursor('batches', after, ['string', 'string']) ?? []) as string[];
    const rows = await this.batches.batches(filter ?? {}, caller, limit, startedAt && batchId ? { startedAt, batchId } : undefined);
    return toConnection(rows, limit, (r) => encodeCursor('batches', [r.started_at.toISOString(), r.batch_id]), toBatch);
  }

  @ResolveField(() => [BatchHistoryItem], {
    description: 'Everything recorded about the batch, in order: its start, end, QC, release (with signatures), infusion, adverse events, and corrections of them.',
  })
  history(batch: Batch, _args: unknown, context: GraphQLRequestContext): Promise<BatchHistoryItem[]> {
    return loadersOf(context)
      .get<{ batchId: string; coi: string }, BatchHistoryEntry[]>(HISTORY_LOADER, (keys) => this.batches.histories(keys))
      .load({ batchId: batch.batchId, coi: batch.coi })
      .then((entries) => entries.map(toItem));
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, {
    description: 'Reports an adverse event a patient had, against the batch they received (or the batch made or under way for them): it then shows in the batch’s history and the lookback.',
  })
  async reportAdverseEvent(@Args('input', { description: 'The adverse event.' }) input: AdverseEventInput, @Acting() acting: CommandContext): Promise<Pathway> {
    const { coi, ...report } = input;
    const changed: PathwayChanged = await this.commands.execute(new ReportAdverseEventCommand(normaliseCoi(coi), report, acting));
    await this.readYourWrites.after(changed.position);
    const row = await this.pathways.pathway(changed.coi);
    if (!row) throw new NotFoundError('pathway', changed.coi);
    return toPathway(row);
  }
}

