import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { asEnum, GraphQLLocalDate } from '@bedside/graphql-common';
import { DRUG_CLASSES, PATHWAY_STATUSES, PRIORITIES, type Progress } from '../domain';

export const PriorityEnum = asEnum(PRIORITIES);
registerEnumType(PriorityEnum, {
  name: 'Priority',
  description: 'Clinical priority of a referral.',
  valuesMap: {
    ROUTINE: { description: 'Plan at the next suitable capacity.' },
    URGENT: { description: 'Disease progressing: earliest possible plan.' },
    EMERGENCY: { description: 'Life-threatening: escalate to the network planner.' },
  },
});

export const DrugClassEnum = asEnum(DRUG_CLASSES);
registerEnumType(DrugClassEnum, {
  name: 'DrugClass',
  description: 'Last treatment before collection, which sets the washout (defaults: corticosteroid 3 days, cytotoxic chemotherapy 14, immunotherapy 42, anti-CD20 7).',
  valuesMap: {
    CORTICOSTEROID: { description: 'Corticosteroids: 72 hours (3 days).' },
    CYTOTOXIC_CHEMOTHERAPY: { description: 'Cytotoxic chemotherapy: 2 weeks.' },
    IMMUNOTHERAPY: { description: 'Some immunotherapies: 6 weeks by default; up to 3 months for some (give days).' },
    ANTI_CD20: { description: 'Anti-CD20 antibodies: 1 week.' },
    NONE: { description: 'No recent treatment: no washout.' },
  },
});

export const PathwayStatusEnum = asEnum(PATHWAY_STATUSES);
registerEnumType(PathwayStatusEnum, {
  name: 'PathwayStatus',
  description: 'Where a vein-to-vein pathway stands.',
  valuesMap: {
    REFERRED: { description: 'Referred; no plan held or booked.' },
    PLAN_HELD: { description: 'A plan is on hold, waiting for confirmation.' },
    BOOKED: { description: 'A plan is booked.' },
    COLLECTED: { description: 'Cells collected.' },
    IN_TRANSIT: { description: 'Starting material on its way to the unit.' },
    RECEIVED: { description: 'Starting material received at the unit.' },
    IN_MANUFACTURE: { description: 'Being manufactured.' },
    MANUFACTURED: { description: 'Manufacture complete.' },
    RELEASED: { description: 'Released by QC.' },
    PRODUCT_FAILED: { description: 'Manufacture or QC failed.' },
    CONDITIONING: { description: 'Lymphodepleting conditioning under way.' },
    INFUSED: { description: 'Infused; in monitoring.' },
    DISCHARGED: { description: 'Discharged from monitoring.' },
    WITHDRAWN: { description: 'Ended without infusion.' },
  },
});

@ObjectType({ description: 'The washout before collection.' })
@InputType('WashoutInput', { description: 'The last treatment before collection; the washout defaults from its class.' })
export class Washout {
  @Field(() => DrugClassEnum, { description: 'Drug class of the last treatment.' })
  drugClass!: string;
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Day of the last dose (not needed for NONE).' })
  lastDoseDate?: string | null;
  @Field(() => Int, { nullable: true, description: 'Days of washout, when not the class default.' })
  days?: number | null;
}

@ObjectType({ description: 'One slot of live capacity, as held or booked.' })
@InputType('SlotInput', { description: 'One slot of live capacity: as `capacity` lists it (resource key, day, session).' })
export class Slot {
  @Field({ description: 'Resource key: "site:<code>:<RESOURCE>" or "unit:<id>".' })
  resourceKey!: string;
  @Field(() => GraphQLLocalDate, { description: 'Day.' })
  day!: string;
  @Field({ description: 'Session name; empty for resources booked by the day.' })
  session!: string;
}

@ObjectType({ description: 'A plan held for a pathway: every slot reserved at once until it is confirmed, released or expires.' })
export class Hold {
  @Field(() => ID, { description: 'Hold id (the same for a retried request with the same idempotency key).' })
  id!: string;
  @Field({ description: 'Chain of Identity of the pathway.' })
  coi!: string;
  @Field({ description: 'HELD, CONFIRMED, RELEASED or EXPIRED.' })
  status!: string;
  @Field({ description: 'When the hold lapses unless confirmed.' })
  expiresAt!: Date;
  @Field(() => [Slot], { description: 'Slots reserved.' })
  slots!: Slot[];
}

