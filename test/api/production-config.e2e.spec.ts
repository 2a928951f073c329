import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authConfigFromEnv } from '../../apps/api/src/auth-config';

/** Issue 14 §6: production refuses to run half-configured, naming what to set. */
const root = join(__dirname, '..', '..');

/** Starts `npm start`'s entry point as it runs in production, and waits for it to stop by itself. */
function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('exit', (code) => (clearTimeout(killer), resolve({ code, output }))));
}

describe('a production server half-configured', () => {
  let dataDir: string;
  let jwks: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bedside-prod-'));
    jwks = join(dataDir, 'jwks.json');
    await writeFile(jwks, JSON.stringify({ keys: [] }));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('stops at start-up naming AUTH_AUDIENCE when tokens would be accepted whoever they were meant for, before it opens a database', async () => {
    const { code, output } = await start({ NODE_ENV: 'production', BEDSIDE_DATA_DIR: join(dataDir, 'data'), AUTH_JWKS_FILE: jwks, AUTH_ISSUER: 'https://login.example.nhs.uk' });
    expect(code).toBe(1);
    expect(output).toMatch(/NODE_ENV=production needs AUTH_AUDIENCE/);
    // Nothing was started: no embedded database was created.
    expect(existsSync(join(dataDir, 'data')) ? await readdir(join(dataDir, 'data')) : []).toEqual([]);
  });

  it('names every variable missing when none is set', async () => {
    await expect(authConfigFromEnv({ NODE_ENV: 'production' }, () => undefined)).rejects.toThrow(
      /^NODE_ENV=production needs AUTH_JWKS_URL \(or AUTH_JWKS_FILE\), AUTH_ISSUER, AUTH_AUDIENCE:/,
    );
  });

  it('takes a provider, issuer and audience in production, and development tokens elsewhere', async () => {
    const production = await authConfigFromEnv({ NODE_ENV: 'production', AUTH_JWKS_FILE: jwks, AUTH_ISSUER: 'https://login.example.nhs.uk', AUTH_AUDIENCE: 'bedside' }, () => undefined);
    expect(production.auth).toMatchObject({ issuer: 'https://login.example.nhs.uk', audience: 'bedside' });
    // Behind an identity provider nothing is minted; without one, the key that verifies also signs.
    expect(production.developmentKey).toBeNull();
    // The console signs in at that provider only once a client is registered there for it.
    expect(production.consoleSignIn).toBeNull();
    const withConsole = await authConfigFromEnv(
      { NODE_ENV: 'production', AUTH_JWKS_FILE: jwks, AUTH_ISSUER: 'https://login.example.nhs.uk', AUTH_AUDIENCE: 'bedside', AUTH_CONSOLE_CLIENT_ID: 'bedside-console', AUTH_CONSOLE_SCOPE: 'openid api://bedside/.default' },
      () => undefined,
    );
    expect(withConsole.consoleSignIn).toEqual({ issuer: 'https://login.example.nhs.uk', clientId: 'bedside-console', scope: 'openid api://bedside/.default', resource: null });
    const development = await authConfigFromEnv({ BEDSIDE_DATA_DIR: join(dataDir, 'dev') }, () => undefined);
    expect(development.auth.audience).toBeTruthy();
    expect(development.auth.keys).toEqual(development.developmentKey?.publicKeys);
  });
});
