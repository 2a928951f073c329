import type { EventStore, ReadAllAsOfOptions, RecordedEvent } from './types';

/** Events read from the global log per round trip: a year of a national network's history is far more than one read should hold. */
const PAGE = 5000;

export interface RecordedAsOfOptions extends Omit<ReadAllAsOfOptions, 'maxCount'> {
  /** Events per round trip (5,000 unless given). */
  readonly pageSize?: number;
}

/**
 * Every event recorded by an instant that matches, page after page in log order (issue 5 §6, "as of"
 * reads). One place for the paging the store's `readAllAsOf` asks of its callers, so no reader can
 * stop after the first page or skip an event between two.
 */
export async function* pagesRecordedAsOf(store: EventStore, options: RecordedAsOfOptions): AsyncGenerator<RecordedEvent[]> {
  const { pageSize = PAGE, ...read } = options;
  let after = read.after;
  for (;;) {
    const page = await store.readAllAsOf({ ...read, after, maxCount: pageSize });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.globalPosition;
  }
}

/** The same events in one list, for readers that fold all of them. */
export async function recordedAsOf(store: EventStore, options: RecordedAsOfOptions): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const page of pagesRecordedAsOf(store, options)) events.push(...page);
  return events;
}
