import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { PostgresEventStore, START_OF_LOG } from '@bedside/event-store';
import type { ForeignLoadMonitor } from '../support/foreign-load';
import { formatRate, formatShare } from '../support/format';
import { appendMetadata, EVENT_TYPE, eventData, newStreamId } from './payload';

export interface ReplayLog {
  readonly events: number;
  readonly loadSeconds: number;
}

/**
 * Something that reads the whole log from its start. The store's catch-up subscription and the raw
 * keyset SELECT are the two measured here; a projection rebuild (subscribe, write read-model rows and
 * the checkpoint per batch) is meant to plug in as a further consumer over the same loaded log.
 */
export interface ReplayConsumer {
  readonly name: string;
  /**
   * Reads until it has seen `expected` events. Times itself, so connecting (or, for a rebuild,
   * dropping the read model) can be left out of or put into the figure deliberately.
   */
  replay(batchSize: number, expected: number): Promise<{ events: number; seconds: number }>;
}

export interface ReplayMeasurement {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly roundRates: readonly number[];
}

export interface ReplayRow {
  readonly batchSize: number;
  /** Keyed by consumer name. */
  readonly results: Readonly<Record<string, ReplayMeasurement>>;
  /** Share of the machine's CPU other processes used meanwhile (0..1). */
  readonly otherLoad: number;
}

const LOAD_CHUNK = 10_000;
const EVENTS_PER_STREAM = 10;

const LOAD_CHUNK_SQL = `
  INSERT INTO events (event_id, stream_id, stream_position, type, schema_version, data, metadata)
  SELECT e.event_id, e.stream_id, e.stream_position, e.type, e.schema_version, e.data, e.metadata
    FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[])
         WITH ORDINALITY AS e(event_id, stream_id, stream_position, type, schema_version, data, metadata, ord)
   ORDER BY e.ord`;

/**
 * Bulk-loads `events` events into the empty log with the store's own columns and defaults: chunks of
 * 10,000 rows, each one INSERT ... SELECT FROM unnest(...) and its own transaction (so the log holds many
 * transaction ids), 10 events per stream. The `streams` rows are filled to match.
 * It bypasses append_to_streams on purpose: this loads a fixture fast, the append path is measured elsewhere.
 * One connection only: concurrent loaders would interleave two 10,000-row transactions row by row, so
 * (transaction_id, global_position) order would stray from heap order far more than real small appends make it.
 */
export async function loadReplayLog(admin: Pool, url: string, events: number, log: (line: string) => void): Promise<ReplayLog> {
  const started = performance.now();
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const progressEvery = Math.max(1, Math.round(events / LOAD_CHUNK / 10)) * LOAD_CHUNK;
    let inserting: Promise<unknown> = Promise.resolve();
    for (let first = 0; first < events; first += LOAD_CHUNK) {
      // Build the next chunk while the server inserts the previous one.
      const columns = chunkColumns(first, Math.min(LOAD_CHUNK, events - first));
      await inserting;
      if (first > 0 && first % progressEvery === 0) log(`  loaded ${formatRate(first)} / ${formatRate(events)} events`);
      inserting = pool.query(LOAD_CHUNK_SQL, columns);
    }
    await inserting;
  } finally {
    await pool.end();
  }
  await admin.query(
    `INSERT INTO streams (stream_id, stream_position) SELECT stream_id, max(stream_position) FROM events GROUP BY stream_id`,
  );
  // Sets hint bits and the visibility map now, so the first timed reader does not pay for them.
  await admin.query('VACUUM (ANALYZE) events, streams');
  return { events, loadSeconds: (performance.now() - started) / 1000 };
}

