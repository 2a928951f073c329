import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../libs/database/src/embedded-postgres';
import { buildConsole } from '../../apps/console/build';

/**
 * Tests run against a real PostgreSQL: the server at DATABASE_URL when set (CI points it at the
 * machine's PostgreSQL 15), otherwise an embedded one started here for this run.
 * Each test file then creates its own database on that server (see test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  // The browser tests drive the console as built from the source under test (issue 15).
  console.log(`\n${await buildConsole()}`);
  if (process.env.DATABASE_URL) {
    process.env.BEDSIDE_TEST_ADMIN_URL = process.env.DATABASE_URL;
    console.log(`\nTests use the PostgreSQL at DATABASE_URL.`);
    return;
  }
  const rootDir = await mkdtemp(join(tmpdir(), 'bedside-test-pg-'));
  const port = 55000 + Math.floor(Math.random() * 5000);
  const server = await startEmbeddedPostgres({ rootDir, port });
  (globalThis as { __bedsidePostgres?: unknown }).__bedsidePostgres = { server, rootDir };
  process.env.BEDSIDE_TEST_ADMIN_URL = server.adminUrl;
  console.log(`\nTests use an embedded PostgreSQL on port ${port}.`);
}
