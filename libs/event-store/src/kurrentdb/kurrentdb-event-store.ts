import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  eventTypeFilter,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type Filter,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { CatchUpSubscription } from '../postgres/catch-up-subscription';
import { SharedLogReader } from '../postgres/shared-log-reader';
import { UpcasterRegistry } from '../upcasters';
import {
  START_OF_LOG,
  isAfter,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventSubscription,
  type GlobalPosition,
  type ReadAllAsOfOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ReadStreamsOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeOptions,
} from '../types';
import { appendToKurrent } from './append';
import { LiveWakeUp } from './live-wake-up';
import { decodeMetadata, revisionOfStreamPosition, streamPositionOfRevision, toGlobalPosition, toReadPosition } from './mapping';

export interface KurrentDBEventStoreOptions {
  /** A kurrentdb:// (or esdb://) connection string, e.g. kurrentdb://localhost:2113?tls=false. */
  readonly connectionString?: string;
  /** A client to share (not disposed by close()); instead of a connection string. */
  readonly client?: KurrentDBClient;
  readonly upcasters?: UpcasterRegistry;
  readonly onError?: (error: unknown) => void;
}

/**
 * How far a later event's timestamp may lie past an instant before an "as of" read stops looking.
 * KurrentDB stamps events on the leader as it writes them, so their order in the log follows their
 * timestamps except across a leader change between nodes whose clocks disagree; an event recorded
 * up to the instant can then sit after one recorded a little later. Reading on this far is cheap.
 */
const CLOCK_SKEW_MS = 5_000;

/** Streams read at once by readStreams (each is one request: KurrentDB has no multi-stream read). */
const READ_STREAMS_CONCURRENCY = 16;

/**
 * The event store port on KurrentDB (the production option; architecture.md §1). Positions are
 * $all positions and stream versions are revisions + 1 (mapping.ts says how and why).
 */
export class KurrentDBEventStore implements EventStore {
  readonly client: KurrentDBClient;
  private readonly ownsClient: boolean;
  private readonly upcasters: UpcasterRegistry;
  private readonly wakeUp: LiveWakeUp;
  private readonly sharedLog: SharedLogReader;
  private readonly subscriptions = new Set<EventSubscription>();

  constructor(options: KurrentDBEventStoreOptions) {
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else if (options.connectionString) {
      this.client = KurrentDBClient.connectionString(options.connectionString);
      this.ownsClient = true;
    } else {
      throw new Error('KurrentDBEventStore needs a connection string or a client.');
    }
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.wakeUp = new LiveWakeUp(this.client, options.onError ?? (() => undefined));
    // Safe to share among subscriptions as for PostgreSQL: $all only ever grows at its end.
    this.sharedLog = new SharedLogReader(this, () => this.wakeUp.generation);
  }

