import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { runMigrations } from '@bedside/database';
import { EVENT_STORE, type EventStore, type GlobalPosition } from '@bedside/event-store';
import { seedDemoNetwork } from '@bedside/network';
import { ProjectionEngine, ProjectionRegistry } from '@bedside/read-model';
import { localDateOf, type LocalDate } from '@bedside/shared';
import { AppModule } from '../../apps/api/src/app.module';
import { MIGRATIONS } from '../../apps/api/src/migrations';
import { openBenchDatabase, type BenchDatabase } from '../support/database';

/** The read models the scheduling commands and PlanOptions read from. */
export const PATHWAY_READ_MODELS = ['pathways'] as const;
export const COMMITMENT_READ_MODELS = ['capacity-commitments'] as const;

/**
 * One seeded demo network on a fresh database, with the whole application context (commands,
 * PlanOptions) and the projections running in this process, as in the API server.
 */
export interface BenchNetwork {
  readonly database: BenchDatabase;
  /** Copies of the demo network seeded. */
  readonly scale: number;
  readonly app: INestApplicationContext;
  readonly commands: CommandBus;
  readonly store: EventStore;
  /** A small pool of our own for the utilisation and audit queries, outside the application's pools. */
  readonly pool: Pool;
  /** The first day of the seeded calendars (today, Europe/London). */
  readonly today: LocalDate;
  readonly seedSeconds: number;
  /** Waits until `names` (default: every read model) have applied the log up to `position` (default: its head now). */
  caughtUp(names?: readonly string[], position?: GlobalPosition, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** `onDatabase` hears of the database as soon as it exists, so an interrupted run can still drop it. */
export async function openNetwork(scale: number, log: (line: string) => void, onDatabase: (database: BenchDatabase) => void = () => undefined): Promise<BenchNetwork> {
  const database = await openBenchDatabase(log);
  onDatabase(database);
  const pool = new Pool({ connectionString: database.url, max: 2 });
  // An idle connection ended by the server (the run's database dropped, the server stopped) must not crash the run.
  pool.on('error', (error) => log(`benchmark pool: ${error.message}`));
  let app: INestApplicationContext | undefined;
  try {
    await runMigrations(database.url, MIGRATIONS);
    app = await NestFactory.createApplicationContext(
      AppModule.forRoot({
        databaseUrl: database.url,
        // Projections run here, as in the server: PlanOptions reads capacity_commitments and pathways.
        runProjections: true,
        serveGraphQL: false,
        graphiql: false,
        projectionPollIntervalMs: 250,
        // Holds are confirmed within the run; the sweep would only add queries.
        holdExpirySweepMs: 60_000,
      }),
      { logger: ['error', 'warn'] },
    );
    const commands = app.get(CommandBus);
    const store = app.get<EventStore>(EVENT_STORE);
    const engine = app.get(ProjectionEngine);
    const registry = app.get(ProjectionRegistry);
    const today = localDateOf(new Date(), 'Europe/London');
    const caughtUp = async (names: readonly string[] = registry.names(), position?: GlobalPosition, timeoutMs = 60_000) => {
      const target = position ?? (await store.lastRecordedPosition());
      if (!(await engine.waitFor(names, target, timeoutMs))) throw new Error(`read models ${names.join(', ')} did not catch up within ${timeoutMs / 1000} s`);
    };
    const seedStarted = performance.now();
    await seedDemoNetwork(commands, store, { from: today, scale, log: (line) => log(`  ${line}`) });
    await caughtUp();
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    await pool.query('VACUUM ANALYZE');
    const opened = app;
    return {
      database,
      scale,
      app: opened,
      commands,
      store,
      pool,
      today,
      seedSeconds,
      caughtUp,
      close: async () => {
        await pool.end();
        await opened.close();
        await database.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await database.close();
    throw error;
  }
}
