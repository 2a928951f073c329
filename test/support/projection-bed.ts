import { DataSource } from 'typeorm';
import { runMigrations } from '@bedside/database';
import { PostgresEventStore } from '@bedside/event-store';
import { SiteRecord } from '@bedside/network';
import { MIGRATIONS } from '../../apps/api/src/migrations';
import { createTestDatabase, type TestDatabase } from './test-database';

/**
 * A fresh, migrated test database with the event store and a data source on it: what the read-model and
 * capacity suites run their projections and reactors on, without the API. `close` releases all three.
 */
export interface ProjectionBed {
  readonly database: TestDatabase;
  readonly store: PostgresEventStore;
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

export async function openProjectionBed(): Promise<ProjectionBed> {
  const database = await createTestDatabase();
  await runMigrations(database.url, MIGRATIONS);
  const store = new PostgresEventStore({ connectionString: database.url });
  const dataSource = await new DataSource({ type: 'postgres', url: database.url, entities: [SiteRecord] }).initialize();
  return {
    database,
    store,
    dataSource,
    close: async () => {
      await store.close();
      await dataSource.destroy();
      await database.drop();
    },
  };
}
