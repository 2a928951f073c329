import type { DomainEvent } from '@bedside/shared';
/**
 * Where an event sits in the global log. Readers order by (transactionId, position) so that an
 * event whose transaction committed late is never skipped (architecture.md §2); checkpoints store both.
 */
export interface GlobalPosition {
  readonly transactionId: bigint;
  readonly position: bigint;
}

export const START_OF_LOG: GlobalPosition = Object.freeze({ transactionId: 0n, position: 0n });

export function isAfter(a: GlobalPosition, b: GlobalPosition): boolean {
  return a.transactionId > b.transactionId || (a.transactionId === b.transactionId && a.position > b.position);
}

/** "Who, what, when and why" (MHRA GXP Data Integrity 6.13): stored with every event. */
export interface EventMetadata {
  /** The person or system that caused the event. */
  readonly actor: string;
  /** The trust or site the actor acted for, where there is one. */
  readonly onBehalfOf?: string;
  /** The role the actor acted in (scheduler, planner, control_site_qa, dashboard). */
  readonly role?: string;
  /** Ties together every event caused by one user request. */
  readonly correlationId: string;
  /** The event or command that directly caused this one. */
  readonly causationId?: string;
  /** Why, for corrective and state-changing actions. */
  readonly reason?: string;
}

export interface NewEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
  /** Version of this event type's data shape; readers upcast older versions. Defaults to 1. */
  readonly schemaVersion?: number;
  /** Supplied by the caller to make retries recognisable; generated when absent. */
  readonly eventId?: string;
  /** Overrides fields of the append's metadata for this event only. */
  readonly metadata?: Partial<EventMetadata>;
}

export interface RecordedEvent {
  readonly eventId: string;
  readonly streamId: string;
  /** 1 for a stream's first event (a stream with no events has version 0). */
  readonly streamPosition: number;
  readonly globalPosition: GlobalPosition;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

/**
 * A recorded event whose type and data are those of one event of a domain union (issue 12 §2): a reader
 * that switches on `type` gets `data` narrowed with it, so reading a field the event does not have is a
 * compile error. Stored data is that shape because upcasters bring older versions up to date as they are
 * read (upcasters.ts), and a projection or reactor is delivered only the types it lists.
 */
export type RecordedAs<E extends DomainEvent> = E extends DomainEvent ? Omit<RecordedEvent, 'type' | 'data'> & { readonly type: E['type']; readonly data: E['data'] } : never;

/**
 * The stream version an append expects. One convention for every adapter: a stream with no events
 * has version 0 and its first event is 1.
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'exists' | number;

export interface StreamAppend {
  readonly streamId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly NewEvent[];
}

export interface AppendResult {
  /** New version of each stream appended to. */
  readonly versions: ReadonlyMap<string, number>;
  /** Position of the last event written: a reader that has reached it has seen the whole append. */
  readonly lastPosition: GlobalPosition;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive starting stream position; defaults to the first (forwards) or last (backwards) event. */
  readonly fromPosition?: number;
  readonly maxCount?: number;
  /** Only events recorded at or before this instant (state "as of"); see {@link RecordedUpTo}. */
  readonly recordedUpTo?: Date;
}

/**
 * "Recorded up to" an instant, for state as of then: inclusive to the millisecond, the precision
 * instants are shown in (`recordedAt` in the API), so asking as of an event's own `recordedAt`
 * includes that event even where the store keeps finer time.
 */
export interface RecordedUpTo {
  readonly recordedUpTo: Date;
}

export interface ReadStreamsOptions {
  /** Only events recorded at or before this instant; see {@link RecordedUpTo}. */
  readonly recordedUpTo?: Date;
}

export interface ReadAllAsOfOptions extends RecordedUpTo {
  /** Only events of these types; every type when absent. */
  readonly eventTypes?: readonly string[];
  /** Exclusive: events after this position (for paging); the start of the log when absent. */
  readonly after?: GlobalPosition;
  readonly maxCount: number;
}

export interface ReadAllOptions {
  /** Exclusive: events after this position. */
  readonly after: GlobalPosition;
  readonly maxCount: number;
}

export interface SubscribeOptions {
  /** Name for logs. */
  readonly name: string;
  /** Exclusive: delivery starts with the first event after this position. */
  readonly after: GlobalPosition;
  readonly batchSize?: number;
  /** How often to look for new events when no notification arrives. */
  readonly pollIntervalMs?: number;
  /**
   * Receives batches in log order. The subscription advances only after the promise resolves;
   * a rejection is reported to `onError` and the same batch is retried.
   */
  readonly handle: (events: readonly RecordedEvent[]) => Promise<void>;
  readonly onError?: (error: unknown) => void;
}

export interface EventSubscription {
  /** Position of the last event handled. */
  readonly position: GlobalPosition;
  stop(): Promise<void>;
}

/** The event store port: every adapter honours the contract suite in test/event-store. */
export interface EventStore {
  /** Appends to one or several streams in one atomic transaction: all land, or none do. */
  append(streams: readonly StreamAppend[], metadata: EventMetadata): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Several whole streams at once, forwards (a stream with no events maps to []). */
  readStreams(streamIds: readonly string[], options?: ReadStreamsOptions): Promise<Map<string, RecordedEvent[]>>;
  /** Reads the global log in order after a position; only events of committed transactions. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * The global log as recorded by an instant (time travel): every committed event recorded at or
   * before it, optionally of some types only, in log order. A one-off read of the past, not a tail:
   * unlike `readAll` it does not wait for older transactions still open, since nothing recorded
   * before the instant can be skipped by a reader that is not going to come back for more.
   */
  readAllAsOf(options: ReadAllAsOfOptions): Promise<RecordedEvent[]>;
  /**
   * The position of the newest event readers can see in order: a subscription starting here misses
   * nothing. Events of transactions that committed after an older one still open lie beyond it.
   */
  headPosition(): Promise<GlobalPosition>;
  /**
   * The position of the newest event recorded (committed) so far, readable in order or not yet: what a
   * reader must reach to have seen everything recorded up to now. Wait for this, not headPosition, to
   * know that read models show what has been written.
   */
  lastRecordedPosition(): Promise<GlobalPosition>;
  /** A catch-up subscription: history from `after`, then live events. */
  subscribe(options: SubscribeOptions): EventSubscription;
  close(): Promise<void>;
}
