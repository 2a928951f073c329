import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Connection, GraphQLLocalDate } from '@bedside/graphql-common';
import { RegionEnum, UnitKindEnum } from '@bedside/network';
import type { RegionCode, UnitKind } from '@bedside/network';

@ObjectType({ description: 'Vaccine doses wanted in a region from a day of the scenario on.' })
@InputType('VaccineDemandInput', { description: 'Vaccine doses wanted in a region from a day of the scenario on.' })
export class VaccineDemand {
  @Field(() => RegionEnum, { description: 'The region.' }) region!: RegionCode;
  @Field(() => Int, { description: 'Day of the scenario the doses are wanted from (0 is its as-of date).' }) day!: number;
  @Field({ description: 'Doses wanted.' }) doses!: number;
  @Field(() => Number, { nullable: true, description: 'Priority weight of a dose waiting a day in this region (default 1; one weight per region).' }) weight?: number | null;
  @Field(() => Int, { nullable: true, description: 'Day of the scenario by which the doses must be released to be of use, from `day` to the last day; none if left out. Doses that miss it count as waiting on every day to the end.' }) deadline?: number | null;
}

@ObjectType({ description: 'CAR-T referrals a week from a region for a product.' })
@InputType('ReferralRateInput', { description: 'CAR-T referrals a week from a region for a product.' })
export class ReferralRate {
  @Field(() => RegionEnum, { description: 'The region.' }) region!: RegionCode;
  @Field({ description: 'Product code.' }) productCode!: string;
  @Field({ description: 'Referrals a week.' }) perWeek!: number;
}

@ObjectType({ description: 'A unit the scenario assumes added, standing in a region on day 0.' })
@InputType('ScenarioUnitInput', { description: 'A unit the scenario assumes added, standing in a region on day 0.' })
export class ScenarioUnit {
  @Field({ description: 'Its id.' }) unitId!: string;
  @Field(() => UnitKindEnum, { description: 'What it makes.' }) kind!: UnitKind;
  @Field(() => RegionEnum, { description: 'Where it stands on day 0.' }) region!: RegionCode;
}

@ObjectType({ description: 'A unit or site out of service for some days of the scenario.' })
@InputType('OutageInput', { description: 'A unit or site out of service for some days of the scenario.' })
export class Outage {
  @Field({ description: 'Unit id or site code.' }) target!: string;
  @Field(() => Int, { description: 'First day out.' }) fromDay!: number;
  @Field(() => Int, { description: 'Last day out.' }) toDay!: number;
}

@ObjectType({ description: 'A product process changed, for example a 3-day rapid QC instead of a 14-day sterility test.' })
@InputType('ProcessChangeInput', { description: 'A product process changed, for example a 3-day rapid QC instead of a 14-day sterility test.' })
export class ProcessChange {
  @Field({ description: 'Product code.' }) productCode!: string;
  @Field(() => Int, { nullable: true, description: 'QC release days instead of the DMMF’s.' }) qcReleaseDays?: number | null;
  @Field(() => Int, { nullable: true, description: 'Manufacture days instead of the DMMF’s.' }) manufactureDays?: number | null;
}

@ObjectType({ description: 'How a mobile fill-finish unit fills.' })
@InputType('FillFinishInput', { description: 'How a mobile fill-finish unit fills.' })
export class FillFinish {
  @Field({ description: 'Vials filled an hour.' }) vialsPerHour!: number;
  @Field(() => Int, { description: 'Doses per vial, 1 to 20.' }) dosesPerVial!: number;
  @Field(() => Int, { description: 'Shifts a day, 1 to 3.' }) shiftsPerDay!: number;
  @Field({ description: 'Hours a shift.' }) hoursPerShift!: number;
  @Field({ description: 'Share of nominal output achieved, more than 0 and at most 1.' }) effectiveOutputFactor!: number;
}

