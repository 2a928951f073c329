import { Pool, type PoolConfig } from 'pg';
import { UpcasterRegistry } from '../upcasters';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  EventSubscription,
  GlobalPosition,
  ReadAllOptions,
  ReadStreamOptions,
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
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE stream_id = $1 AND stream_position ${backwards ? '<=' : '>='} $2
          AND ($3::timestamptz IS NULL OR recorded_at <= $3)
        ORDER BY stream_position ${backwards ? 'DESC' : 'ASC'}
        LIMIT $4`,
      [streamId, from, options.recordedUpTo ?? null, options.maxCount ?? null],
    );
    return rows.map((row) => toRecordedEvent(row, this.upcasters));
  }

  async readStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    const streams = new Map<string, RecordedEvent[]>(streamIds.map((id) => [id, []]));
    if (streamIds.length === 0) return streams;
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_position`,
      [[...new Set(streamIds)]],
    );
    for (const row of rows) streams.get(row.stream_id)!.push(toRecordedEvent(row, this.upcasters));
    return streams;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(READ_ALL, [...positionParams(options.after), options.maxCount]);
    return rows.map((row) => toRecordedEvent(row, this.upcasters));
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
