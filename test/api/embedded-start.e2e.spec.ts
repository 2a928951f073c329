import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConnection, createServer, type AddressInfo } from 'node:net';

const root = resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  output: string[];
  url: string;
}

/** Starts the API as `npm start` does, with no DATABASE_URL: it must bring its own PostgreSQL. */
async function startApi(dataDir: string, pgPort: number, apiPort: number): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, BEDSIDE_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: String(apiPort), NODE_OPTIONS: '' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start:\n${output.join('')}`)), 45_000);
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

async function stop(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolveExit) => started.child.on('exit', (code) => resolveExit(code)));
  started.child.kill('SIGTERM');
  return exited;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolveOpen) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.on('connect', () => (socket.destroy(), resolveOpen(true)));
    socket.on('error', () => resolveOpen(false));
  });

async function gql(url: string, query: string, token: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  return (await response.json()) as { data: any; errors?: { extensions: { code: string } }[] };
}

/** `npm run token` as the README gives it, against the same data folder as the API. */
function mintToken(dataDir: string, ...args: string[]): Promise<string> {
  return new Promise((resolveToken, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/cli/token.ts', ...args], {
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

/**
 * A port nothing listens on now, as the system hands one out. (A random pick in the ephemeral range once
 * collided with a connection's local port: EADDRINUSE.)
 */
const freePort = () =>
  new Promise<number>((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });

describe('npm start without DATABASE_URL', () => {
  let dataDir: string;
  let pgPort: number;
  let apiPort: number;

  beforeAll(async () => {
    pgPort = await freePort();
    apiPort = await freePort();
    dataDir = join(await mkdtemp(join(tmpdir(), 'bedside-start-')), 'data');
    await chmod(resolve(dataDir, '..'), 0o755);
  });
  afterAll(() => rm(resolve(dataDir, '..'), { recursive: true, force: true }));

  it('starts its own PostgreSQL, keeps the data across a restart, and stops it on shutdown', async () => {
    const first = await startApi(dataDir, pgPort, apiPort);
    expect(first.output.join('')).toMatch(/initialising a new PostgreSQL cluster/);
    const token = await mintToken(dataDir, '--role', 'control_site_qa', '--actor', 'qa.lead@control-site');
    expect((await gql(first.url, `{ site(code: "RTH01") { code } }`, 'not-a-token')).errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
    await expect(mintToken(dataDir, '--role', 'scheduler')).rejects.toThrow(/a scheduler acts for a trust: add --trust/);
    const registered = await gql(
      first.url,
      `mutation { registerSite(input: { code: "RTH01", name: "Oxford", kind: HOSPITAL, location: { latitude: 51.76, longitude: -1.22 }, region: SE }) { code status } }`,
      token,
    );
    expect(registered).toEqual({ data: { registerSite: { code: 'RTH01', status: 'PROPOSED' } } });
    expect(await stop(first)).toBe(0);
    expect(await portOpen(pgPort)).toBe(false);

    const second = await startApi(dataDir, pgPort, apiPort);
    expect(second.output.join('')).not.toMatch(/initialising/);
    // The development signing key is kept with the data, so a token outlives a restart.
    const site = await gql(second.url, `{ site(code: "RTH01") { code name status } }`, token);
    expect(site).toEqual({ data: { site: { code: 'RTH01', name: 'Oxford', status: 'PROPOSED' } } });
    expect(await stop(second)).toBe(0);
    expect(await portOpen(pgPort)).toBe(false);
  });
});
