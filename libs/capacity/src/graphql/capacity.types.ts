import { Field, Float, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Connection, GraphQLLocalDate } from '@bedside/graphql-common';
import { ResourceEnum } from '@bedside/network';

@ObjectType({ description: 'One bookable slot and what is free on it.' })
export class CapacitySlot {
  @Field({ description: 'Site where it is.' })
  siteCode!: string;
  @Field(() => String, { nullable: true, description: 'The unit, for MANUFACTURING_BAY slots.' })
  unitId!: string | null;
  @Field(() => ResourceEnum, { description: 'Which resource.' })
  resource!: string;
  @Field(() => GraphQLLocalDate, { description: 'Calendar day in the site’s time zone.' })
  day!: string;
  @Field(() => String, { nullable: true, description: 'Session name for chairs; empty for resources booked by the day.' })
  session!: string | null;
  @Field({ description: 'Start (UTC instant).' })
  startsAt!: Date;
  @Field({ description: 'End (UTC instant).' })
  endsAt!: Date;
  @Field(() => Int, { description: 'Chairs, beds or batch slots the calendar provides.' })
  nominal!: number;
  @Field(() => Int, { description: 'What can be booked after exceptions and closures.' })
  capacity!: number;
  @Field(() => Float, { nullable: true, description: 'Booked (empty when you may see this slot as free or busy only). Whole places, save on ICU beds, where each booked CAR-T plan reserves a share of a bed (the product’s icuReserveProbability, e.g. 0.3).' })
  committed!: number | null;
  @Field(() => Float, { nullable: true, description: 'Held (tentative) by a scheduler, not yet confirmed (empty when free/busy only); shares of a bed on ICU beds, as committed.' })
  tentative!: number | null;
  @Field(() => Float, { description: 'Free: capacity less booked and held, never below 0 (0 or 1 when free/busy only); on ICU beds it may be a fraction (1.4 beds free when 0.6 is reserved of 2).' })
  free!: number;
  @Field({ description: 'Another trust’s capacity, shown to a scheduler as free (1) or busy (0) only.' })
  freeBusyOnly!: boolean;
  @Field(() => String, { nullable: true, description: 'Why capacity is below nominal, in words.' })
  closedReason!: string | null;
}

@ObjectType({ description: 'A page of capacity slots, by day.' })
export class CapacityConnection extends Connection(CapacitySlot, 'CapacitySlot', 'capacity slot') {}

@InputType({ description: 'Which capacity to show. Empty lists mean no restriction.' })
export class CapacityFilter {
  @Field(() => [String], { nullable: true, description: 'Only these sites.' })
  siteCodes?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Only these units.' })
  unitIds?: string[] | null;
  @Field(() => [ResourceEnum], { nullable: true, description: 'Only these resources.' })
  resources?: string[] | null;
  @Field(() => String, { nullable: true, description: 'Only manufacturing capacity that may make this product (its designated sites and units).' })
  productCode?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Only slots with something free.' })
  onlyFree?: boolean | null;
}

@ObjectType({ description: 'Capacity and its use over a range, for one site resource or unit.' })
export class UtilisationRow {
  @Field({ description: 'Site.' })
  siteCode!: string;
  @Field(() => String, { nullable: true, description: 'Unit, for MANUFACTURING_BAY rows.' })
  unitId!: string | null;
  @Field(() => ResourceEnum, { description: 'Resource.' })
  resource!: string;
  @Field(() => Int, { description: 'Slot-units of capacity in the range (session-chairs, bed-days, batch-days).' })
  capacity!: number;
  @Field(() => Float, { description: 'Booked (shares of a bed on ICU beds).' })
  committed!: number;
  @Field(() => Float, { description: 'Held (shares of a bed on ICU beds).' })
  tentative!: number;
  @Field(() => Float, { description: 'Booked share of capacity, 0 to 1 (0 when there is no capacity).' })
  utilisation!: number;
}


@ObjectType({ description: 'One day of one site resource or unit: a cell of the capacity heatmap.' })
export class DailyCapacity {
  @Field({ description: 'Site.' })
  siteCode!: string;
  @Field(() => String, { nullable: true, description: 'Unit, for MANUFACTURING_BAY days.' })
  unitId!: string | null;
  @Field(() => ResourceEnum, { description: 'Resource.' })
  resource!: string;
  @Field(() => GraphQLLocalDate, { description: 'Calendar day in the site’s time zone.' })
  day!: string;
  @Field(() => Int, { description: 'Places the calendar provides that day, summed over its sessions (session-chairs, beds, batch slots).' })
  nominal!: number;
  @Field(() => Int, { description: 'Places that can be booked that day, after exceptions and closures.' })
  capacity!: number;
  @Field(() => Float, { description: 'Places free that day (capacity less booked and held), summed over its sessions; 0 or 1 when free/busy only.' })
  free!: number;
  @Field({ description: 'Another trust’s capacity, shown to a scheduler as free (1) or busy (0) only.' })
  freeBusyOnly!: boolean;
  @Field(() => String, { nullable: true, description: 'Why capacity is below nominal that day, in words (a closure, an outage); empty when it is not.' })
  closedReason!: string | null;
}
