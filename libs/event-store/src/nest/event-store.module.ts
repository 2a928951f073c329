import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AggregateRepository, EVENT_STORE } from '../aggregate/aggregate-repository';
import { EventTypeRegistry } from '../aggregate/event-type-registry';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import type { EventStore } from '../types';

export interface EventStoreModuleOptions {
  readonly connectionString: string;
}

@Injectable()
class EventStoreShutdown implements BeforeApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  // After projections have stopped (onModuleDestroy), before the database goes away.
  async beforeApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Provides the event store port (PostgreSQL adapter), the event type registry and aggregate persistence. */
@Module({})
export class EventStoreModule {
  static forRoot(options: EventStoreModuleOptions): DynamicModule {
    const logger = new Logger('EventStore');
    return {
      module: EventStoreModule,
      global: true,
      imports: [CqrsModule],
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: () =>
            new PostgresEventStore({
              connectionString: options.connectionString,
              onError: (error) => {
                // 57P01: the server is shutting down (e.g. the embedded PostgreSQL on Ctrl-C); expected then.
                const expected = (error as { code?: string }).code === '57P01';
                logger[expected ? 'debug' : 'warn'](`event store connection problem: ${(error as Error).message}`);
              },
            }),
        },
        { provide: EventTypeRegistry, useValue: new EventTypeRegistry() },
        AggregateRepository,
        EventStoreShutdown,
      ],
      exports: [EVENT_STORE, EventTypeRegistry, AggregateRepository],
    };
  }
}
