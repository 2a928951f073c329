import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { asEnum } from '@bedside/graphql-common';
import { TIMELINE_STEP_KINDS, TIMELINE_STEP_STATUSES } from '../domain/timeline';
import { Slot } from './pathway.types';

export const TimelineStepKindEnum = asEnum(TIMELINE_STEP_KINDS);
registerEnumType(TimelineStepKindEnum, {
  name: 'TimelineStepKind',
  description: 'A step of a vein-to-vein timeline that occupies booked capacity.',
  valuesMap: {
    APHERESIS: { description: 'Collection of the patient’s cells on apheresis chairs.' },
    MANUFACTURE: { description: 'Manufacture on a modular unit’s batch slots.' },
    CONDITIONING: { description: 'Lymphodepleting conditioning on conditioning chairs.' },
    INFUSION: { description: 'Infusion (day 0) on an infusion bed.' },
    MONITORING: { description: 'Inpatient monitoring after infusion.' },
    ICU: { description: 'ICU cover reserved for the patient on days 5 and 6 after infusion: a share of an ICU bed each day (the product’s icuReserveProbability).' },
  },
});

export const TimelineStepStatusEnum = asEnum(TIMELINE_STEP_STATUSES);
registerEnumType(TimelineStepStatusEnum, {
  name: 'TimelineStepStatus',
  description: 'Where a timeline step stands, from the lifecycle steps recorded so far.',
  valuesMap: {
    PLANNED: { description: 'Booked (or held); nothing recorded yet.' },
    IN_PROGRESS: { description: 'Started and not yet finished (manufacture, conditioning, monitoring).' },
    DONE: { description: 'Recorded as done.' },
    FAILED: { description: 'Manufacture failed: see atRiskPathways for the repair.' },
    CANCELLED: { description: 'The pathway was withdrawn before this step.' },
  },
});

@ObjectType({ description: 'One step of a pathway’s vein-to-vein timeline: what happens where and when, and whether it has happened.' })
export class TimelineStep {
  @Field(() => TimelineStepKindEnum, { description: 'What the step is.' })
  kind!: string;
  @Field(() => TimelineStepStatusEnum, { description: 'Planned, under way or done, from the recorded lifecycle steps.' })
  status!: string;
  @Field({ description: 'Where it happens (site code; for MANUFACTURE, where the unit stands).' })
  siteCode!: string;
  @Field(() => String, { nullable: true, description: 'The modular unit, for MANUFACTURE.' })
  unitId!: string | null;
  @Field({ description: 'Start of its first booked slot (UTC); a unit’s batch slots are whole days, so MANUFACTURE starts at midnight of its first day.' })
  start!: Date;
  @Field({ description: 'End of its last booked slot (UTC).' })
  end!: Date;
  @Field(() => Date, { nullable: true, description: 'When it was recorded as done, for collection, manufacture and infusion (the instant the record gives).' })
  doneAt!: Date | null;
  @Field(() => [Slot], { description: 'The booked (or held) slots the step occupies.' })
  slots!: Slot[];
}
