import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runMigrations } from '@bedside/database';
import { EVENT_STORE_MIGRATIONS, PostgresEventStore } from '@bedside/event-store';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const run = promisify(execFile);

/** What an inspector types (README "For inspectors"): the same script `npm run verify-log` runs. */
async function eventLog(args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/cli/event-log.ts', ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, EVENT_STORE_URL: '', KURRENTDB_URL: '' },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const digestIn = (stdout: string) => /Digest of the log up to here .*: (\d+:[0-9a-f]{64})/.exec(stdout)?.[1];

describe('npm run verify-log, export-log and restore-log', () => {
  let source: TestDatabase;
  let target: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    [source, target] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    dir = await mkdtemp(join(tmpdir(), 'bedside-archive-'));
    await runMigrations(source.url, EVENT_STORE_MIGRATIONS);
    const store = new PostgresEventStore({ connectionString: source.url });
    await store.append([{ streamId: 'site-RBV01', expectedVersion: 'no_stream', events: [{ type: 'SiteRegistered', data: { name: 'The Christie' } }, { type: 'SiteActivated', data: {} }] }], { actor: 'qa', correlationId: 'c' });
    await store.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await Promise.all([source.drop(), target.drop()]);
  });

  it('verifies the log, archives it, checks the archive on its own, refuses an altered one, and restores it with the same digest', async () => {
    const verified = await eventLog(['verify'], source.url);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('2 events in 1 streams checked.');
    expect(verified.stdout).toContain('The record is intact');
    const digest = digestIn(verified.stdout)!;
    expect(digest).toBeDefined();

    const archive = join(dir, 'log.jsonl');
    const exported = await eventLog(['export', archive], source.url);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`Its digest (keep it apart from the archive): ${digest}`);
    expect((await eventLog(['verify', '--file', archive, '--expect', digest], source.url)).code).toBe(0);

    const altered = join(dir, 'altered.jsonl');
    await writeFile(altered, (await readFile(archive, 'utf8')).replace('The Christie', 'The Christy'));
    const refused = await eventLog(['verify', '--file', altered], source.url);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/BROKEN: stream site-RBV01, event 1 .*altered/);
    expect((await eventLog(['restore', altered], target.url)).code).toBe(1);
    // Cut short: the last event left out, the digest at the end kept.
    const cut = join(dir, 'cut.jsonl');
    const lines = (await readFile(archive, 'utf8')).trim().split('\n');
    await writeFile(cut, `${[...lines.slice(0, -2), lines.at(-1)].join('\n')}\n`);
    const short = await eventLog(['verify', '--file', cut], source.url);
    expect(short.code).toBe(1);
    expect(short.stdout).toMatch(/it was altered or cut short/);

    const restored = await eventLog(['restore', archive], target.url);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('2 events restored');
    expect(digestIn(restored.stdout)).toBe(digest);
    expect((await eventLog(['verify', '--expect', digest], target.url)).code).toBe(0);
  });
});
