import { Controller, Get, Inject, Param, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { stringify } from 'csv-stringify';
import { EVENT_STORE, type CommandContext, type EventStore, type RecordedEvent } from '@bedside/event-store';
import { Acting, Allow } from '@bedside/graphql-common';
import { PathwayAccess } from '@bedside/pathways';
import { EVERYONE, NotFoundError } from '@bedside/shared';
import { signatureIn } from './audit-signature';
import { BedsideHttpErrorsFilter } from './http-errors.filter';

const COLUMNS = ['position', 'recordedAt', 'type', 'actor', 'role', 'onBehalfOf', 'reason', 'correlationId', 'causationId', 'data', 'eventId', 'signature'];

/**
 * The audit trail of one stream as CSV, for an inspector: every event, oldest first, with who, in
 * which role, for which trust, when and why (21 CFR 11.10(b): accurate and complete copies in
 * human-readable form). The same access rules as the auditTrail query.
 */
@Controller('audit')
@UseFilters(BedsideHttpErrorsFilter)
export class AuditExportController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly access: PathwayAccess,
  ) {}

  @Allow(EVERYONE)
  @Get(':streamId/csv')
  async export(@Param('streamId') streamId: string, @Acting() acting: CommandContext, @Res() reply: FastifyReply): Promise<void> {
    await this.access.requireStreamReadable(streamId, acting);
    const events = await this.store.readStream(streamId);
    if (events.length === 0) throw new NotFoundError('stream', streamId, 'Stream ids look like "site-<code>" or "pathway-<coi>".');
    const rows = events.map((e) => [
      e.streamPosition,
      e.recordedAt.toISOString(),
      e.type,
      e.metadata.actor,
      e.metadata.role ?? '',
      e.metadata.onBehalfOf ?? '',
      e.metadata.reason ?? '',
      e.metadata.correlationId,
      e.metadata.causationId ?? '',
      JSON.stringify(e.data),
      e.eventId,
      signatureText(e),
    ]);
    const csv = stringify([COLUMNS, ...rows]);
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${streamId.replace(/[^\w.-]/g, '_')}.csv"`).send(csv);
  }
}

/** A signature in words, for a column an inspector reads: "qa.lead@control-site (control_site_qa) APPROVED at …, signed in at …". */
function signatureText(event: RecordedEvent): string {
  const signature = signatureIn(event);
  if (!signature) return '';
  return `${signature.signer}${signature.role ? ` (${signature.role})` : ''} ${signature.meaning} at ${signature.signedAt.toISOString()}, signed in at ${signature.signedInAt.toISOString()}`;
}
