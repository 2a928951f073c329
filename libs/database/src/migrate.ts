import { DataSource, type MigrationInterface } from 'typeorm';

type MigrationClass = new () => MigrationInterface;

/** Arbitrary constant: the advisory-lock key that serialises migration runs across processes. */
const MIGRATION_LOCK_KEY = 7_310_482_611;

/**
 * Applies the versioned migrations (never `synchronize`) that have not yet run, in order.
 * Two processes starting together would race on DDL, so runs are serialised by an advisory lock.
 */
export async function runMigrations(
  url: string,
  migrations: readonly MigrationClass[],
  log: (line: string) => void = () => undefined,
): Promise<string[]> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations: [...migrations],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    logging: false,
  });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) log(`applied migration ${migration.name}`);
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
    await dataSource.destroy();
  }
}