@InputType({ description: 'A scenario’s assumptions on top of the live network as of a date.' })
export class ScenarioInput {
  @Field({ description: 'Its name.' }) name!: string;
  @Field(() => GraphQLLocalDate, { description: 'The live network as recorded on this day is the starting point.' }) asOf!: string;
  @Field(() => Int, { description: 'Days planned from asOf.' }) days!: number;
  @Field(() => [VaccineDemand], { nullable: true, description: 'Vaccine doses wanted, by region and day. None if left out.' }) vaccineDemand?: VaccineDemand[] | null;
  @Field(() => [ReferralRate], { nullable: true, description: 'CAR-T referrals a week, by region and product. None if left out.' }) referralsPerWeek?: ReferralRate[] | null;
  @Field(() => [ScenarioUnit], { nullable: true, description: 'Units assumed added. None if left out.' }) unitsAdded?: ScenarioUnit[] | null;
  @Field(() => [String], { nullable: true, description: 'Units of the live network assumed gone. None if left out.' }) unitsRemoved?: string[] | null;
  @Field(() => [Outage], { nullable: true, description: 'Outages assumed. None if left out.' }) outages?: Outage[] | null;
  @Field(() => [ProcessChange], { nullable: true, description: 'Process changes assumed. None if left out.' }) processChanges?: ProcessChange[] | null;
  @Field(() => FillFinish, { description: 'How a mobile fill-finish unit fills.' }) fillFinish!: FillFinish;
  @Field(() => Int, { description: 'Days to pack up before leaving a region.' }) teardownDays!: number;
  @Field(() => Int, { description: 'Days to set up on arrival.' }) setupDays!: number;
  @Field(() => Int, { description: 'Days to requalify after a move, 0 to 21 (a full media-fill requalification is about 17 to 21).' }) requalificationDays!: number;
  @Field(() => Int, { description: 'Days from filling to batch release.' }) releaseDays!: number;
}

@ObjectType({ description: 'A named set of surge-planning assumptions on top of the live network as of a date, at one version.' })
export class Scenario {
  @Field(() => ID, { description: 'The scenario’s id.' }) id!: string;
  @Field(() => Int, { description: 'This version (editing makes a new one; runs name the version they used).' }) version!: number;
  @Field({ description: 'Its name.' }) name!: string;
  @Field(() => GraphQLLocalDate, { description: 'The live network as recorded on this day is the starting point.' }) asOf!: string;
  @Field(() => Int, { description: 'Days planned from asOf.' }) days!: number;
  @Field(() => [VaccineDemand], { description: 'Vaccine doses wanted, by region and day.' }) vaccineDemand!: VaccineDemand[];
  @Field(() => [ReferralRate], { description: 'CAR-T referrals a week, by region and product.' }) referralsPerWeek!: ReferralRate[];
  @Field(() => [ScenarioUnit], { description: 'Units assumed added.' }) unitsAdded!: ScenarioUnit[];
  @Field(() => [String], { description: 'Units of the live network assumed gone.' }) unitsRemoved!: string[];
  @Field(() => [Outage], { description: 'Outages assumed.' }) outages!: Outage[];
  @Field(() => [ProcessChange], { description: 'Process changes assumed.' }) processChanges!: ProcessChange[];
  @Field(() => FillFinish, { description: 'How a mobile fill-finish unit fills.' }) fillFinish!: FillFinish;
  @Field(() => Int, { description: 'Doses one fill-finish unit fills a day, from the above.' }) dosesPerUnitDay!: number;
  @Field(() => Int, { description: 'Days to pack up before leaving a region.' }) teardownDays!: number;
  @Field(() => Int, { description: 'Days to set up on arrival.' }) setupDays!: number;
  @Field(() => Int, { description: 'Days to requalify after a move.' }) requalificationDays!: number;
  @Field(() => Int, { description: 'Days from filling to batch release.' }) releaseDays!: number;
  @Field(() => String, { nullable: true, description: 'Why this version was made.' }) reason!: string | null;
  @Field({ description: 'When this version was recorded.' }) recordedAt!: Date;
  @Field({ description: 'Who recorded it.' }) recordedBy!: string;
}

@ObjectType({ description: 'A page of scenarios at their latest version, most recently edited first.' })
export class ScenarioConnection extends Connection(Scenario, 'Scenario', 'scenario') {}
