import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ConcurrencyError, EVENT_STORE_MIGRATIONS, PostgresEventStore, type EventMetadata, type StreamAppend, UpcasterRegistry } from '@bedside/event-store';
import { runMigrations } from '@bedside/database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { describeEventStoreContract } from './event-store.contract';

let database: TestDatabase;

describeEventStoreContract('PostgreSQL', async () => {
  database = await createTestDatabase();
  await runMigrations(database.url, EVENT_STORE_MIGRATIONS);
  const store = new PostgresEventStore({ connectionString: database.url });
  const extra: PostgresEventStore[] = [];
  return {
    store,
    withUpcasters(upcasters: UpcasterRegistry) {
      const upcasting = new PostgresEventStore({ connectionString: database.url, upcasters, pool: { max: 2 } });
      extra.push(upcasting);
      return upcasting;
    },
    async appendWithLateCommit(streams: readonly StreamAppend[], metadata: EventMetadata, holdMs: number, rollback: boolean) {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('BEGIN');
        for (const stream of streams) {
          await client.query(`SELECT * FROM append_to_streams(ARRAY[$1], ARRAY[-1]::bigint[], ARRAY[$2]::int[], $3::jsonb, $4::jsonb)`, [
            stream.streamId,
            stream.events.length,
            JSON.stringify(stream.events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data }))),
            JSON.stringify(metadata),
          ]);
        }
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
      } finally {
        await client.end();
      }
    },
    async close() {
      await Promise.all([store, ...extra].map((s) => s.close()));
      await database.drop();
    },
  };
});

describe('PostgreSQL event log integrity', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await runMigrations(db.url, EVENT_STORE_MIGRATIONS);
  });
  afterAll(() => db.drop());

  it('refuses to change, delete or truncate a recorded event', async () => {
    const store = new PostgresEventStore({ connectionString: db.url });
    await store.append([{ streamId: 'site-RX1', expectedVersion: 'no_stream', events: [{ type: 'SiteRegistered', data: { name: 'A' } }] }], {
      actor: 'qa',
      correlationId: 'c',
    });
    await store.close();
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(client.query(`UPDATE events SET data = '{"name":"B"}'`)).rejects.toThrow(/append-only/);
      await expect(client.query('DELETE FROM events')).rejects.toThrow(/append-only/);
      await expect(client.query('TRUNCATE events')).rejects.toThrow(/append-only/);
      const { rows } = await client.query('SELECT data FROM events');
      expect(rows).toEqual([{ data: { name: 'A' } }]);
    } finally {
      await client.end();
    }
  });

  it('wakes a subscriber in another process by NOTIFY, not by its poll timer', async () => {
    const writer = new PostgresEventStore({ connectionString: db.url });
    const reader = new PostgresEventStore({ connectionString: db.url });
    const head = await reader.headPosition();
    const received: string[] = [];
    let started = 0;
    const subscription = reader.subscribe({
      name: 'remote',
      after: head,
      // A poll timer far beyond the test's own timeout: only a notification can deliver in time.
      pollIntervalMs: 600_000,
      handle: async (events) => {
        received.push(...events.map((e) => e.type));
      },
    });
    // Let the subscription read the (empty) tail and start listening.
    await new Promise((resolve) => setTimeout(resolve, 300));
    started = Date.now();
    await writer.append([{ streamId: 'site-NOTIFY', expectedVersion: 'any', events: [{ type: 'Woken', data: {} }] }], { actor: 'qa', correlationId: 'c' });
    while (received.length === 0 && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 10));
    await subscription.stop();
    await Promise.all([writer.close(), reader.close()]);
    expect(received).toEqual(['Woken']);
  });

  it('gives every event of one multi-stream append the same transaction id', async () => {
    const store = new PostgresEventStore({ connectionString: db.url });
    try {
      const head = await store.headPosition();
      await store.append(
        [
          { streamId: 'chair-TX', expectedVersion: 'no_stream', events: [{ type: 'Held', data: {} }] },
          { streamId: 'bay-TX', expectedVersion: 'no_stream', events: [{ type: 'Held', data: {} }, { type: 'Noted', data: {} }] },
        ],
        { actor: 'qa', correlationId: 'c' },
      );
      const written = (await store.readAll({ after: head, maxCount: 100 })).filter((e) => e.streamId.endsWith('-TX'));
      expect(written).toHaveLength(3);
      expect(new Set(written.map((e) => e.globalPosition.transactionId)).size).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('keeps its connections when appends are refused for a stale version (no new login per lost race)', async () => {
    const store = new PostgresEventStore({ connectionString: db.url, pool: { max: 2 } });
    // The store's own sessions: client backends only (an autovacuum worker visiting the database is not a login).
    const sessions = async () => {
      const client = new Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ backends: string[] }>(
          `SELECT coalesce(array_agg(pid::text), '{}') AS backends FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        );
        return new Set(rows[0]!.backends);
      } finally {
        await client.end();
      }
    };
    try {
      const metadata = { actor: 'qa', correlationId: 'c' };
      for (const streamId of ['bay-STALE-1', 'bay-STALE-2']) await store.append([{ streamId, expectedVersion: 'no_stream', events: [{ type: 'Held', data: {} }] }], metadata);
      const before = await sessions();
      for (let i = 0; i < 10; i++) {
        // One stream at a stale version (its own statement), and several streams (the function).
        await expect(store.append([{ streamId: 'bay-STALE-1', expectedVersion: 5, events: [{ type: 'Held', data: {} }] }], metadata)).rejects.toThrow(ConcurrencyError);
        await expect(
          store.append(
            [
              { streamId: 'bay-STALE-1', expectedVersion: 1, events: [{ type: 'Held', data: {} }] },
              { streamId: 'bay-STALE-2', expectedVersion: 'no_stream', events: [{ type: 'Held', data: {} }] },
            ],
            metadata,
          ),
        ).rejects.toThrow(ConcurrencyError);
      }
      await store.append([{ streamId: 'bay-STALE-1', expectedVersion: 1, events: [{ type: 'Held', data: {} }] }], metadata);
      expect(await sessions()).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('migrates an empty database once, and again is a no-op', async () => {
    expect(await runMigrations(db.url, EVENT_STORE_MIGRATIONS)).toEqual([]);
  });
});
