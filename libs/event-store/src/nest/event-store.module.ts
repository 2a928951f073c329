import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AggregateRepository, EVENT_STORE } from '../aggregate/aggregate-repository';
import { EventTypeRegistry } from '../aggregate/event-type-registry';
import { KurrentDBEventStore } from '../kurrentdb/kurrentdb-event-store';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import type { EventStore } from '../types';

export interface EventStoreModuleOptions {
  /** The PostgreSQL database: the event store's, unless `eventStoreUrl` names a KurrentDB. */
  readonly connectionString: string;
  /**
   * A KurrentDB connection string (kurrentdb://, kurrent://, kdb://, esdb://, optionally +discover)
   * puts the event log in KurrentDB (EVENT_STORE_URL or KURRENTDB_URL); absent or empty, it stays in
   * PostgreSQL. Read models are in PostgreSQL either way.
   */
  readonly eventStoreUrl?: string;
}

const KURRENTDB_SCHEMES = /^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\//i;

/** Which adapter a configuration selects; a URL that is not KurrentDB's is refused rather than ignored. */
export function selectEventStoreAdapter(options: EventStoreModuleOptions): 'kurrentdb' | 'postgres' {
  const url = options.eventStoreUrl?.trim();
  if (!url) return 'postgres';
  if (KURRENTDB_SCHEMES.test(url)) return 'kurrentdb';
  throw new Error(
    `EVENT_STORE_URL/KURRENTDB_URL must be a KurrentDB connection string such as kurrentdb://localhost:2113?tls=false; got "${url.split('://')[0]}://…". Leave it unset to keep events in PostgreSQL.`,
  );
}

@Injectable()
class EventStoreShutdown implements BeforeApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  // After projections have stopped (onModuleDestroy), before the database goes away.
  async beforeApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Provides the event store port (PostgreSQL or KurrentDB adapter), the event type registry and aggregate persistence. */
@Module({})
export class EventStoreModule {
  static forRoot(options: EventStoreModuleOptions): DynamicModule {
    const logger = new Logger('EventStore');
    const adapter = selectEventStoreAdapter(options);
    return {
      module: EventStoreModule,
      global: true,
      imports: [CqrsModule],
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: (): EventStore => {
            if (adapter === 'kurrentdb') {
              // Not the URL itself: it may carry credentials.
              logger.log('event log in KurrentDB (EVENT_STORE_URL/KURRENTDB_URL); read models in PostgreSQL');
              return new KurrentDBEventStore({
                connectionString: options.eventStoreUrl!.trim(),
                onError: (error) => logger.warn(`KurrentDB connection problem: ${(error as Error).message}`),
              });
            }
            return new PostgresEventStore({
              connectionString: options.connectionString,
              onError: (error) => {
                // 57P01: the server is shutting down (e.g. the embedded PostgreSQL on Ctrl-C); expected then.
                const expected = (error as { code?: string }).code === '57P01';
                logger[expected ? 'debug' : 'warn'](`event store connection problem: ${(error as Error).message}`);
              },
            });
          },
        },
        { provide: EventTypeRegistry, useValue: new EventTypeRegistry() },
        AggregateRepository,
        EventStoreShutdown,
      ],
      exports: [EVENT_STORE, EventTypeRegistry, AggregateRepository],
    };
  }
}
