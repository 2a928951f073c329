import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Connection, GraphQLLocalDate } from '@bedside/graphql-common';

export enum DeploymentStatusEnum {
  PLANNED = 'PLANNED',
  MOVING = 'MOVING',
  IN_PLACE = 'IN_PLACE',
  ENDED = 'ENDED',
}
registerEnumType(DeploymentStatusEnum, {
  name: 'DeploymentStatus',
  description: 'Where a deployment stands today, by Bedside’s clock.',
  valuesMap: {
    PLANNED: { description: 'It leaves on a later day.' },
    MOVING: { description: 'Tear-down, road, set-up or requalification: the unit offers no capacity anywhere.' },
    IN_PLACE: { description: 'The unit is at its destination and offers capacity there.' },
    ENDED: { description: 'The unit has left again.' },
  },
});

@ObjectType({ description: 'A mobile unit’s move to a site (or home, for a recall): when it leaves, the days it loses, and when it offers capacity there.' })
export class Deployment {
  @Field(() => ID, { description: 'Deployment id, e.g. "MU-COC-03-D2".' })
  id!: string;
  @Field(() => ID, { description: 'The unit.' })
  unitId!: string;
  @Field({ description: 'Where it is when it leaves.' })
  fromSiteCode!: string;
  @Field({ description: 'Where it goes.' })
  toSiteCode!: string;
  @Field({ description: 'A recall: it goes home.' })
  recall!: boolean;
  @Field(() => GraphQLLocalDate, { description: 'First day it offers nothing where it was (tear-down’s first day), in that site’s time zone.' })
  leavesOn!: string;
  @Field(() => GraphQLLocalDate, { description: 'First day it offers capacity where it goes, in that site’s time zone: after tear-down, road, set-up and requalification.' })
  availableFrom!: string;
  @Field(() => Int, { description: 'Days taking it down.' })
  tearDownDays!: number;
  @Field(() => Int, { description: 'Days on the road (the travel table’s hours, a day per 24 begun).' })
  travelDays!: number;
  @Field(() => Float, { description: 'Hours by road, from the travel table when it was deployed.' })
  travelHours!: number;
  @Field(() => Int, { description: 'Days setting it up.' })
  setUpDays!: number;
  @Field(() => Int, { description: 'Days requalifying it before product flows (0 to 21: media fills).' })
  requalificationDays!: number;
  @Field({ description: 'Why it moves.' })
  reason!: string;
  @Field(() => [String], { description: 'Pathways (COIs) booked on the unit from the day it leaves, when it was deployed anyway: they are flagged at risk with a repaired plan.' })
  strandedCois!: string[];
  @Field(() => DeploymentStatusEnum, { description: 'Where it stands today.' })
  status!: DeploymentStatusEnum;
}

@ObjectType({ description: 'A page of deployments.' })
export class DeploymentConnection extends Connection(Deployment, 'Deployment', 'deployment') {}

@InputType({ description: 'A mobile unit to move to a site. It offers nothing from `leavesOn` until tear-down, the road, set-up and requalification are done.' })
export class DeployUnitInput {
  @Field(() => ID, { description: 'The mobile unit.' })
  unitId!: string;
  @Field({ description: 'The site it goes to (ODS code).' })
  toSiteCode!: string;
  @Field(() => GraphQLLocalDate, { description: 'The day it stops offering capacity where it is (today or later, after any move it is already on).' })
  leavesOn!: string;
  @Field(() => Int, { nullable: true, description: 'Days taking it down (default 1).' })
  tearDownDays?: number | null;
  @Field(() => Int, { nullable: true, description: 'Days setting it up where it goes (default 1).' })
  setUpDays?: number | null;
  @Field(() => Int, { description: 'Days requalifying it there, 0 to 21 (a full media-fill requalification is about 17 to 21).' })
  requalificationDays!: number;
  @Field({ description: 'Why it goes (e.g. "CAR-T surge in the North West").' })
  reason!: string;
  @Field(() => Boolean, { nullable: true, description: 'Deploy even though pathways are booked on the unit from that day: they are flagged at risk with a repaired plan. Without it such a deployment is refused (CONFLICT, naming them).' })
  force?: boolean;
}