function chunkColumns(first: number, count: number): unknown[][] {
  const ids: string[] = [];
  const streams: string[] = [];
  const positions: number[] = [];
  const types: string[] = [];
  const versions: number[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  // Chunks start on a stream boundary (LOAD_CHUNK is a multiple of EVENTS_PER_STREAM); these are reset there.
  let streamId = '';
  let metadataJson = '';
  for (let i = first; i < first + count; i++) {
    const position = (i % EVENTS_PER_STREAM) + 1;
    if (position === 1) {
      streamId = newStreamId();
      metadataJson = JSON.stringify(appendMetadata(i));
    }
    ids.push(randomUUID());
    streams.push(streamId);
    positions.push(position);
    types.push(EVENT_TYPE);
    versions.push(1);
    data.push(JSON.stringify(eventData(i)));
    metadata.push(metadataJson);
  }
  return [ids, streams, positions, types, versions, data, metadata];
}

/** The store's catch-up subscription from START_OF_LOG, counting events in its handler. */
export function storeSubscriptionConsumer(url: string): ReplayConsumer {
  return {
    name: 'store',
    async replay(batchSize, expected) {
      const store = new PostgresEventStore({ connectionString: url, pool: { max: 2 } });
      try {
        await store.pool.query('SELECT 1'); // connect before the clock starts, as the raw reader does
        let seen = 0;
        let caughtUp: () => void = () => undefined;
        let failed: (error: unknown) => void = () => undefined;
        const done = new Promise<void>((resolve, reject) => {
          caughtUp = resolve;
          failed = reject;
        });
        const started = performance.now();
        const subscription = store.subscribe({
          name: 'bench-replay',
          after: START_OF_LOG,
          batchSize,
          handle: async (events) => {
            seen += events.length;
            if (seen >= expected) caughtUp();
          },
          // The subscription would retry for ever; a benchmark should stop and say why.
          onError: failed,
        });
        try {
          await done;
          return { events: seen, seconds: (performance.now() - started) / 1000 };
        } finally {
          await subscription.stop();
        }
      } finally {
        await store.close();
      }
    },
  };
}

/**
 * The baseline: the same columns in global_position order, keyset-paged, parsed by pg into plain rows.
 * Unlike the store it neither orders by transaction id nor hides rows of running transactions, so it
 * could skip a late-committing event (architecture.md §2): it is the ceiling, not an alternative.
 */
export function rawKeysetConsumer(url: string): ReplayConsumer {
  return {
    name: 'raw',
    async replay(batchSize, expected) {
      const pool = new Pool({ connectionString: url, max: 2 });
      try {
        await pool.query('SELECT 1');
        const started = performance.now();
        let seen = 0;
        let after = '0';
        while (seen < expected) {
          const { rows } = await pool.query<{ global_position: string }>(
            `SELECT global_position, transaction_id::text AS transaction_id_text, event_id, stream_id, stream_position,
                    type, schema_version, data, metadata, recorded_at
               FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
            [after, batchSize],
          );
          seen += rows.length;
          if (rows.length < batchSize) break;
          after = rows[rows.length - 1]!.global_position;
        }
        return { events: seen, seconds: (performance.now() - started) / 1000 };
      } finally {
        await pool.end();
      }
    },
  };
}

/**
 * Replays the loaded log with every consumer at every batch size, alternating their order each round
 * (A B, B A, ...) so cache warmth and drift do not favour one.
 */
export async function measureReplay(
  consumers: readonly ReplayConsumer[],
  batchSizes: readonly number[],
  rounds: number,
  expected: number,
  otherLoad: ForeignLoadMonitor,
  log: (line: string) => void,
): Promise<ReplayRow[]> {
  const rows: ReplayRow[] = [];
  for (const batchSize of batchSizes) {
    const otherLoadShare = otherLoad.window();
    const runs = new Map<string, { events: number; seconds: number }[]>(consumers.map((c) => [c.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const consumer of round % 2 === 0 ? consumers : [...consumers].reverse()) {
        const run = await consumer.replay(batchSize, expected);
        if (run.events !== expected) {
          throw new Error(`${consumer.name} replay saw ${run.events} events; the log holds ${expected}.`);
        }
        runs.get(consumer.name)!.push(run);
      }
    }
    const results: Record<string, ReplayMeasurement> = {};
    for (const [name, list] of runs) {
      const events = list.reduce((sum, r) => sum + r.events, 0);
      const seconds = list.reduce((sum, r) => sum + r.seconds, 0);
      results[name] = { events, seconds, eventsPerSecond: events / seconds, roundRates: list.map((r) => r.events / r.seconds) };
    }
    const described = consumers.map((c) => {
      const result = results[c.name]!;
      return `${c.name} ${formatRate(result.eventsPerSecond)} events/s (rounds ${result.roundRates.map(formatRate).join(' ')})`;
    });
    const others = otherLoadShare();
    log(`replay batch ${batchSize}: ${described.join(' | ')} | other processes ${formatShare(others)} CPU`);
    rows.push({ batchSize, results, otherLoad: others });
  }
  return rows;
}
