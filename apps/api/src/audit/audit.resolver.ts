import { Inject } from '@nestjs/common';
import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { EVENT_STORE, PostgresEventStore, verifyStream, type CommandContext, type EventStore, type RecordedEvent } from '@bedside/event-store';
import { PathwayAccess } from '@bedside/pathways';
import { Acting, pageSize, Allow, decodeCursor, encodeCursor, toConnection } from '@bedside/graphql-common';
import { ConflictError, EVERYONE, NotFoundError } from '@bedside/shared';
import { signatureIn } from './audit-signature';
import { AuditEntry, AuditEntryConnection, StreamVerification } from './audit.types';

/** The audit trail is read straight from the event log: it is the record, not a projection of it. */
@Resolver(() => AuditEntry)
export class AuditResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly access: PathwayAccess,
  ) {}

  @Allow(EVERYONE)
  @Query(() => AuditEntryConnection, {
    description: 'Every event of one stream (e.g. "site-RBV02"), oldest first: who, for whom, what, when and why.',
  })
  async auditTrail(
    @Args('streamId', { type: () => ID, description: 'The stream, e.g. "site-<code>".' }) streamId: string,
    @Acting() acting: CommandContext,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
  ): Promise<AuditEntryConnection> {
    await this.access.requireStreamReadable(streamId, acting);
    const limit = pageSize(first);
    const [afterPosition] = (decodeCursor(`audit:${streamId}`, after, ['number']) ?? [0]) as number[];
    const events = await this.store.readStream(streamId, { fromPosition: afterPosition! + 1, maxCount: limit + 1 });
    if (events.length === 0 && afterPosition === 0) {
      throw new NotFoundError('stream', streamId, 'Stream ids look like "site-<code>".');
    }
    return toConnection(events, limit, (e) => encodeCursor(`audit:${streamId}`, [e.streamPosition]), toAuditEntry);
  }

  @Allow(EVERYONE)
  @Query(() => StreamVerification, {
    description: 'Checks one stream’s hash chain, from its first event to its last: whether its record is as it was recorded (README "For inspectors"). Whoever may read the stream’s audit trail may check it.',
  })
  async streamVerification(
    @Args('streamId', { type: () => ID, description: 'The stream, e.g. "pathway-<COI>" or "unit-<id>".' }) streamId: string,
    @Acting() acting: CommandContext,
  ): Promise<StreamVerification> {
    await this.access.requireStreamReadable(streamId, acting);
    if (!(this.store instanceof PostgresEventStore)) {
      throw new ConflictError('This Bedside keeps its event log in KurrentDB, which keeps its own record: the hash chain is kept and checked by the PostgreSQL event store (docs/record.md).');
    }
    const verification = await verifyStream(this.store.pool, streamId);
    if (verification.events === 0 && verification.intact) throw new NotFoundError('stream', streamId, 'Stream ids look like "site-<code>".');
    return {
      streamId,
      events: verification.events,
      intact: verification.intact,
      breaks: verification.breaks.map((b) => ({ position: b.streamPosition, globalPosition: b.globalPosition, problem: b.problem })),
      lastHash: verification.lastHash,
    };
  }
}

function toAuditEntry(event: RecordedEvent): AuditEntry {
  return {
    position: event.streamPosition,
    eventId: event.eventId,
    type: event.type,
    recordedAt: event.recordedAt,
    actor: event.metadata.actor,
    role: event.metadata.role ?? null,
    onBehalfOf: event.metadata.onBehalfOf ?? null,
    reason: event.metadata.reason ?? null,
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId ?? null,
    schemaVersion: event.schemaVersion,
    data: event.data,
    signature: signatureIn(event),
  };
}
