import { Args, Field, ID, InputType, Int, Mutation, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Allow } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { CLINICAL, NotFoundError } from '@bedside/shared';
import { RecordStepCommand, type Step } from '../application/lifecycle-commands';
import { PathwayReads } from '../application/pathway-reads';
import type { PathwayChanged } from '../application/referral-commands';
import * as rules from '../domain/lifecycle';
import { toPathway } from './pathway.mapper';
import { Pathway } from './pathway.types';

@InputType({ description: 'Collection completed.' })
class CollectionInput {
  @Field(() => ID, { description: 'Chain of Identity.' }) coi!: string;
  @Field({ description: 'Site where collection happened.' }) siteCode!: string;
  @Field(() => Int, { description: 'Apheresis sessions it took.' }) sessions!: number;
  @Field(() => Number, { nullable: true, description: 'CD3+ yield, ×10⁹ cells.' }) cd3YieldE9?: number | null;
}

@InputType({ description: 'A chain-of-custody handover of starting material; the label’s Chain of Identity is checked.' })
class HandoverInput {
  @Field(() => ID, { description: 'Chain of Identity of the pathway.' }) coi!: string;
  @Field({ description: 'SHIPPED (leaving the collection site) or RECEIVED (at the unit).' }) handover!: string;
  @Field({ description: 'Who handed over.' }) from!: string;
  @Field({ description: 'Who received.' }) to!: string;
  @Field({ description: 'Site of the handover.' }) siteCode!: string;
  @Field({ description: 'Condition on handover (temperature, seal).' }) condition!: string;
  @Field({ description: 'Chain of Identity read from the label.' }) scannedCoi!: string;
}

@InputType({ description: 'Start of manufacture on a unit.' })
class ManufactureStartInput {
  @Field({ description: 'Site of the unit.' }) siteCode!: string;
  @Field({ description: 'The unit.' }) unitId!: string;
}

@InputType({ description: 'QC release; an exceptional release of out-of-specification product carries reason and approver.' })
class ReleaseInput {
  @Field({ description: 'Site of release.' }) siteCode!: string;
  @Field(() => Boolean, { nullable: true, description: 'Out-of-specification product released exceptionally (default no).' }) exceptional?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Why (required when exceptional).' }) reason?: string | null;
  @Field(() => String, { nullable: true, description: 'Qualified Person approving (required when exceptional).' }) approver?: string | null;
}

@InputType({ description: 'Infusion; blocked when the product label’s Chain of Identity is not the pathway’s.' })
class InfusionInput {
  @Field(() => ID, { description: 'Chain of Identity of the pathway.' }) coi!: string;
  @Field({ description: 'Treatment centre.' }) siteCode!: string;
  @Field({ description: 'Chain of Identity read from the product label at the bedside.' }) productCoi!: string;
}

const COI = { type: () => ID, description: 'Chain of Identity of the pathway.' };
const SITE = { description: 'Site where it happened.' };

