import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@bedside/event-store';
import { CLINICAL, NotFoundError, parseLocalDate, requireRole, requireTrust, trustScope, ValidationError, type Caller, type LocalDate } from '@bedside/shared';
import { pathwayStreamId } from '../domain';
import type { BatchRow } from '../projections/batches.projection';

/** What a lookback filters batches on (issue 14 §1): all optional, days in the network's time zone. */
export interface BatchFilter {
  readonly productCode?: string | null;
  readonly siteCode?: string | null;
  readonly unitId?: string | null;
  /** Batches whose manufacture started on or after this day, and on or before `to`. */
  readonly from?: string | null;
  readonly to?: string | null;
}

/** A batch row with the pathway it reached. */
export interface BatchWithPathway extends BatchRow {
  pathway_status: string | null;
  patient_ref: string | null;
}

/** One recorded event about a batch, as its history shows it. */
export interface BatchHistoryEntry {
  readonly eventId: string;
  readonly type: string;
  /** When it happened (a step's `at`, an adverse event's onset). */
  readonly occurredAt: string | null;
  readonly recordedAt: Date;
  readonly actor: string;
  readonly reason: string | null;
  readonly signer: string | null;
  readonly signedInAt: string | null;
  readonly data: Record<string, unknown>;
}

const upper = (value: string | null | undefined) => (value?.trim() ? value.trim().toUpperCase() : null);

/**
 * The lookback a recall or safety report starts from (issue 14 §1). Control Site QA sees every batch; a
 * trust's scheduler sees the batches made for their own trusts' patients (docs/domain.md: trusts see
 * their own patients).
 */
@Injectable()
export class BatchReads {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async batch(rawId: string, caller: Caller): Promise<BatchWithPathway> {
    requireRole(caller.role, CLINICAL, 'see batches');
    const batchId = rawId.trim().toUpperCase();
    const [row]: BatchWithPathway[] = await this.dataSource.query(
      `SELECT b.*, p.status AS pathway_status, p.patient_ref FROM batches b LEFT JOIN pathways p ON p.coi = b.coi WHERE b.batch_id = $1`,
      [batchId],
    );
    if (!row) throw new NotFoundError('batch', batchId, 'Check the batch id on the label, or find it with batches(filter).');
    requireTrust(caller, row.referring_trust, 'see batches');
    return row;
  }

  /** Batches by the filter, in the order manufacture started, then by id; `after` is the last one of the previous page. */
  async batches(filter: BatchFilter, caller: Caller, limit: number, after?: { startedAt: string; batchId: string }): Promise<BatchWithPathway[]> {
    requireRole(caller.role, CLINICAL, 'see batches');
    const from: LocalDate | null = filter.from ? parseLocalDate('from', filter.from) : null;
    const to: LocalDate | null = filter.to ? parseLocalDate('to', filter.to) : null;
    if (from && to && to < from) throw new ValidationError('to', `The range ends (${to}) before it starts (${from}).`);
    return this.dataSource.query(
      `SELECT b.*, p.status AS pathway_status, p.patient_ref
         FROM batches b LEFT JOIN pathways p ON p.coi = b.coi
        WHERE ($1::text IS NULL OR b.product_code = $1)
          AND ($2::text IS NULL OR b.site_code = $2)
          AND ($3::text IS NULL OR b.unit_id = $3)
          AND ($4::date IS NULL OR b.started_at >= ($4::date::timestamp AT TIME ZONE 'Europe/London'))
          AND ($5::date IS NULL OR b.started_at < (($5::date + 1)::timestamp AT TIME ZONE 'Europe/London'))
          AND ($6::text[] IS NULL OR b.referring_trust = ANY($6))
          AND ($7::timestamptz IS NULL OR (b.started_at, b.batch_id) > ($7::timestamptz, $8::text))
        ORDER BY b.started_at, b.batch_id
        LIMIT $9`,
      [upper(filter.productCode), upper(filter.siteCode), upper(filter.unitId), from, to, trustScope(caller), after?.startedAt ?? null, after?.batchId ?? null, limit + 1],
    );
  }

  /** Each batch's history: the events of its pathway's stream that name it, in order (one read for all). */
  async histories(batches: readonly { batchId: string; coi: string }[]): Promise<BatchHistoryEntry[][]> {
    const streams = await this.store.readStreams([...new Set(batches.map((b) => pathwayStreamId(b.coi)))]);
    return batches.map(({ batchId, coi }) => (streams.get(pathwayStreamId(coi)) ?? []).filter((e) => (e.data as { batchId?: string }).batchId === batchId).map(toEntry));
  }
}

function toEntry(event: RecordedEvent): BatchHistoryEntry {
  const data = event.data as Record<string, unknown> & { at?: string; occurredAt?: string; signature?: { signer: string; signedInAt: string } };
  return {
    eventId: event.eventId,
    type: event.type,
    occurredAt: data.at ?? data.occurredAt ?? null,
    recordedAt: event.recordedAt,
    actor: event.metadata.actor,
    reason: event.metadata.reason ?? null,
    signer: data.signature?.signer ?? null,
    signedInAt: data.signature?.signedInAt ?? null,
    data,
  };
}