@ObjectType({ description: 'A patient’s vein-to-vein pathway, keyed by its Chain of Identity. Holds no name: only a pseudonymous reference.' })
export class Pathway {
  @Field(() => ID, { description: 'Chain of Identity identifier.' })
  coi!: string;
  @Field({ description: 'Pseudonymous patient reference the referring trust can resolve.' })
  patientRef!: string;
  @Field({ description: 'ODS code of the referring trust.' })
  referringTrust!: string;
  @Field({ description: 'Product.' })
  productCode!: string;
  @Field(() => Int, { description: 'DMMF version the pathway is planned under.' })
  dmmfVersion!: number;
  @Field(() => String, { nullable: true, description: 'Preferred treatment centre (site code).' })
  treatmentCentre!: string | null;
  @Field(() => PathwayStatusEnum, { description: 'Where it stands, in one word.' })
  status!: string;
  @Field({ description: 'Where the product stands: NOT_COLLECTED, COLLECTED, IN_TRANSIT, RECEIVED, IN_MANUFACTURE, MANUFACTURED, RELEASED or FAILED.' })
  productState!: string;
  @Field({ description: 'Where the patient stands: WAITING, CONDITIONING, INFUSED, DISCHARGED or WITHDRAWN.' })
  patientState!: string;
  @Field(() => PriorityEnum, { description: 'Clinical priority.' })
  priority!: string;
  @Field(() => Washout, { description: 'Washout before collection.' })
  washout!: Washout;
  @Field(() => GraphQLLocalDate, { description: 'First day collection may happen (after the washout and any postponement).' })
  earliestCollectionDate!: string;
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'The patient cannot be collected or conditioned before this day (postponePatient).' })
  postponedUntil!: string | null;
  @Field(() => String, { nullable: true, description: 'Why the patient was postponed.' })
  postponementReason!: string | null;
  @Field(() => String, { nullable: true, description: 'The patient’s postcode district (e.g. "M20"), never an address; null for referrals made before Bedside asked for it.' })
  homeDistrict!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Where the patient will stay for the monitoring period: an arranged stay’s district (arrangeMonitoringStay), else home’s. Plans, conditioning and infusion keep the patient within reach of the centre from it.',
  })
  stayDistrict!: string | null;
  @Field(() => String, { nullable: true, description: 'Why the patient stays away from home (arrangeMonitoringStay); null at home.' })
  stayReason!: string | null;
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Infusion is needed by this day.' })
  clinicalDeadline!: string | null;
  @Field(() => String, { nullable: true, description: 'Hold or booking in place.' })
  holdId!: string | null;
  @Field(() => Date, { nullable: true, description: 'When the hold in place lapses.' })
  holdExpiresAt!: Date | null;
  @Field({ description: 'When the patient was referred.' })
  referredAt!: Date;
  @Field(() => String, { nullable: true, description: 'The batch under way or made for the patient (see `batch`); null before manufacture starts.' })
  batchId!: string | null;
  @Field(() => Int, { description: 'Version of the pathway stream ("pathway-<coi>").' })
  version!: number;
  /** Not in the schema: where both tracks stand and whether the plan is booked, for `stepsOpen`. */
  progress?: Progress;
  planBooked?: boolean;
}

@InputType({ description: 'A referral. Bedside issues a Chain of Identity unless one is given.' })
export class ReferralInput {
  @Field(() => ID, { nullable: true, description: 'An already assigned Chain of Identity (format and check character are verified).' })
  coi?: string | null;
  @Field({ description: 'Pseudonymous patient reference (no names).' })
  patientRef!: string;
  @Field(() => String, { nullable: true, description: 'ODS code of the referring trust; a scheduler’s own (the one their token names when it names one).' })
  referringTrust?: string | null;
  @Field({ description: 'Product to be made.' })
  productCode!: string;
  @Field(() => String, { nullable: true, description: 'Preferred treatment centre (site code).' })
  treatmentCentre?: string | null;
  @Field({
    description:
      'The patient’s postcode district: the part of the postcode before the space, e.g. "M20" (never the full postcode or an address). After infusion the patient stays within reach of the centre, so plans are made for centres within reach of it.',
  })
  homeDistrict!: string;
  @Field(() => Washout, { description: 'Last treatment before collection.' })
  washout!: Washout;
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Infusion is needed by this day.' })
  clinicalDeadline?: string | null;
  @Field(() => PriorityEnum, { description: 'Clinical priority.' })
  priority!: string;
}

