import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore, type GlobalPosition } from '@bedside/event-store';
import { ProjectionEngine } from '../projection-engine';
import { ProjectionRegistry } from '../projection-registry';
import { ReactorRegistry } from '../reactor';
import { ProjectionsResolver } from './projections.resolver';
import { LiveUpdates } from './live-updates';
import { READ_MODEL_OPTIONS, ReactorTimerRunner, type ReadModelModuleOptions } from './reactor-timer-runner';

export type { ReadModelModuleOptions } from './reactor-timer-runner';

const OPTIONS = READ_MODEL_OPTIONS;

@Injectable()
class ProjectionRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Projections');

  constructor(
    private readonly engine: ProjectionEngine,
    private readonly registry: ProjectionRegistry,
    private readonly reactors: ReactorRegistry,
    @Inject(OPTIONS) private readonly options: ReadModelModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.runProjections) return;
    for (const projection of this.registry.all()) {
      await this.engine.start(projection, { pollIntervalMs: this.options.pollIntervalMs });
    }
    // Reactors act on what read models show, so they run where the projections do.
    for (const reactor of this.reactors.all()) await this.engine.startReactor(reactor, { pollIntervalMs: this.options.pollIntervalMs });
    const names = [...this.registry.names(), ...this.reactors.all().map((r) => `${r.name} (reactor)`)];
    this.logger.log(`following the event log: ${names.join(', ') || '(no projections)'}`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.engine.stopAll();
  }
}

/**
 * Read-your-writes for mutations: after a command has appended, wait until every read model has
 * applied the log up to that point, so the answer (and the caller's next query) shows the change.
 */
@Injectable()
export class ReadYourWrites {
  private readonly logger = new Logger('Projections');

  constructor(
    private readonly engine: ProjectionEngine,
    private readonly registry: ProjectionRegistry,
    @Inject(OPTIONS) private readonly options: ReadModelModuleOptions,
  ) {}

  async after(position: GlobalPosition | undefined, timeoutMs = 5000): Promise<void> {
    if (!position || !this.options.runProjections) return;
    const reached = await this.engine.waitFor(this.registry.names(), position, timeoutMs);
    if (!reached) this.logger.warn(`read models had not caught up with ${position.transactionId}/${position.position} after ${timeoutMs} ms; answering from what they show`);
  }

  /**
   * For a reactor about to read the read models (issue 12 §5): waits until every one shows `position`,
   * and throws when they do not within `timeoutMs`, so the reactor's event is tried again later rather
   * than judged on read models that do not show it yet.
   */
  async required(position: GlobalPosition, reactor: string, timeoutMs = 30_000): Promise<void> {
    if (!(await this.engine.waitFor(this.registry.names(), position, timeoutMs))) {
      throw new Error(`read models had not reached ${position.transactionId}/${position.position} after ${timeoutMs} ms; ${reactor} will try again`);
    }
  }
}

/** Projections into PostgreSQL read-model tables, run from the durable event log. */
@Module({})
export class ReadModelModule {
  static forRoot(options: ReadModelModuleOptions): DynamicModule {
    return {
      module: ReadModelModule,
      global: true,
      providers: [
        { provide: OPTIONS, useValue: options },
        { provide: ProjectionRegistry, useValue: new ProjectionRegistry() },
        { provide: ReactorRegistry, useValue: new ReactorRegistry() },
        {
          provide: ProjectionEngine,
          inject: [DataSource, EVENT_STORE],
          useFactory: (dataSource: DataSource, store: EventStore) => {
            const logger = new Logger('Projections');
            return new ProjectionEngine(dataSource, store, {
              log: (message) => logger.log(message),
              error: (message, error) => logger.error(`${message}: ${(error as Error)?.stack ?? String(error)}`),
            });
          },
        },
        ProjectionRunner,
        ReactorTimerRunner,
        ProjectionsResolver,
        ReadYourWrites,
        LiveUpdates,
      ],
      exports: [ProjectionRegistry, ReactorRegistry, ProjectionEngine, ReadYourWrites, LiveUpdates, ReactorTimerRunner],
    };
  }
}
