import { Field, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Connection } from '@bedside/graphql-common';

@ObjectType({ description: 'One recorded fact of a stream: who did what, when, for whom and why (MHRA GXP Data Integrity 6.13).' })
export class AuditEntry {
  @Field(() => Int, { description: 'Position in its stream: 1 for the first event.' })
  position!: number;

  @Field({ description: 'What happened: the event type, e.g. "SitePaused".' })
  type!: string;

  @Field({ description: 'When it was recorded (UTC).' })
  recordedAt!: Date;

  @Field({ description: 'Who did it.' })
  actor!: string;

  @Field(() => String, { nullable: true, description: 'The role they acted in (scheduler, planner, control_site_qa, dashboard), from their token.' })
  role!: string | null;

  @Field(() => String, { nullable: true, description: 'The trust or site they acted for.' })
  onBehalfOf!: string | null;

  @Field(() => String, { nullable: true, description: 'Why, where a reason was recorded.' })
  reason!: string | null;

  @Field({ description: 'Ties together everything one request recorded.' })
  correlationId!: string;

  @Field(() => String, { nullable: true, description: 'The event or command that caused this one, where known.' })
  causationId!: string | null;

  @Field(() => Int, { description: 'Version of the event data shape, as stored.' })
  schemaVersion!: number;

  @Field(() => GraphQLJSONObject, { description: 'The recorded facts themselves.' })
  data!: Record<string, unknown>;
}

@ObjectType({ description: 'A page of a stream’s audit trail, oldest first.' })
export class AuditEntryConnection extends Connection(AuditEntry, 'AuditEntry', 'audit entry') {}
