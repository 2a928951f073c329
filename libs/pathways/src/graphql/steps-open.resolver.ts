import { Inject } from '@nestjs/common';
import { Field, Int, ObjectType, ResolveField, Resolver, registerEnumType } from '@nestjs/graphql';
import { asEnum } from '@bedside/graphql-common';
import { CLOCK, localDateOf, NETWORK_TIME_ZONE, type Clock } from '@bedside/shared';
import { PinnedDmmfs } from '../application/pinned-dmmfs';
import { NOT_STARTED, STEP_KINDS, stepsOpen, type HandoverKind, type StepKind } from '../domain';
import { HandoverKindEnum } from './lifecycle.resolver';
import { Pathway } from './pathway.types';

export const LifecycleStepKindEnum = asEnum(STEP_KINDS);
registerEnumType(LifecycleStepKindEnum, {
  name: 'LifecycleStepKind',
  description: 'A clinical step recorded after booking, by the mutation that records it.',
  valuesMap: {
    COLLECTION: { description: 'recordCollection.' },
    HANDOVER: { description: 'recordHandover (see OpenStep.handover for which end).' },
    MANUFACTURE_STARTED: { description: 'startManufacture.' },
    MANUFACTURE_COMPLETED: { description: 'completeManufacture.' },
    MANUFACTURE_FAILED: { description: 'failManufacture.' },
    PRODUCT_RELEASED: { description: 'releaseProduct (signed).' },
    QC_FAILED: { description: 'failQc.' },
    AVAILABILITY_CONFIRMED: { description: 'confirmProductAvailability.' },
    CONDITIONING_STARTED: { description: 'startConditioning.' },
    CONDITIONING_DOSE: { description: 'recordConditioningDose (see OpenStep.conditioningDay).' },
    THAWED: { description: 'recordThaw.' },
    INFUSED: { description: 'recordInfusion.' },
    DISCHARGED: { description: 'dischargeFromMonitoring.' },
    WITHDRAWN: { description: 'withdrawPathway.' },
  },
});

@ObjectType({ description: 'A step the order of the lifecycle lets be recorded now.' })
export class OpenStep {
  @Field(() => LifecycleStepKindEnum, { description: 'The step.' })
  step!: StepKind;
  @Field({ description: 'The step the pathway waits for: the first open one in vein-to-vein order. Failures and withdrawal are never due.' })
  due!: boolean;
  @Field(() => HandoverKindEnum, { nullable: true, description: 'HANDOVER: which end of the chain of custody is open.' })
  handover?: HandoverKind | null;
  @Field(() => Int, { nullable: true, description: 'CONDITIONING_DOSE: the regimen’s day of the dose due (e.g. -5), to pass as `day`.' })
  conditioningDay?: number | null;
  @Field(() => Int, { nullable: true, description: 'CONDITIONING_STARTED once a course has lapsed: the course it starts (2 and on).' })
  course?: number | null;
}

/** `Pathway.stepsOpen`: read off the order the lifecycle's decide functions enforce (domain/steps-open.ts). */
@Resolver(() => Pathway)
export class StepsOpenResolver {
  constructor(
    private readonly dmmfs: PinnedDmmfs,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @ResolveField(() => [OpenStep], {
    description:
      'The steps that may be recorded now, in vein-to-vein order with the due one first, read off the order the lifecycle mutations enforce (any other is refused STEP_OUT_OF_ORDER). ' +
      'Rules of time and place (washout, fresh hold, infusion window, booked unit, reach, ICU cover) are judged as a step is recorded: an open step may still be refused for them, in words that say what to do.',
  })
  async stepsOpen(pathway: Pathway): Promise<OpenStep[]> {
    const { process } = await this.dmmfs.of(pathway.productCode, pathway.dmmfVersion);
    const today = localDateOf(this.clock.now(), NETWORK_TIME_ZONE);
    return stepsOpen(pathway.progress ?? NOT_STARTED, process, pathway.planBooked ?? false, today);
  }
}
