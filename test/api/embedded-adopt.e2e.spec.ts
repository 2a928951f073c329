import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, readlink, realpath, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  output: string[];
  url: string;
}

const children = new Set<ChildProcess>();

/** Starts the API as `npm start` does, with no DATABASE_URL: it brings its own PostgreSQL. */
async function startApi(dataDir: string, pgPort: number, apiPort: number): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, BEDSIDE_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: String(apiPort), NODE_OPTIONS: '' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const output: string[] = [];
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start:\n${output.join('')}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /ready at (http:\/\/\S+\/graphql)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`API exited with ${code}:\n${output.join('')}`)));
  });
  return { child, output, url };
}

function signal(started: Started, name: NodeJS.Signals): Promise<number | null> {
  const exited = new Promise<number | null>((resolveExit) => started.child.on('exit', (code) => resolveExit(code)));
  started.child.kill(name);
  return exited;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function gql(url: string, query: string, token: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  return (await response.json()) as { data: any; errors?: unknown[] };
}

/** `npm run token`, against the same data folder as the API. */
function mintToken(dataDir: string): Promise<string> {
  return new Promise((resolveToken, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/cli/token.ts', '--role', 'control_site_qa', '--actor', 'qa.lead@control-site'], {
      cwd: root,
      env: { ...process.env, BEDSIDE_DATA_DIR: dataDir, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolveToken(out.trim()) : reject(new Error(`npm run token exited with ${code}: ${err}`))));
  });
}

/** Every live postgres process (postmaster and backends) working in `pgdata`: PostgreSQL runs in its data folder. */
async function postgresProcessesOf(pgdata: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (name !== 'postgres' || state === 'Z') continue;
    if ((await readlink(`/proc/${entry}/cwd`).catch(() => '')) === pgdata) found.push(Number(entry));
  }
  return found;
}

const postmasterPid = async (pgdata: string) => Number((await readFile(join(pgdata, 'postmaster.pid'), 'utf8')).split('\n')[0]);
const lockFileExists = (pgdata: string) => readFile(join(pgdata, 'postmaster.pid')).then(() => true, () => false);

describe('npm start after the API was killed', () => {
  let dataDir: string;
  let pgdata: string;

  beforeAll(async () => {
    // Real path: it is compared with the folder PostgreSQL works in.
    const parent = await realpath(await mkdtemp(join(tmpdir(), 'bedside-adopt-')));
    // initdb runs as the `postgres` user when we are root: it must be able to enter the folder.
    await chmod(parent, 0o755);
    dataDir = join(parent, 'data');
    pgdata = join(dataDir, 'pgdata');
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    // A failed run may leave the API or its PostgreSQL behind.
    const left = await postgresProcessesOf(pgdata).catch(() => []);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(resolve(dataDir, '..'), { recursive: true, force: true });
  });

  it('adopts the PostgreSQL the killed API left running, and stops it when it stops', async () => {
    const pgPort = await freePort();
    const apiPort = await freePort();
    const first = await startApi(dataDir, pgPort, apiPort);
    const token = await mintToken(dataDir);
    const registered = await gql(
      first.url,
      `mutation { registerSite(input: { code: "RTH01", name: "Oxford", kind: HOSPITAL, location: { latitude: 51.76, longitude: -1.22 }, region: SE }) { code } }`,
      token,
    );
    expect(registered).toEqual({ data: { registerSite: { code: 'RTH01' } } });
    const leftPid = await postmasterPid(pgdata);

    // SIGKILL gives the API no chance to stop its server: PostgreSQL outlives it.
    expect(await signal(first, 'SIGKILL')).toBeNull();
    expect(await postgresProcessesOf(pgdata)).toContain(leftPid);

    const second = await startApi(dataDir, pgPort, apiPort);
    expect(second.output.join('')).toContain(`adopting the PostgreSQL (PID ${leftPid})`);
    expect(await gql(second.url, `{ site(code: "RTH01") { code name } }`, token)).toEqual({ data: { site: { code: 'RTH01', name: 'Oxford' } } });
    expect(await signal(second, 'SIGTERM')).toBe(0);
    // The clean stop stopped the adopted server: no lock file, no postgres of this data folder.
    expect(await lockFileExists(pgdata)).toBe(false);
    expect(await postgresProcessesOf(pgdata)).toEqual([]);

    const third = await startApi(dataDir, pgPort, apiPort);
    expect(third.output.join('')).not.toContain('adopting');
    expect(await gql(third.url, `{ site(code: "RTH01") { code name } }`, token)).toEqual({ data: { site: { code: 'RTH01', name: 'Oxford' } } });
    expect(await signal(third, 'SIGINT')).toBe(0);
    expect(await lockFileExists(pgdata)).toBe(false);
    expect(await postgresProcessesOf(pgdata)).toEqual([]);
  }, 300_000);
});
