import { Args, Field, ID, InputType, Int, Mutation, registerEnumType, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Allow, asEnum } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { CLINICAL, NotFoundError } from '@bedside/shared';
import { RecordStepCommand, type StepTiming } from '../application/lifecycle-commands';
import { PathwayReads } from '../application/pathway-reads';
import type { PathwayChanged } from '../application/referral-commands';
import { HANDOVER_KINDS, normaliseCoi, type HandoverKind, type LifecycleStep } from '../domain';
import { toPathway } from './pathway.mapper';
import { Pathway } from './pathway.types';

export const HandoverKindEnum = asEnum(HANDOVER_KINDS);
registerEnumType(HandoverKindEnum, {
  name: 'HandoverKind',
  description: 'Which end of the chain of custody a handover is.',
  valuesMap: {
    SHIPPED: { description: 'Leaving the collection site.' },
    RECEIVED: { description: 'Received at the booked unit’s site.' },
  },
});

const OCCURRED_AT = 'When it happened (UTC instant), if not now: not in the future, not before the step it follows. The clinical rules judge this instant.';
const LATE_REASON = 'Why the step is recorded late: needed when it is recorded more than LATE_RECORDING_MINUTES (default 60) after it happened.';

@InputType({ description: 'Collection completed.' })
class CollectionInput {
  @Field(() => ID, { description: 'Chain of Identity.' }) coi!: string;
  @Field({ description: 'Site where collection happened.' }) siteCode!: string;
  @Field(() => Int, { description: 'Apheresis sessions it took.' }) sessions!: number;
  @Field(() => Number, { nullable: true, description: 'CD3+ yield, ×10⁹ cells.' }) cd3YieldE9?: number | null;
  @Field(() => Date, { nullable: true, description: 'When collection ended (the last session), if not now.' }) occurredAt?: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When the first session began: the fresh hold counts from it. Default: the first booked apheresis session when collection ended on a booked day, else one session before occurredAt.',
  })
  firstSessionStartedAt?: Date | null;
  @Field(() => String, { nullable: true, description: LATE_REASON }) lateReason?: string | null;
}

@InputType({ description: 'A chain-of-custody handover of starting material; the label’s Chain of Identity is checked.' })
class HandoverInput {
  @Field(() => ID, { description: 'Chain of Identity of the pathway.' }) coi!: string;
  @Field(() => HandoverKindEnum, { description: 'SHIPPED (leaving the collection site) or RECEIVED (at the booked unit’s site).' }) handover!: HandoverKind;
  @Field({ description: 'Who handed over.' }) from!: string;
  @Field({ description: 'Who received.' }) to!: string;
  @Field({ description: 'Site of the handover.' }) siteCode!: string;
  @Field({ description: 'Condition on handover (temperature, seal).' }) condition!: string;
  @Field({ description: 'Chain of Identity read from the label.' }) scannedCoi!: string;
  @Field(() => Date, { nullable: true, description: OCCURRED_AT }) occurredAt?: Date | null;
  @Field(() => String, { nullable: true, description: LATE_REASON }) lateReason?: string | null;
}

@InputType({ description: 'Start of manufacture on the booked unit.' })
class ManufactureStartInput {
  @Field({ description: 'Site of the unit.' }) siteCode!: string;
  @Field({ description: 'The unit: the one the booking names, qualified, at an active site, designated in the pathway’s DMMF version.' }) unitId!: string;
  @Field(() => String, {
    nullable: true,
    description: 'The batch id the site’s own system assigned (3 to 48 letters, digits and dashes), when it assigns one; else Bedside issues the next of the unit’s register, e.g. MU-RBV01-COC1-2027-0001.',
  })
  batchId?: string | null;
  @Field(() => String, { nullable: true, description: 'The Chain of Identity read from the starting material’s label at the unit: a mismatch stops manufacture (CONFLICT).' })
  labelCoi?: string | null;
  @Field(() => Date, { nullable: true, description: OCCURRED_AT }) occurredAt?: Date | null;
  @Field(() => String, { nullable: true, description: LATE_REASON }) lateReason?: string | null;
}

@InputType({
  description:
    'QC release, signed by the caller. An exceptional release of out-of-specification product takes two people: the first releases exceptionally with the reason (recorded as asked for), and a second, different Qualified Person approves by releasing exceptionally in turn.',
})
class ReleaseInput {
  @Field({ description: 'Site of release.' }) siteCode!: string;
  @Field(() => Boolean, { nullable: true, description: 'Out-of-specification product released exceptionally (default no).' }) exceptional?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Why (required to ask for an exceptional release; the approval carries it on).' }) reason?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'No longer read: the approving Qualified Person signs as themselves (issue 14 §2).',
    deprecationReason: 'The approving Qualified Person releases the product exceptionally in turn, signed with their own sign-in.',
  })
  approver?: string | null;
  @Field(() => Date, { nullable: true, description: OCCURRED_AT }) occurredAt?: Date | null;
  @Field(() => String, { nullable: true, description: LATE_REASON }) lateReason?: string | null;
}

