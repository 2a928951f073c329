import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '@bedside/database';

/** The server `npm start` starts when no DATABASE_URL is given: its own settings, whatever the test run uses. */
describe('the embedded PostgreSQL', () => {
  let rootDir: string;
  let server: RunningPostgres;

  beforeAll(async () => {
    rootDir = await mkdtemp(join(tmpdir(), 'bedside-embedded-settings-'));
    server = await startEmbeddedPostgres({ rootDir, port: 50000 + Math.floor(Math.random() * 5000) });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await rm(rootDir, { recursive: true, force: true });
  });

  it('listens on loopback only, takes the connections the pools need, and creates WAL files without zero-filling them', async () => {
    const client = new Client({ connectionString: server.adminUrl });
    await client.connect();
    try {
      const setting = async (name: string) => (await client.query<{ setting: string }>('SELECT setting FROM pg_settings WHERE name = $1', [name])).rows[0]!.setting;
      expect(await setting('listen_addresses')).toBe('127.0.0.1');
      expect(Number(await setting('max_connections'))).toBe(200);
      expect(await setting('wal_init_zero')).toBe('off');
      // Durability is not traded: every commit still waits for its WAL flush, and torn pages are still guarded by full-page writes.
      expect(await setting('fsync')).toBe('on');
      expect(await setting('synchronous_commit')).toBe('on');
      expect(await setting('full_page_writes')).toBe('on');
    } finally {
      await client.end();
    }
  });
});
