import { randomUUID } from 'node:crypto';
import { DatabaseError, type Pool, type QueryConfig, type QueryResultRow } from 'pg';
import { ConcurrencyError, InvalidAppendError } from '../errors';
import type { AppendResult, EventMetadata, ExpectedVersion, StreamAppend } from '../types';

const EXPECTED_CODES: Record<Exclude<ExpectedVersion, number>, number> = { any: -1, no_stream: -2, exists: -3 };

interface AppendRow {
  stream_id: string;
  stream_position: string;
  transaction_id: string;
  last_global_position: string;
}

/**
 * The common case, one stream at the version its events were decided on, as one SQL statement: bump
 * the stream row only if it is at that version (a racing writer blocks on the row, then finds it
 * moved and matches nothing), and insert the events only if it was bumped. No plpgsql, and the events
 * travel as one JSON document rather than arrays the driver must escape element by element.
 */
const APPEND_AT_VERSION = `
  WITH bumped AS (
    UPDATE streams SET stream_position = stream_position + $3, updated_at = now()
     WHERE stream_id = $1 AND stream_position = $2
    RETURNING stream_id
  )
  INSERT INTO events (event_id, stream_id, stream_position, type, schema_version, data, metadata)
  SELECT e.id, b.stream_id, $2 + e.ord, e.type, e.v, e.data, e.metadata
    FROM bumped b, ROWS FROM (jsonb_to_recordset($4::jsonb) AS (id uuid, type text, v integer, data jsonb, metadata jsonb)) WITH ORDINALITY AS e(id, type, v, data, metadata, ord)
   ORDER BY e.ord
  RETURNING global_position, transaction_id::text AS transaction_id_text`;

/**
 * `pool.query`, except that a statement the server refused (a stream at another version) gives its
 * connection back to the pool. pg-pool closes any connection whose query failed, and under load racing
 * appends are refused often: each would cost a new backend and a new login, then re-preparing every
 * statement, only to be refused again when the retry races.
 */
async function query<R extends QueryResultRow>(pool: Pool, config: QueryConfig): Promise<R[]> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<R>(config);
    client.release();
    return rows;
  } catch (error) {
    // A DatabaseError came back as a message on a healthy connection; anything else may have broken it.
    client.release(error instanceof DatabaseError ? undefined : (error as Error));
    throw error;
  }
}

async function appendAtVersion(pool: Pool, stream: StreamAppend, version: number, metadata: EventMetadata): Promise<AppendResult> {
  const events = stream.events.map((event) => ({
    id: event.eventId ?? randomUUID(),
    type: event.type,
    v: event.schemaVersion ?? 1,
    data: event.data,
    metadata: event.metadata ? { ...metadata, ...event.metadata } : metadata,
  }));
  const rows = await query<{ global_position: string; transaction_id_text: string }>(pool, {
    name: 'bedside_append_at_version',
    text: APPEND_AT_VERSION,
    values: [stream.streamId, version, events.length, JSON.stringify(events)],
  });
  if (rows.length === 0) {
    const { rows: current } = await pool.query<{ stream_position: string }>('SELECT stream_position FROM streams WHERE stream_id = $1', [stream.streamId]);
    throw new ConcurrencyError(stream.streamId, version, current[0] ? Number(current[0].stream_position) : 'no_stream');
  }
  const last = rows.reduce((a, b) => (BigInt(a.global_position) > BigInt(b.global_position) ? a : b));
  return {
    versions: new Map([[stream.streamId, version + events.length]]),
    lastPosition: { transactionId: BigInt(last.transaction_id_text), position: BigInt(last.global_position) },
  };
}

/** One round trip: one statement for one stream at a known version, else the append_to_streams function. */
export async function appendToStreams(
  pool: Pool,
  streams: readonly StreamAppend[],
  metadata: EventMetadata,
): Promise<AppendResult> {
  validate(streams);
  const [only] = streams;
  if (streams.length === 1 && typeof only!.expectedVersion === 'number' && only!.expectedVersion > 0) {
    try {
      return await appendAtVersion(pool, only!, only!.expectedVersion, metadata);
    } catch (error) {
      throw translate(error, streams);
    }
  }
  const streamIds: string[] = [];
  const expected: number[] = [];
  const counts: number[] = [];
  const events: { id: string; type: string; v: number; data: unknown; metadata?: unknown }[] = [];
  for (const stream of streams) {
    streamIds.push(stream.streamId);
    expected.push(typeof stream.expectedVersion === 'number' ? stream.expectedVersion : EXPECTED_CODES[stream.expectedVersion]);
    counts.push(stream.events.length);
    for (const event of stream.events) {
      events.push({ id: event.eventId ?? randomUUID(), type: event.type, v: event.schemaVersion ?? 1, data: event.data, ...(event.metadata && { metadata: event.metadata }) });
    }
  }
  try {
    const rows = await query<AppendRow>(pool, {
      // Named: each connection parses and plans it once.
      name: 'bedside_append_to_streams',
      // The events as one JSON document, the metadata they share once (migration 1763700000800).
      text: 'SELECT * FROM append_to_streams($1::text[], $2::bigint[], $3::int[], $4::jsonb, $5::jsonb)',
      values: [streamIds, expected, counts, JSON.stringify(events), JSON.stringify(metadata)],
    });
    const first = rows[0]!;
    return {
      versions: new Map(rows.map((row) => [row.stream_id, Number(row.stream_position)])),
      lastPosition: { transactionId: BigInt(first.transaction_id), position: BigInt(first.last_global_position) },
    };
  } catch (error) {
    throw translate(error, streams);
  }
}

function validate(streams: readonly StreamAppend[]): void {
  if (streams.length === 0) throw new InvalidAppendError('An append needs at least one stream.');
  const seen = new Set<string>();
  for (const stream of streams) {
    if (!stream.streamId) throw new InvalidAppendError('A stream id must not be empty.');
    if (seen.has(stream.streamId)) {
      throw new InvalidAppendError(`Stream "${stream.streamId}" appears twice in one append; merge its events.`);
    }
    seen.add(stream.streamId);
    if (stream.events.length === 0) {
      throw new InvalidAppendError(`The append to stream "${stream.streamId}" has no events.`);
    }
    const version = stream.expectedVersion;
    if (typeof version === 'number' && (!Number.isSafeInteger(version) || version < 0)) {
      throw new InvalidAppendError(`Expected version ${version} for "${stream.streamId}" is not a whole number >= 0.`);
    }
  }
}

interface PgError {
  code?: string;
  detail?: string;
  constraint?: string;
}

function translate(error: unknown, streams: readonly StreamAppend[]): unknown {
  const pgError = error as PgError;
  if (pgError.code === 'BS001' && pgError.detail) {
    const detail = JSON.parse(pgError.detail) as { streamId: string; actual: number };
    const requested = streams.find((s) => s.streamId === detail.streamId)?.expectedVersion ?? 'any';
    return new ConcurrencyError(detail.streamId, requested, detail.actual === -2 ? 'no_stream' : detail.actual);
  }
  if (pgError.code === '23505' && pgError.constraint === 'events_event_id_unique') {
    return new InvalidAppendError('An event with the same event id is already recorded (a retried append?).');
  }
  return error;
}