@InputType({ description: 'Infusion; blocked when the product label’s Chain of Identity is not the pathway’s.' })
class InfusionInput {
  @Field(() => ID, { description: 'Chain of Identity of the pathway.' }) coi!: string;
  @Field({ description: 'Treatment centre.' }) siteCode!: string;
  @Field({ description: 'Chain of Identity read from the product label at the bedside.' }) productCoi!: string;
  @Field(() => Date, { nullable: true, description: OCCURRED_AT }) occurredAt?: Date | null;
  @Field(() => String, { nullable: true, description: LATE_REASON }) lateReason?: string | null;
}

const COI = { type: () => ID, description: 'Chain of Identity of the pathway.' };
const SITE = { description: 'Site where it happened.' };
const WHEN = { type: () => Date, nullable: true, description: OCCURRED_AT };
const LATE = { type: () => String, nullable: true, description: LATE_REASON };

/**
 * The clinical steps after booking, each only in its permitted order (STEP_OUT_OF_ORDER otherwise),
 * each dated when it happened (`occurredAt`, default now; issue 11 §2).
 */
@Resolver(() => Pathway)
export class LifecycleResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly reads: PathwayReads,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  private async record(coi: string, step: LifecycleStep, acting: CommandContext, timing: StepTiming): Promise<Pathway> {
    const { coi: id, position }: PathwayChanged = await this.commands.execute(new RecordStepCommand(normaliseCoi(coi), step, acting, timing));
    await this.readYourWrites.after(position);
    const row = await this.reads.pathway(id);
    if (!row) throw new NotFoundError('pathway', id);
    return toPathway(row);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Collection completed (leukapheresis); not before the washout ends.' })
  recordCollection(@Args('input', { description: 'The collection.' }) input: CollectionInput, @Acting() acting: CommandContext) {
    const collection = { siteCode: input.siteCode, sessions: input.sessions, cd3YieldE9: input.cd3YieldE9 ?? null, firstSessionStartedAt: input.firstSessionStartedAt ?? null };
    return this.record(input.coi, { step: 'COLLECTION', collection }, acting, input);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Starting material shipped or received (chain of custody; COI checked); received only at the booked unit’s site.' })
  recordHandover(@Args('input', { description: 'The handover.' }) input: HandoverInput, @Acting() acting: CommandContext) {
    const handover = { ...input, scannedCoi: input.scannedCoi.trim().toUpperCase() };
    return this.record(input.coi, { step: 'HANDOVER', handover }, acting, input);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Manufacture started on the booked unit (fresh material: within its hold of the first collection session). Starts a batch: see Pathway.batchId.' })
  startManufacture(@Args('coi', COI) coi: string, @Args('input', { description: 'Where.' }) input: ManufactureStartInput, @Acting() acting: CommandContext) {
    return this.record(coi, { step: 'MANUFACTURE_STARTED', siteCode: input.siteCode, unitId: input.unitId, batchId: input.batchId, labelCoi: input.labelCoi }, acting, input);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Manufacture completed.' })
  completeManufacture(
    @Args('coi', COI) coi: string,
    @Args('siteCode', SITE) siteCode: string,
    @Acting() acting: CommandContext,
    @Args('occurredAt', WHEN) occurredAt?: Date | null,
    @Args('lateReason', LATE) lateReason?: string | null,
  ) {
    return this.record(coi, { step: 'MANUFACTURE_COMPLETED', siteCode }, acting, { occurredAt, lateReason });
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Manufacture failed, with the reason.' })
  failManufacture(
    @Args('coi', COI) coi: string,
    @Args('siteCode', SITE) siteCode: string,
    @Args('reason', { description: 'Why.' }) reason: string,
    @Acting() acting: CommandContext,
    @Args('occurredAt', WHEN) occurredAt?: Date | null,
    @Args('lateReason', LATE) lateReason?: string | null,
  ) {
    return this.record(coi, { step: 'MANUFACTURE_FAILED', siteCode, reason }, acting, { occurredAt, lateReason });
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'QC release, signed by the caller with a recent sign-in (an exceptional release: asked for by one person, approved by a second).' })
  releaseProduct(@Args('coi', COI) coi: string, @Args('input', { description: 'The release.' }) input: ReleaseInput, @Acting() acting: CommandContext) {
    return this.record(coi, { step: 'PRODUCT_RELEASED', siteCode: input.siteCode, exceptional: input.exceptional ?? false, reason: input.reason }, acting, input);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'QC failed, with the reason.' })
  failQc(
    @Args('coi', COI) coi: string,
    @Args('siteCode', SITE) siteCode: string,
    @Args('reason', { description: 'Why.' }) reason: string,
    @Acting() acting: CommandContext,
    @Args('occurredAt', WHEN) occurredAt?: Date | null,
    @Args('lateReason', LATE) lateReason?: string | null,
  ) {
    return this.record(coi, { step: 'QC_FAILED', siteCode, reason }, acting, { occurredAt, lateReason });
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Product availability confirmed: the gate before conditioning.' })
  confirmProductAvailability(
    @Args('coi', COI) coi: string,
    @Args('siteCode', SITE) siteCode: string,
    @Acting() acting: CommandContext,
    @Args('occurredAt', WHEN) occurredAt?: Date | null,
    @Args('lateReason', LATE) lateReason?: string | null,
  ) {
    return this.record(coi, { step: 'AVAILABILITY_CONFIRMED', siteCode }, acting, { occurredAt, lateReason });
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Lymphodepleting conditioning started.' })
  startConditioning(
    @Args('coi', COI) coi: string,
    @Args('siteCode', SITE) siteCode: string,
    @Acting() acting: CommandContext,
    @Args('occurredAt', WHEN) occurredAt?: Date | null,
    @Args('lateReason', LATE) lateReason?: string | null,
  ) {
    return this.record(coi, { step: 'CONDITIONING_STARTED', siteCode }, acting, { occurredAt, lateReason });
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'A conditioning dose given, by its day relative to infusion (e.g. -5); each on the calendar day the regimen sets after the first.' })
  recordConditioningDose(
    @Args('coi', COI) coi: string,
    @Args('siteCode', SITE) siteCode: string,
    @Args('day', { type: () => Int, description: 'Day relative to infusion, e.g. -5.' }) day: number,
    @Acting() acting: CommandContext,
    @Args('occurredAt', WHEN) occurredAt?: Date | null,
    @Args('lateReason', LATE) lateReason?: string | null,
  ) {
    return this.record(coi, { step: 'CONDITIONING_DOSE', siteCode, day }, acting, { occurredAt, lateReason });
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, {
    description: 'Frozen product thawed at the bedside, once conditioning is complete and the product released: it must then be infused within the process’s thawedShelfLifeMinutes.',
  })
  recordThaw(
    @Args('coi', COI) coi: string,
    @Args('siteCode', SITE) siteCode: string,
    @Acting() acting: CommandContext,
    @Args('occurredAt', WHEN) occurredAt?: Date | null,
    @Args('lateReason', LATE) lateReason?: string | null,
  ) {
    return this.record(coi, { step: 'THAWED', siteCode }, acting, { occurredAt, lateReason });
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Infusion (day 0), within the product’s window after the last conditioning dose (frozen product: within its thawed shelf life of the thaw); blocked when the product’s Chain of Identity is not the pathway’s.' })
  recordInfusion(@Args('input', { description: 'The infusion.' }) input: InfusionInput, @Acting() acting: CommandContext) {
    return this.record(input.coi, { step: 'INFUSED', siteCode: input.siteCode, productCoi: input.productCoi.trim().toUpperCase() }, acting, input);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Discharged from monitoring.' })
  dischargeFromMonitoring(
    @Args('coi', COI) coi: string,
    @Args('siteCode', SITE) siteCode: string,
    @Acting() acting: CommandContext,
    @Args('occurredAt', WHEN) occurredAt?: Date | null,
    @Args('lateReason', LATE) lateReason?: string | null,
  ) {
    return this.record(coi, { step: 'DISCHARGED', siteCode }, acting, { occurredAt, lateReason });
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'The pathway ends without infusion (withdrawn, or the patient died), with the reason.' })
  withdrawPathway(
    @Args('coi', COI) coi: string,
    @Args('reason', { description: 'Why.' }) reason: string,
    @Acting() acting: CommandContext,
    @Args('siteCode', { nullable: true, description: 'Site recording it.' }) siteCode?: string,
    @Args('died', { nullable: true, description: 'The patient died.' }) died?: boolean,
    @Args('occurredAt', WHEN) occurredAt?: Date | null,
    @Args('lateReason', LATE) lateReason?: string | null,
  ) {
    return this.record(coi, { step: 'WITHDRAWN', siteCode: siteCode ?? 'NONE', reason, died: died ?? false }, acting, { occurredAt, lateReason });
  }
}
