import { CreateEventStore1763700000000 } from './1763700000000-create-event-store';
import { AppendEventsAsJson1763700000800 } from './1763700000800-append-events-as-json';
import { HashChainedEvents1763700001370 } from './1763700001370-hash-chained-events';

export { CreateEventStore1763700000000, AppendEventsAsJson1763700000800, HashChainedEvents1763700001370 };

/** The event store's own schema, in the order its migrations apply: what a store on its own needs. */
export const EVENT_STORE_MIGRATIONS = [CreateEventStore1763700000000, AppendEventsAsJson1763700000800, HashChainedEvents1763700001370];
