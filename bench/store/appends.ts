import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { PostgresEventStore, type StreamAppend } from '@bedside/event-store';
import { formatMs, formatRate, formatShare } from '../support/format';
import type { ForeignLoadMonitor } from '../support/foreign-load';
import { percentile, runClosedLoop, type ClosedLoopResult } from '../support/measure';
import { appendMetadata, EVENT_TYPE, eventData, newStreamId } from './payload';
import { RAW_TABLE, type Checkpointer } from './setup';
import type { StoreBenchSettings } from './settings';

export type Side = 'store' | 'raw';

export interface SideResult {
  readonly appends: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly appendsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** events/s of each alternating segment, to show the spread. */
  readonly segmentRates: readonly number[];
}

export interface AppendCell {
  readonly writers: number;
  readonly eventsPerAppend: number;
  readonly store: SideResult;
  readonly raw: SideResult;
  /** store events/s ÷ raw events/s. */
  readonly ratio: number;
  /** Share of the machine's CPU other processes used while the cell ran (0..1). */
  readonly otherLoad: number;
}

/** One way of appending: through the event store, or plain INSERTs of the same rows. */
interface AppendTarget {
  readonly side: Side;
  /** Creates every writer's streams (one event each), untimed. */
  seed(): Promise<void>;
  /** One append (one transaction) of `eventsPerAppend` events by `writer`. */
  append(writer: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The streams one writer owns. Each append goes to the next one in turn with the exact expected
 * version, as a command handler does after loading an aggregate; owning them means no conflicts.
 */
class WriterStreams {
  readonly ids: string[];
  readonly versions: number[];
  private next = 0;

  constructor(count: number) {
    this.ids = Array.from({ length: count }, newStreamId);
    this.versions = new Array<number>(count).fill(0);
  }

  take(): number {
    const index = this.next;
    this.next = (index + 1) % this.ids.length;
    return index;
  }
}

// Numbers the events of a run, so each payload differs (ids, slots, sites) as real ones do.
let sequence = 0;

function storeTarget(url: string, writers: number, eventsPerAppend: number, streamsPerWriter: number): AppendTarget {
  const store = new PostgresEventStore({ connectionString: url, pool: { max: writers } });
  const owned = Array.from({ length: writers }, () => new WriterStreams(streamsPerWriter));
  return {
    side: 'store',
    async seed() {
      await Promise.all(
        owned.map(async (streams) => {
          const appends: StreamAppend[] = streams.ids.map((streamId) => ({
            streamId,
            expectedVersion: 'no_stream',
            events: [{ type: EVENT_TYPE, data: eventData(sequence++) }],
          }));
          await store.append(appends, appendMetadata(sequence));
          streams.versions.fill(1);
        }),
      );
    },
    async append(writer) {
      const streams = owned[writer]!;
      const index = streams.take();
      const events = Array.from({ length: eventsPerAppend }, () => ({ type: EVENT_TYPE, data: eventData(sequence++) }));
      await store.append([{ streamId: streams.ids[index]!, expectedVersion: streams.versions[index]!, events }], appendMetadata(sequence));
      streams.versions[index]! += eventsPerAppend;
    },
    close: () => store.close(),
  };
}

const RAW_COLUMNS = '(event_id, stream_id, stream_position, type, schema_version, data, metadata)';
const COLUMNS_PER_ROW = 7;

/** One multi-row INSERT, so n events are one statement, one round trip and one transaction. */
function insertSql(rows: number): string {
  const tuples = Array.from({ length: rows }, (_, row) => {
    const params = Array.from({ length: COLUMNS_PER_ROW }, (_, column) => `$${row * COLUMNS_PER_ROW + column + 1}`);
    return `(${params.join(', ')})`;
  });
  return `INSERT INTO ${RAW_TABLE} ${RAW_COLUMNS} VALUES ${tuples.join(', ')}`;
}

function rawTarget(url: string, writers: number, eventsPerAppend: number, streamsPerWriter: number): AppendTarget {
  const pool = new Pool({ connectionString: url, max: writers });
  const owned = Array.from({ length: writers }, () => new WriterStreams(streamsPerWriter));
  const appendSql = insertSql(eventsPerAppend);
  const seedSql = insertSql(streamsPerWriter);
  // The same row contents the store writes: a fresh event id, the next stream position, ~300-byte data.
  const row = (streamId: string, position: number, metadataJson: string): unknown[] => [
    randomUUID(),
    streamId,
    position,
    EVENT_TYPE,
    1,
    JSON.stringify(eventData(sequence++)),
    metadataJson,
  ];
  return {
    side: 'raw',
    async seed() {
      await Promise.all(
        owned.map(async (streams) => {
          const metadataJson = JSON.stringify(appendMetadata(sequence));
          await pool.query(seedSql, streams.ids.flatMap((id) => row(id, 1, metadataJson)));
          streams.versions.fill(1);
        }),
      );
    },
    async append(writer) {
      const streams = owned[writer]!;
      const index = streams.take();
      const streamId = streams.ids[index]!;
      const version = streams.versions[index]!;
      const metadataJson = JSON.stringify(appendMetadata(sequence));
      const values: unknown[] = [];
      for (let i = 1; i <= eventsPerAppend; i++) values.push(...row(streamId, version + i, metadataJson));
      await pool.query(appendSql, values);
      streams.versions[index] = version + eventsPerAppend;
    },
    close: () => pool.end(),
  };
}

/**
 * Appends/s through the store and through raw INSERTs, for every (writers, events per append) cell.
 * Within a cell the two sides alternate (store, raw, raw, store, ...) so drift in the machine, the
 * tables' growth and autovacuum weigh on both.
 */
export async function measureAppends(
  url: string,
  settings: StoreBenchSettings,
  checkpointer: Checkpointer,
  otherLoad: ForeignLoadMonitor,
  log: (line: string) => void,
): Promise<AppendCell[]> {
  const cells: AppendCell[] = [];
  for (const eventsPerAppend of settings.eventsPerAppend) {
    for (const writers of settings.writers) {
      cells.push(await measureCell(url, settings, writers, eventsPerAppend, checkpointer, otherLoad, log));
    }
  }
  return cells;
}

async function measureCell(
  url: string,
  settings: StoreBenchSettings,
  writers: number,
  eventsPerAppend: number,
  checkpointer: Checkpointer,
  otherLoad: ForeignLoadMonitor,
  log: (line: string) => void,
): Promise<AppendCell> {
  const label = `${String(writers).padStart(2)} writer${writers === 1 ? ' ' : 's'} × ${String(eventsPerAppend).padStart(2)} event${eventsPerAppend === 1 ? ' ' : 's'}`;
  const store = storeTarget(url, writers, eventsPerAppend, settings.streamsPerWriter);
  const raw = rawTarget(url, writers, eventsPerAppend, settings.streamsPerWriter);
  try {
    // Seeding and warm-up open every pooled connection and create the streams before timing starts.
    for (const target of [store, raw]) {
      await target.seed();
      if (settings.warmupSeconds > 0) await runClosedLoop(writers, settings.warmupSeconds, (w) => target.append(w));
    }
    const segments: Record<Side, ClosedLoopResult[]> = { store: [], raw: [] };
    const otherLoadShare = otherLoad.window();
    const segmentSeconds = settings.seconds / settings.rounds;
    for (let round = 0; round < settings.rounds; round++) {
      for (const target of round % 2 === 0 ? [store, raw] : [raw, store]) {
        await checkpointer.checkpoint();
        segments[target.side].push(await runClosedLoop(writers, segmentSeconds, (w) => target.append(w)));
      }
    }
    const storeResult = summarise(segments.store, eventsPerAppend);
    const rawResult = summarise(segments.raw, eventsPerAppend);
    const ratio = storeResult.eventsPerSecond / rawResult.eventsPerSecond;
    const others = otherLoadShare();
    log(
      `appends ${label}: store ${describe(storeResult)} | raw ${describe(rawResult)} | store/raw ${ratio.toFixed(2)}` +
        ` | other processes ${formatShare(others)} CPU`,
    );
    return { writers, eventsPerAppend, store: storeResult, raw: rawResult, ratio, otherLoad: others };
  } finally {
    await Promise.all([store.close(), raw.close()]);
  }
}

function describe(result: SideResult): string {
  return `${formatRate(result.eventsPerSecond)} events/s (segments ${result.segmentRates.map(formatRate).join(' ')}; p50 ${formatMs(result.p50Ms)} ms)`;
}

function summarise(segments: readonly ClosedLoopResult[], eventsPerAppend: number): SideResult {
  const appends = segments.reduce((sum, s) => sum + s.operations, 0);
  const seconds = segments.reduce((sum, s) => sum + s.seconds, 0);
  const latencies = segments.flatMap((s) => s.latenciesMs);
  return {
    appends,
    events: appends * eventsPerAppend,
    seconds,
    eventsPerSecond: (appends * eventsPerAppend) / seconds,
    appendsPerSecond: appends / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    segmentRates: segments.map((s) => (s.operations * eventsPerAppend) / s.seconds),
  };
}
