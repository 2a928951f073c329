import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { ensureDatabase } from './ensure-database';
import { embeddedUrl, findRunningEmbedded, startEmbeddedPostgres } from './embedded-postgres';

export interface DatabaseSettings {
  /** A PostgreSQL URL (version 15 or newer). When absent, Bedside runs its own embedded PostgreSQL. */
  readonly databaseUrl?: string;
  /** Where the embedded PostgreSQL keeps its cluster; kept across restarts. */
  readonly embeddedDataDir: string;
  readonly embeddedPort: number;
  readonly embeddedDatabase: string;
}

export interface OpenDatabase {
  readonly url: string;
  readonly embedded: boolean;
  close(): Promise<void>;
}

export const MINIMUM_SERVER_VERSION = 150000;

export function databaseSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseSettings {
  const port = Number(env.EMBEDDED_PG_PORT ?? 54329);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`EMBEDDED_PG_PORT must be a TCP port number (1-65535); got "${env.EMBEDDED_PG_PORT}".`);
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    embeddedDataDir: resolve(env.BEDSIDE_DATA_DIR ?? '.bedside'),
    embeddedPort: port,
    embeddedDatabase: env.EMBEDDED_PG_DATABASE ?? 'bedside',
  };
}

/**
 * Gives the application a PostgreSQL to talk to: the server at DATABASE_URL when set,
 * otherwise an embedded one that Bedside starts (and later stops) itself.
 */
export async function openDatabase(settings: DatabaseSettings, log: (line: string) => void): Promise<OpenDatabase> {
  if (settings.databaseUrl) {
    await checkServerVersion(settings.databaseUrl);
    return { url: settings.databaseUrl, embedded: false, close: async () => undefined };
  }
  // Another Bedside process (the API, while a CLI command runs) may run the embedded cluster: a second
  // server cannot open the same data folder, so use that one and leave it running. A server whose
  // Bedside process is gone is adopted by startEmbeddedPostgres instead, and stopped with this process.
  const running = await findRunningEmbedded(settings.embeddedDataDir, log);
  if (running?.ownerPid !== undefined) {
    log(
      `DATABASE_URL is not set: using the embedded PostgreSQL that process ${running.ownerPid} runs on port ${running.port} (data in ${settings.embeddedDataDir})`,
    );
    const password = (await readFile(join(settings.embeddedDataDir, 'password'), 'utf8')).trim();
    const urlFor = (database: string) => embeddedUrl(password, running.port, database);
    await ensureDatabase(urlFor('postgres'), settings.embeddedDatabase);
    return { url: urlFor(settings.embeddedDatabase), embedded: true, close: async () => undefined };
  }
  log(`DATABASE_URL is not set: starting the embedded PostgreSQL (data in ${settings.embeddedDataDir}, port ${settings.embeddedPort})`);
  const server = await startEmbeddedPostgres({
    rootDir: settings.embeddedDataDir,
    port: settings.embeddedPort,
    log: (line) => {
      if (/ERROR|FATAL|PANIC|ready to accept|initialising|adopting|stopping the PostgreSQL|removing/.test(line)) log(`postgres: ${line}`);
    },
  });
  await ensureDatabase(server.adminUrl, settings.embeddedDatabase);
  return { url: server.urlFor(settings.embeddedDatabase), embedded: true, close: () => server.stop() };
}

async function checkServerVersion(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Could not connect to the PostgreSQL at DATABASE_URL (${redactUrl(url)}): ${(error as Error).message}. ` +
        'Check the server is running and the URL is right, or unset DATABASE_URL to use the embedded database.',
    );
  }
  try {
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    const version = Number(rows[0]?.server_version_num);
    if (version < MINIMUM_SERVER_VERSION) {
      throw new Error(`Bedside needs PostgreSQL 15 or newer; the server at DATABASE_URL runs ${version}.`);
    }
  } finally {
    await client.end();
  }
}

/** A URL fit for logs: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
