import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Connection } from '@bedside/graphql-common';

@ObjectType({ description: 'An electronic signature (21 CFR 11.50; issue 14 §2): who signed, what it means, when, and when they had signed in.' })
export class Signature {
  @Field({ description: 'Who signed: the user the verified token names.' })
  signer!: string;

  @Field(() => String, { nullable: true, description: 'The role they signed in.' })
  role!: string | null;

  @Field({ description: 'What the signature means: AUTHORED, REVIEWED or APPROVED.' })
  meaning!: string;

  @Field({ description: 'When it was signed (UTC).' })
  signedAt!: Date;

  @Field({ description: 'When the signer had signed in (UTC): no earlier than SIGNATURE_MAX_AGE_MINUTES before signing.' })
  signedInAt!: Date;
}

@ObjectType({ description: 'One recorded fact of a stream: who did what, when, for whom and why (MHRA GXP Data Integrity 6.13).' })
export class AuditEntry {
  @Field(() => Int, { description: 'Position in its stream: 1 for the first event.' })
  position!: number;

  @Field(() => ID, { description: 'The event’s own id: what `causationId` names when this event caused another.' })
  eventId!: string;

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

  @Field(() => String, { nullable: true, description: 'The `eventId` of the event that caused this one, when Bedside recorded it on its own (a lapsed hold, an at-risk flag, a waitlist offer, a finished scenario run); null for what a person asked for.' })
  causationId!: string | null;

  @Field(() => Int, { description: 'Version of the event data shape, as stored.' })
  schemaVersion!: number;

  @Field(() => GraphQLJSONObject, { description: 'The recorded facts themselves.' })
  data!: Record<string, unknown>;

  @Field(() => Signature, { nullable: true, description: 'The electronic signature the fact carries: a QC release, a DMMF version, a site suspension; null for the rest.' })
  signature!: Signature | null;
}

@ObjectType({ description: 'A page of a stream’s audit trail, oldest first.' })
export class AuditEntryConnection extends Connection(AuditEntry, 'AuditEntry', 'audit entry') {}

@ObjectType({ description: 'Where a stream’s record no longer holds: the event, and what is wrong with it.' })
export class ChainBreak {
  @Field(() => Int, { description: 'Position in its stream of the event where the chain breaks.' })
  position!: number;

  @Field(() => String, { nullable: true, description: 'Its position in the whole log, where the event is there to name.' })
  globalPosition!: string | null;

  @Field({ description: 'What is wrong, in words: content or hash altered, events missing before it, or the stream shorter than the store counts.' })
  problem!: string;
}

@ObjectType({
  description:
    'A stream’s hash chain checked (EU GMP Annex 11 §9): each event carries a SHA-256 hash of what it records and of the hash of the event before it, so an altered or removed event breaks the chain from there on. README "For inspectors".',
})
export class StreamVerification {
  @Field({ description: 'The stream checked.' })
  streamId!: string;

  @Field(() => Int, { description: 'How many of its events were checked.' })
  events!: number;

  @Field({ description: 'Whether every event chains to the one before it and none is missing.' })
  intact!: boolean;

  @Field(() => [ChainBreak], { description: 'Where the chain breaks, earliest first; empty when intact.' })
  breaks!: ChainBreak[];

  @Field(() => String, { nullable: true, description: 'The hash of its last event (hexadecimal), which chains every event before it: note it to check the stream against later.' })
  lastHash!: string | null;
}
