import type { Pool, PoolClient } from 'pg';
import { ChainVerifier, type ChainedEvent, type ChainVerification, type LogAnchor } from './log-chain';

/**
 * The PostgreSQL log's chain checked, archived and restored (issue 14 §5; docs/record.md). Every read
 * here is of the events table as stored: what the event store hands its readers (upcast, typed) is not
 * what was hashed.
 */

const CHAINED_COLUMNS = `global_position::text AS global_position, stream_id, stream_position::text AS stream_position, event_id::text AS event_id,
  type, schema_version, (extract(epoch FROM recorded_at) * 1000000)::bigint::text AS recorded_at_micros,
  data::text AS data, metadata::text AS metadata, encode(hash, 'hex') AS hash`;

interface ChainedRow {
  global_position: string;
  stream_id: string;
  stream_position: string;
  event_id: string;
  type: string;
  schema_version: number;
  recorded_at_micros: string;
  data: string;
  metadata: string;
  hash: string;
}

const chained = (row: ChainedRow): ChainedEvent => ({
  globalPosition: row.global_position,
  streamId: row.stream_id,
  streamPosition: Number(row.stream_position),
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  recordedAtMicros: row.recorded_at_micros,
  data: row.data,
  metadata: row.metadata,
  hash: row.hash,
});

const BATCH = 5_000;

/** Every event in global order, up to `upTo` when given, a batch at a time. */
export async function* readChainedEvents(pool: Pool, upTo?: string | null): AsyncGenerator<ChainedEvent> {
  let after = '0';
  for (;;) {
    const { rows } = await pool.query<ChainedRow>(
      `SELECT ${CHAINED_COLUMNS} FROM events WHERE global_position > $1 AND ($2::bigint IS NULL OR global_position <= $2) ORDER BY events.global_position LIMIT ${BATCH}`,
      [after, upTo ?? null],
    );
    for (const row of rows) yield chained(row);
    if (rows.length < BATCH) return;
    after = rows.at(-1)!.global_position;
  }
}

/** How many events each stream has by the store's index of streams (`streams.stream_position`). */
async function streamLengths(pool: Pool, streamId?: string): Promise<{ streamId: string; length: number }[]> {
  const { rows } = await pool.query<{ stream_id: string; stream_position: string }>(
    'SELECT stream_id, stream_position::text AS stream_position FROM streams WHERE $1::text IS NULL OR stream_id = $1',
    [streamId ?? null],
  );
  return rows.map((r) => ({ streamId: r.stream_id, length: Number(r.stream_position) }));
}

/** Checks the whole log: every stream's chain, the streams' lengths, and the digest at each anchor kept. */
export async function verifyLog(pool: Pool, options: { anchors?: readonly LogAnchor[]; onProgress?: (checked: number) => void } = {}): Promise<ChainVerification> {
  const verifier = new ChainVerifier(options.anchors);
  for await (const event of readChainedEvents(pool)) {
    verifier.add(event);
    if (verifier.events % 50_000 === 0) options.onProgress?.(verifier.events);
  }
  verifier.checkLengths(await streamLengths(pool));
  return verifier.result();
}

/** One stream's chain checked, and the hash of its last event (which chains everything before it). */
export interface StreamVerification extends ChainVerification {
  readonly streamId: string;
  readonly lastHash: string | null;
}

/** Checks one stream's chain, from its first event to its last, and its length. */
export async function verifyStream(pool: Pool, streamId: string): Promise<StreamVerification> {
  const verifier = new ChainVerifier();
  const { rows } = await pool.query<ChainedRow>(`SELECT ${CHAINED_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY events.stream_position`, [streamId]);
  for (const row of rows) verifier.add(chained(row));
  verifier.checkLengths(await streamLengths(pool, streamId));
  // A stream's events are not the whole log: its digest would anchor nothing.
  return { ...verifier.result(), anchor: null, streamId, lastHash: rows.at(-1)?.hash ?? null };
}

/**
 * Restores an archive of the log (events in global order from the first, as `readChainedEvents` gives
 * them) into an event store with no events, keeping each event's global position and recording time.
 * The database chains each event again as it is inserted; an event whose hash then differs from the
 * archive's is refused, and nothing is restored. Returns how many events were restored.
 */
export async function restoreLog(pool: Pool, events: AsyncIterable<ChainedEvent> | Iterable<ChainedEvent>, onProgress?: (restored: number) => void): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM events');
    if (rows[0]!.n !== '0') throw new Error(`The event store already holds ${rows[0]!.n} events: restore an archive into an empty database.`);
    let batch: ChainedEvent[] = [];
    let restored = 0;
    for await (const event of events) {
      batch.push(event);
      if (batch.length === 1_000) {
        restored += await insertBatch(client, batch);
        onProgress?.(restored);
        batch = [];
      }
    }
    if (batch.length > 0) restored += await insertBatch(client, batch);
    await client.query(`INSERT INTO streams (stream_id, stream_position) SELECT stream_id, max(stream_position) FROM events GROUP BY stream_id`);
    await client.query(`SELECT setval(pg_get_serial_sequence('events', 'global_position'), coalesce(max(global_position), 0) + 1, false) FROM events`);
    await client.query('COMMIT');
    return restored;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function insertBatch(client: PoolClient, batch: readonly ChainedEvent[]): Promise<number> {
  const { rows } = await client.query<{ global_position: string; hash: string }>(
    `INSERT INTO events (global_position, event_id, stream_id, stream_position, type, schema_version, data, metadata, recorded_at)
     OVERRIDING SYSTEM VALUE
     SELECT e.global_position, e.event_id, e.stream_id, e.stream_position, e.type, e.schema_version, e.data::jsonb, e.metadata::jsonb,
            timestamptz 'epoch' + (e.recorded_at_micros || ' microseconds')::interval
       FROM jsonb_to_recordset($1::jsonb) AS e(global_position bigint, event_id uuid, stream_id text, stream_position bigint, type text,
            schema_version integer, data text, metadata text, recorded_at_micros text)
      ORDER BY e.global_position
     RETURNING global_position::text AS global_position, encode(hash, 'hex') AS hash`,
    [
      JSON.stringify(
        batch.map((e) => ({
          global_position: e.globalPosition,
          event_id: e.eventId,
          stream_id: e.streamId,
          stream_position: e.streamPosition,
          type: e.type,
          schema_version: e.schemaVersion,
          data: e.data,
          metadata: e.metadata,
          recorded_at_micros: e.recordedAtMicros,
        })),
      ),
    ],
  );
  const archived = new Map(batch.map((e) => [BigInt(e.globalPosition).toString(), e]));
  for (const row of rows) {
    const event = archived.get(row.global_position)!;
    if (row.hash !== event.hash.toLowerCase()) {
      throw new Error(`Event ${event.streamPosition} of stream ${event.streamId} (global position ${event.globalPosition}) does not match its hash in the archive: the archive was altered. Nothing was restored.`);
    }
  }
  return rows.length;
}
