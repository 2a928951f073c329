import type { EntityManager } from 'typeorm';
import type { RecordedAs, RecordedEvent } from '@bedside/event-store';
import type { DomainEvent } from '@bedside/shared';

/**
 * What a reader of the log is handed: for a projection or reactor declared over a union of domain events,
 * each as that union (`RecordedAs`), narrowed by a switch on `type`; for one not yet declared so, the
 * untyped `RecordedEvent`.
 */
export type Delivered<E extends DomainEvent> = [E] extends [never] ? RecordedEvent : RecordedAs<E>;

/**
 * A read model built from the event log. Read models are disposable: the log is the record,
 * and `npm run projections:rebuild` recreates any of them from zero.
 * `E` is the union of the domain events it reads (issue 12 §2); the engine delivers only those types.
 */
export interface Projection<E extends DomainEvent = never> {
  /** Stable name: the checkpoint's key and the rebuild command's argument. */
  readonly name: string;
  /** Tables this projection owns; a rebuild empties them first. */
  readonly tables: readonly string[];
  /** The event types it reads. Other events still move its checkpoint on. */
  readonly eventTypes: readonly ([E] extends [never] ? string : E['type'])[];
  /**
   * Applies a batch in log order, inside the transaction that also stores the checkpoint.
   * Writes should be set-based (one statement per table per batch): rebuilds replay millions of events.
   */
  apply(events: readonly Delivered<E>[], manager: EntityManager): Promise<void>;
}

/** Any projection, as the engine and registry hold it: whatever union it reads, it is handed recorded events of its listed types. */
export type AnyProjection = Projection<DomainEvent>;