  async append(streams: readonly StreamAppend[], metadata: EventMetadata): Promise<AppendResult> {
    const result = await appendToKurrent(this.client, streams, metadata);
    this.wakeUp.appended();
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    if (backwards && options.fromPosition !== undefined && options.fromPosition < 1) return [];
    const upTo = options.recordedUpTo?.getTime();
    const events: RecordedEvent[] = [];
    const read = this.client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromPosition === undefined ? (backwards ? END : START) : revisionOfStreamPosition(options.fromPosition),
      // With an instant, events past it are skipped here, so the server cannot count for us.
      ...(upTo === undefined ? { maxCount } : {}),
    });
    try {
      for await (const resolved of read) {
        const event = this.toRecordedEvent(resolved);
        if (!event) continue;
        if (upTo !== undefined && event.recordedAt.getTime() > upTo) {
          if (!backwards && event.recordedAt.getTime() > upTo + CLOCK_SKEW_MS) break;
          continue;
        }
        events.push(event);
        if (events.length >= maxCount) break;
      }
    } catch (error) {
      if ((error as { type?: string }).type === 'stream-not-found') return [];
      throw error;
    }
    return events;
  }

  async readStreams(streamIds: readonly string[], options: ReadStreamsOptions = {}): Promise<Map<string, RecordedEvent[]>> {
    const streams = new Map<string, RecordedEvent[]>(streamIds.map((id) => [id, []]));
    const queue = [...streams.keys()];
    const readOptions: ReadStreamOptions = options.recordedUpTo ? { recordedUpTo: options.recordedUpTo } : {};
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) streams.set(id, await this.readStream(id, readOptions));
    };
    await Promise.all(Array.from({ length: Math.min(READ_STREAMS_CONCURRENCY, queue.length) }, worker));
    return streams;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    if (options.maxCount <= 0) return events;
    // One more than asked: a read from a position includes the event at it, which is skipped.
    for await (const event of this.readLog(options.after, excludeSystemEvents(), options.maxCount + 1)) {
      events.push(event);
      if (events.length === options.maxCount) break;
    }
    return events;
  }

  async readAllAsOf(options: ReadAllAsOfOptions): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    if (options.maxCount <= 0) return events;
    const upTo = options.recordedUpTo.getTime();
    // Types are those read, after upcasting: stored types an upcaster may rename are fetched too and
    // filtered here. The server filters by type, so a rare type costs a scan there, not a transfer.
    const wanted = options.eventTypes ? new Set(options.eventTypes) : null;
    const filter = wanted ? typeFilter([...new Set([...wanted, ...this.upcasters.typesUpcast()])]) : excludeSystemEvents();
    for await (const event of this.readLog(options.after ?? START_OF_LOG, filter)) {
      const recordedAt = event.recordedAt.getTime();
      if (recordedAt > upTo + CLOCK_SKEW_MS) break;
      if (recordedAt > upTo || (wanted && !wanted.has(event.type))) continue;
      events.push(event);
      if (events.length === options.maxCount) break;
    }
    return events;
  }

  async headPosition(): Promise<GlobalPosition> {
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter: excludeSystemEvents() })) {
      if (resolved.event?.position) return toGlobalPosition(resolved.event.position);
    }
    return START_OF_LOG;
  }

  /** KurrentDB's log is read in commit order, so the newest event recorded is also the newest readable. */
  lastRecordedPosition(): Promise<GlobalPosition> {
    return this.headPosition();
  }

  subscribe(options: SubscribeOptions): EventSubscription {
    const subscription = new CatchUpSubscription(this.sharedLog, this.wakeUp, options, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.wakeUp.close();
    if (this.ownsClient) await this.client.dispose();
  }

  /** $all forwards, strictly after `after` (KurrentDB reads include the event at the starting position). */
  private async *readLog(after: GlobalPosition, filter: Filter, maxCount?: number): AsyncGenerator<RecordedEvent> {
    const fromStart = after.transactionId === START_OF_LOG.transactionId && after.position === START_OF_LOG.position;
    const read = this.client.readAll({ direction: FORWARDS, fromPosition: toReadPosition(after), filter, ...(maxCount ? { maxCount } : {}) });
    for await (const resolved of read) {
      const event = this.toRecordedEvent(resolved);
      if (event && (fromStart || isAfter(event.globalPosition, after))) yield event;
    }
  }

  private toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
    const event = resolved.event;
    // Link events and system records carry no event of ours.
    if (!event || event.type.startsWith('$')) return undefined;
    if (!event.position) throw new Error('KurrentDB returned an event without its log position (server older than 22.6?).');
    if (!event.isJson || !event.data || typeof event.data !== 'object' || Array.isArray(event.data)) {
      throw new Error(`Event ${event.id} in "${event.streamId}" is not a JSON object; this adapter reads only events it wrote.`);
    }
    const { metadata, schemaVersion } = decodeMetadata(event.metadata);
    const upcast = this.upcasters.upcast({ type: event.type, schemaVersion, data: event.data as Record<string, unknown> });
    return {
      eventId: event.id,
      streamId: event.streamId,
      streamPosition: streamPositionOfRevision(event.revision),
      globalPosition: toGlobalPosition(event.position),
      type: upcast.type,
      schemaVersion: upcast.schemaVersion,
      data: upcast.data,
      metadata,
      recordedAt: event.created,
    };
  }
}

function typeFilter(types: readonly string[]): Filter {
  const escaped = types.map((type) => type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return eventTypeFilter({ regex: `^(?:${escaped.join('|')})$` });
}