/** The clinical steps after booking, each only in its permitted order (STEP_OUT_OF_ORDER otherwise). */
@Resolver(() => Pathway)
export class LifecycleResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly reads: PathwayReads,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  private async record(coi: string, step: Step, acting: CommandContext): Promise<Pathway> {
    const { coi: id, position }: PathwayChanged = await this.commands.execute(new RecordStepCommand(coi, step, acting));
    await this.readYourWrites.after(position);
    const row = await this.reads.pathway(id);
    if (!row) throw new NotFoundError('pathway', id);
    return toPathway(row);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Collection completed (leukapheresis).' })
  recordCollection(@Args('input', { description: 'The collection.' }) input: CollectionInput, @Acting() acting: CommandContext) {
    return this.record(input.coi, (c, p, now) => rules.recordCollection(c, p, input.siteCode, now, input.sessions, input.cd3YieldE9 ?? null), acting);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Starting material shipped or received (chain of custody; COI checked).' })
  recordHandover(@Args('input', { description: 'The handover.' }) input: HandoverInput, @Acting() acting: CommandContext) {
    return this.record(input.coi, (c, p, now) => rules.recordHandover(c, p, { ...input, handover: input.handover === 'SHIPPED' ? 'SHIPPED' : 'RECEIVED', scannedCoi: input.scannedCoi.trim().toUpperCase() }, now), acting);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Manufacture started (fresh material: within its hold).' })
  startManufacture(@Args('coi', COI) coi: string, @Args('input', { description: 'Where.' }) input: ManufactureStartInput, @Acting() acting: CommandContext) {
    return this.record(coi, (c, p, now) => rules.startManufacture(c, p, input.siteCode, input.unitId, now), acting);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Manufacture completed.' })
  completeManufacture(@Args('coi', COI) coi: string, @Args('siteCode', SITE) siteCode: string, @Acting() acting: CommandContext) {
    return this.record(coi, (c, p, now) => rules.completeManufacture(c, p, siteCode, now), acting);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Manufacture failed, with the reason.' })
  failManufacture(@Args('coi', COI) coi: string, @Args('siteCode', SITE) siteCode: string, @Args('reason', { description: 'Why.' }) reason: string, @Acting() acting: CommandContext) {
    return this.record(coi, (c, p, now) => rules.failManufacture(c, p, siteCode, now, reason), { ...acting, reason });
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'QC release (exceptional release carries reason and approver).' })
  releaseProduct(@Args('coi', COI) coi: string, @Args('input', { description: 'The release.' }) input: ReleaseInput, @Acting() acting: CommandContext) {
    const release = { ...input, exceptional: input.exceptional ?? false };
    return this.record(coi, (c, p, now) => rules.releaseProduct(c, p, input.siteCode, now, release), input.reason ? { ...acting, reason: input.reason } : acting);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'QC failed, with the reason.' })
  failQc(@Args('coi', COI) coi: string, @Args('siteCode', SITE) siteCode: string, @Args('reason', { description: 'Why.' }) reason: string, @Acting() acting: CommandContext) {
    return this.record(coi, (c, p, now) => rules.failQc(c, p, siteCode, now, reason), { ...acting, reason });
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Product availability confirmed: the gate before conditioning.' })
  confirmProductAvailability(@Args('coi', COI) coi: string, @Args('siteCode', SITE) siteCode: string, @Acting() acting: CommandContext) {
    return this.record(coi, (c, p, now) => rules.confirmAvailability(c, p, siteCode, now), acting);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Lymphodepleting conditioning started.' })
  startConditioning(@Args('coi', COI) coi: string, @Args('siteCode', SITE) siteCode: string, @Acting() acting: CommandContext) {
    return this.record(coi, (c, p, now) => rules.startConditioning(c, p, siteCode, now), acting);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'A conditioning dose given, by its day relative to infusion (e.g. -5).' })
  recordConditioningDose(
    @Args('coi', COI) coi: string,
    @Args('siteCode', SITE) siteCode: string,
    @Args('day', { type: () => Int, description: 'Day relative to infusion, e.g. -5.' }) day: number,
    @Acting() acting: CommandContext,
  ) {
    return this.record(coi, (c, p, now) => rules.recordConditioningDose(c, p, siteCode, now, day), acting);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Infusion (day 0); blocked when the product’s Chain of Identity is not the pathway’s.' })
  recordInfusion(@Args('input', { description: 'The infusion.' }) input: InfusionInput, @Acting() acting: CommandContext) {
    return this.record(input.coi, (c, p, now) => rules.recordInfusion(c, p, input.siteCode, now, input.productCoi.trim().toUpperCase()), acting);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Discharged from monitoring.' })
  dischargeFromMonitoring(@Args('coi', COI) coi: string, @Args('siteCode', SITE) siteCode: string, @Acting() acting: CommandContext) {
    return this.record(coi, (c, p, now) => rules.discharge(c, p, siteCode, now), acting);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'The pathway ends without infusion (withdrawn, or the patient died), with the reason.' })
  withdrawPathway(
    @Args('coi', COI) coi: string,
    @Args('reason', { description: 'Why.' }) reason: string,
    @Acting() acting: CommandContext,
    @Args('siteCode', { nullable: true, description: 'Site recording it.' }) siteCode?: string,
    @Args('died', { nullable: true, description: 'The patient died.' }) died?: boolean,
  ) {
    return this.record(coi, (c, p, now) => rules.withdraw(c, p, siteCode ?? 'NONE', now, reason, died ?? false), { ...acting, reason });
  }
}
