import { Pool, type PoolConfig } from 'pg';
import { UpcasterRegistry } from '../upcasters';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  EventSubscription,
  GlobalPosition,
  ReadAllAsOfOptions,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamsOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
} from '../types';
import { START_OF_LOG } from '../types';
import { appendToStreams } from './append';
import { CatchUpSubscription } from './catch-up-subscription';
import { EVENTS_CHANNEL, Notifier } from './notifier';
import { SharedLogReader } from './shared-log-reader';
import { EVENT_COLUMNS, positionParams, toRecordedEvent, type EventRow } from './row-mapping';

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  readonly upcasters?: UpcasterRegistry;
  readonly pool?: Omit<PoolConfig, 'connectionString'>;
  readonly onError?: (error: unknown) => void;
}

/**
 * Only rows of transactions older than every transaction still running are read: a transaction
 * that took a lower global_position but commits later can then never be skipped
 * (the out-of-order commit bug; architecture.md §2).
 */
const READ_ALL = `
  SELECT ${EVENT_COLUMNS} FROM events
   WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
     AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
   ORDER BY transaction_id, global_position
   LIMIT $3`;

/**
 * `recorded_at` keeps microseconds; instants reach us (and clients) in milliseconds. "Up to" is
 * inclusive to the millisecond, so as of an event's own recordedAt includes that event.
 */
const RECORDED_UP_TO = (param: string) => `(${param}::timestamptz IS NULL OR recorded_at < ${param}::timestamptz + interval '1 millisecond')`;

/**
 * The log as recorded by an instant. No pg_snapshot_xmin bound, unlike READ_ALL: that bound keeps a
 * tailing reader from skipping a late commit; a read of the past must instead see every event
 * committed by now, also while an older transaction (a projection's, say) is still open.
 */
const READ_ALL_AS_OF = `
  SELECT ${EVENT_COLUMNS} FROM events
   WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
     AND ${RECORDED_UP_TO('$3')}
     AND ($4::text[] IS NULL OR type = ANY($4))
   ORDER BY transaction_id, global_position
   LIMIT $5`;

export class PostgresEventStore implements EventStore {
  readonly pool: Pool;
  private readonly upcasters: UpcasterRegistry;
  private readonly notifier: Notifier;
  private readonly subscriptions = new Set<EventSubscription>();
  /** What subscriptions read, shared among them (shared-log-reader.ts). */
  private readonly sharedLog: SharedLogReader;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = new Pool({ max: 20, ...options.pool, connectionString: options.connectionString });
    const onError = options.onError ?? (() => undefined);
    this.pool.on('error', onError);
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.notifier = new Notifier(options.connectionString, onError, () => this.pool.query(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`));
    this.sharedLog = new SharedLogReader(this, () => this.notifier.generation);
  }

  async append(streams: readonly StreamAppend[], metadata: EventMetadata): Promise<AppendResult> {
    const result = await appendToStreams(this.pool, streams, metadata);
    this.notifier.appended();
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromPosition ?? (backwards ? Number.MAX_SAFE_INTEGER : 1);
    const { rows } = await this.pool.query<EventRow>({
      // Reads on every command's path are named: each connection parses and plans them once.
      name: backwards ? 'bedside_read_stream_backwards' : 'bedside_read_stream',
      text: `SELECT ${EVENT_COLUMNS} FROM events
        WHERE stream_id = $1 AND stream_position ${backwards ? '<=' : '>='} $2
          AND ${RECORDED_UP_TO('$3')}
        ORDER BY stream_position ${backwards ? 'DESC' : 'ASC'}
        LIMIT $4`,
      values: [streamId, from, options.recordedUpTo ?? null, options.maxCount ?? null],
    });
    return rows.map((row) => toRecordedEvent(row, this.upcasters));
  }

  async readStreams(streamIds: readonly string[], options: ReadStreamsOptions = {}): Promise<Map<string, RecordedEvent[]>> {
    const streams = new Map<string, RecordedEvent[]>(streamIds.map((id) => [id, []]));
    if (streamIds.length === 0) return streams;
    const { rows } = await this.pool.query<EventRow>({
      name: 'bedside_read_streams',
      text: `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ANY($1::text[]) AND ${RECORDED_UP_TO('$2')} ORDER BY stream_id, stream_position`,
      values: [[...new Set(streamIds)], options.recordedUpTo ?? null],
    });
    for (const row of rows) streams.get(row.stream_id)!.push(toRecordedEvent(row, this.upcasters));
    return streams;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    // Not named: named, catch-up replay ran about 15% slower in bench:store (0.72 of raw SELECTs against
    // 0.84), most likely from the generic plan PostgreSQL switches a prepared statement to.
    const { rows } = await this.pool.query<EventRow>(READ_ALL, [...positionParams(options.after), options.maxCount]);
    return rows.map((row) => toRecordedEvent(row, this.upcasters));
  }

  async readAllAsOf(options: ReadAllAsOfOptions): Promise<RecordedEvent[]> {
    // Types are those read, after upcasting: stored types an upcaster may rename are fetched too and
    // filtered here, reading on until the page is full so that a short page still means the end.
    const wanted = options.eventTypes ? new Set(options.eventTypes) : null;
    const stored = wanted ? [...new Set([...wanted, ...this.upcasters.typesUpcast()])] : null;
    const events: RecordedEvent[] = [];
    let after = options.after ?? START_OF_LOG;
    for (;;) {
      const { rows } = await this.pool.query<EventRow>(READ_ALL_AS_OF, [...positionParams(after), options.recordedUpTo, stored, options.maxCount]);
      for (const row of rows) {
        const event = toRecordedEvent(row, this.upcasters);
        if (!wanted || wanted.has(event.type)) events.push(event);
        if (events.length === options.maxCount) return events;
      }
      if (rows.length < options.maxCount) return events;
      const last = rows.at(-1)!;
      after = { transactionId: BigInt(last.transaction_id_text), position: BigInt(last.global_position) };
    }
  }

  async headPosition(): Promise<GlobalPosition> {
    const { rows } = await this.pool.query<{ transaction_id_text: string; global_position: string }>(
      `SELECT transaction_id::text AS transaction_id_text, global_position FROM events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? { transactionId: BigInt(row.transaction_id_text), position: BigInt(row.global_position) } : START_OF_LOG;
  }

  async lastRecordedPosition(): Promise<GlobalPosition> {
    const { rows } = await this.pool.query<{ transaction_id_text: string; global_position: string }>(
      'SELECT transaction_id::text AS transaction_id_text, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
    );
    const row = rows[0];
    return row ? { transactionId: BigInt(row.transaction_id_text), position: BigInt(row.global_position) } : START_OF_LOG;
  }

  subscribe(options: SubscribeOptions): EventSubscription {
    const subscription = new CatchUpSubscription(this.sharedLog, this.notifier, options, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.notifier.close();
    await this.pool.end();
  }
}