@InputType({ description: 'Hold a plan: every slot at once, for a set time.' })
export class HoldPlanInput {
  @Field(() => ID, { description: 'Chain of Identity of the pathway.' })
  coi!: string;
  @Field(() => [Slot], { description: 'Slots of the plan (from planOptions or capacity).' })
  slots!: Slot[];
  @Field({ description: 'Your key for this request: a retry with the same key returns the same hold and holds nothing twice.' })
  idempotencyKey!: string;
  @Field(() => Int, { nullable: true, description: 'Minutes to hold (default from configuration, 30).' })
  holdMinutes?: number | null;
}

@ObjectType({ description: 'One step of a vein-to-vein plan.' })
export class PlanStep {
  @Field({ description: 'APHERESIS, TRANSPORT, MANUFACTURE, QC_RELEASE, CONDITIONING, INFUSION, MONITORING or ICU (cover reserved on days 5 and 6 after infusion, a share of an ICU bed each day).' })
  kind!: string;
  @Field({ description: 'Where it happens (for TRANSPORT, where it goes).' })
  siteCode!: string;
  @Field(() => String, { nullable: true, description: 'TRANSPORT: where it leaves from.' })
  fromSiteCode!: string | null;
  @Field(() => String, { nullable: true, description: 'The modular unit, for MANUFACTURE.' })
  unitId!: string | null;
  @Field({ description: 'Start (UTC).' })
  start!: Date;
  @Field({ description: 'End (UTC).' })
  end!: Date;
  @Field(() => [Slot], { description: 'Capacity slots the step occupies.' })
  slots!: Slot[];
}

@ObjectType({ description: 'A complete vein-to-vein timeline that fits live capacity; hold it with holdPlan(slots).' })
export class VeinToVeinPlan {
  @Field({ description: 'Where the cells are collected.' })
  apheresisCentre!: string;
  @Field({ description: 'The modular unit that makes the product.' })
  unitId!: string;
  @Field({ description: 'Where that unit is.' })
  unitSiteCode!: string;
  @Field({ description: 'Where conditioning, infusion and monitoring happen.' })
  treatmentCentre!: string;
  @Field(() => [GraphQLLocalDate], { description: 'Collection days.' })
  collectionDays!: string[];
  @Field(() => GraphQLLocalDate, { description: 'First day of manufacture.' })
  manufactureStartDay!: string;
  @Field(() => GraphQLLocalDate, { description: 'Day the product is ready (released, or ready for infusion when conditioning runs during manufacture).' })
  productReadyDay!: string;
  @Field(() => [GraphQLLocalDate], { description: 'Conditioning days.' })
  conditioningDays!: string[];
  @Field(() => GraphQLLocalDate, { description: 'Infusion day (day 0).' })
  infusionDay!: string;
  @Field(() => Int, { description: 'Days from first collection to infusion.' })
  veinToVeinDays!: number;
  @Field(() => Int, { description: 'Days from referral (its UK date) to infusion.' })
  referralToInfusionDays!: number;
  @Field(() => Float, { description: 'Hours of travel (collection centre to unit, unit to treatment centre).' })
  travelHours!: number;
  @Field(() => Boolean, { nullable: true, description: 'Whether infusion meets the clinical deadline (empty when there is none).' })
  meetsClinicalDeadline!: boolean | null;
  @Field(() => [PlanStep], { description: 'The steps, in order.' })
  steps!: PlanStep[];
  @Field(() => [Slot], { description: 'Every slot to hold: pass these to holdPlan.' })
  slots!: Slot[];
  @Field({ description: 'What kept this plan from being earlier, in words.' })
  limitedBy!: string;
}

@InputType({ description: 'Which pathway to plan, and how many plans to return.' })
export class PlanRequestInput {
  @Field(() => ID, { description: 'Chain of Identity of the referred pathway.' })
  coi!: string;
  @Field(() => Int, { nullable: true, description: 'Plans to return, best first (default 3, at most 20).' })
  count?: number | null;
  @Field(() => Int, { nullable: true, description: 'How many days ahead to look for infusion (default 120).' })
  horizonDays?: number | null;
}
