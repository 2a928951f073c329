import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '@bedside/event-store';

/**
 * A read model built from the event log. Read models are disposable: the log is the record,
 * and `npm run projections:rebuild` recreates any of them from zero.
 */
export interface Projection {
  /** Stable name: the checkpoint's key and the rebuild command's argument. */
  readonly name: string;
  /** Tables this projection owns; a rebuild empties them first. */
  readonly tables: readonly string[];
  /** The event types it reads. Other events still move its checkpoint on. */
  readonly eventTypes: readonly string[];
  /**
   * Applies a batch in log order, inside the transaction that also stores the checkpoint.
   * Writes should be set-based (one statement per table per batch): rebuilds replay millions of events.
   */
  apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void>;
}
