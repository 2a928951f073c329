import { Client, Pool } from 'pg';
import { runMigrations } from '@bedside/database';
import {
  AppendEventsAsJson1763700000800,
  chainHash,
  ChainVerifier,
  CreateEventStore1763700000000,
  EVENT_STORE_MIGRATIONS,
  PostgresEventStore,
  readChainedEvents,
  restoreLog,
  verifyLog,
  verifyStream,
  type ChainedEvent,
  type EventMetadata,
} from '@bedside/event-store';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * A tamper-evident record kept for 30 years (issue 14 §5; EU GMP Annex 11 §9, MHRA GXP Data Integrity
 * 6.13). The rule: every event carries a hash chaining it to the event before it in its stream, and the
 * log's digest up to a position, kept outside the database, proves nothing up to there was removed.
 * Each case below alters the record the way someone with the database's keys could, past the
 * append-only trigger, and shows the check finding it.
 */
const who: EventMetadata = { actor: 'qa.lead@control-site', correlationId: 'c-1', reason: 'lookback test' };

describe('the hash-chained event log (PostgreSQL)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let admin: Client;

  /** Runs SQL as someone who can set the append-only trigger aside: what an inspector must be able to detect. */
  const tamper = async (sql: string, values: unknown[] = []) => {
    await admin.query('BEGIN');
    await admin.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
    await admin.query(sql, values);
    await admin.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
    await admin.query('COMMIT');
  };
  const record = async () => {
    await store.append(
      [
        { streamId: 'pathway-COI-1', expectedVersion: 'no_stream', events: [{ type: 'PatientReferred', data: { patientRef: 'P-1', note: 'ünïcode – 1.50' } }, { type: 'CollectionRecorded', data: { sessions: 1 } }] },
        { streamId: 'unit-MU-1', expectedVersion: 'no_stream', events: [{ type: 'UnitRegistered', data: { unitId: 'MU-1' } }] },
      ],
      who,
    );
    await store.append([{ streamId: 'pathway-COI-1', expectedVersion: 2, events: [{ type: 'ManufactureStarted', data: { unitId: 'MU-1' } }] }], who);
    await store.append([{ streamId: 'pathway-COI-2', expectedVersion: 'no_stream', events: [{ type: 'PatientReferred', data: { patientRef: 'P-2' } }] }], who);
    // A stream longer than nine events: positions are numbers, never ordered as text.
    await store.append([{ streamId: 'calendar-RBV01', expectedVersion: 'no_stream', events: Array.from({ length: 11 }, (_, n) => ({ type: 'ResourceCalendarSet', data: { n } })) }], who);
  };

  beforeEach(async () => {
    db = await createTestDatabase();
    await runMigrations(db.url, EVENT_STORE_MIGRATIONS);
    store = new PostgresEventStore({ connectionString: db.url });
    pool = new Pool({ connectionString: db.url, max: 2 });
    admin = new Client({ connectionString: db.url });
    await admin.connect();
    await record();
  });
  afterEach(async () => {
    await admin.end();
    await pool.end();
    await store.close();
    await db.drop();
  });

  it('chains each event to the one before it in its stream, by every way of appending, and finds the log intact', async () => {
    const events: ChainedEvent[] = [];
    for await (const e of readChainedEvents(pool)) events.push(e);
    expect(events.map((e) => `${e.streamId}#${e.streamPosition}`)).toEqual([
      'pathway-COI-1#1',
      'pathway-COI-1#2',
      'unit-MU-1#1',
      'pathway-COI-1#3',
      'pathway-COI-2#1',
      ...Array.from({ length: 11 }, (_, n) => `calendar-RBV01#${n + 1}`),
    ]);
    // The hash is computed again here from the stored values, not taken from the database's function.
    const [first, second] = events;
    expect(chainHash(null, first!).toString('hex')).toBe(first!.hash);
    expect(chainHash(Buffer.from(first!.hash, 'hex'), second!).toString('hex')).toBe(second!.hash);
    const verification = await verifyLog(pool);
    expect(verification).toMatchObject({ events: 16, streams: 4, intact: true, breaks: [] });
    expect(await verifyStream(pool, 'calendar-RBV01')).toMatchObject({ events: 11, intact: true, lastHash: events.at(-1)!.hash });
    expect(verification.anchor!.globalPosition).toBe(events.at(-1)!.globalPosition);
    expect((await verifyLog(pool)).anchor).toEqual(verification.anchor);
  });

  it('finds an event whose recorded data was changed, naming its stream and position', async () => {
    await tamper(`UPDATE events SET data = '{"sessions": 2}' WHERE stream_id = 'pathway-COI-1' AND stream_position = 2`);
    const verification = await verifyLog(pool);
    expect(verification.intact).toBe(false);
    expect(verification.breaks).toEqual([expect.objectContaining({ streamId: 'pathway-COI-1', streamPosition: 2, problem: expect.stringMatching(/not the hash of its content/) })]);
    expect((await verifyStream(pool, 'pathway-COI-1')).breaks.map((b) => b.streamPosition)).toEqual([2]);
    expect((await verifyStream(pool, 'pathway-COI-2')).intact).toBe(true);
  });

  it('finds a change whose hash was recomputed too, at the event after it', async () => {
    await tamper(`UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"someone.else"') WHERE stream_id = 'pathway-COI-1' AND stream_position = 1`);
    await tamper(`UPDATE events e SET hash = event_chain_hash(NULL, e) WHERE stream_id = 'pathway-COI-1' AND stream_position = 1`);
    const { breaks } = await verifyLog(pool);
    expect(breaks.map((b) => `${b.streamId}#${b.streamPosition}`)).toEqual(['pathway-COI-1#2']);
  });

  it('finds an event removed from the middle of a stream', async () => {
    await tamper(`DELETE FROM events WHERE stream_id = 'pathway-COI-1' AND stream_position = 2`);
    const { breaks } = await verifyLog(pool);
    expect(breaks).toEqual([expect.objectContaining({ streamId: 'pathway-COI-1', streamPosition: 3, problem: 'event 2 of the stream is missing before it' })]);
  });

  it('finds a stream’s last event removed by its index of streams, and, with that mended too, by a digest kept outside the database', async () => {
    const kept = (await verifyLog(pool)).anchor!;
    await tamper(`DELETE FROM events WHERE stream_id = 'pathway-COI-2'`);
    const lengths = await verifyLog(pool);
    expect(lengths.breaks.map((b) => b.problem)).toEqual([`the store's index of streams counts 1 event(s) in this stream and the log holds 0: its last events were removed`]);
    await admin.query(`DELETE FROM streams WHERE stream_id = 'pathway-COI-2'`);
    expect((await verifyLog(pool)).intact).toBe(true);
    const anchored = await verifyLog(pool, { anchors: [kept] });
    expect(anchored.intact).toBe(false);
    expect(anchored.breaks.map((b) => b.problem)).toEqual([`the log's digest up to global position ${kept.globalPosition} is not the one kept (${kept.digest}): events up to there were removed or altered`]);
    // Removed up to and past the anchored event itself, the log is shorter than the digest kept.
    await tamper(`DELETE FROM events WHERE stream_id = 'calendar-RBV01'`);
    await admin.query(`DELETE FROM streams WHERE stream_id = 'calendar-RBV01'`);
    expect((await verifyLog(pool, { anchors: [kept] })).breaks.map((b) => b.problem)).toEqual([`the log ends before global position ${kept.globalPosition}, up to which a digest was kept: events were removed`]);
  });

  it('finds the very event up to which a digest was kept removed, while the log goes on past it', async () => {
    const upTo: ChainedEvent[] = [];
    for await (const e of readChainedEvents(pool)) if (upTo.length < 5) upTo.push(e);
    const digestThen = new ChainVerifier();
    upTo.forEach((e) => digestThen.add(e));
    const kept = digestThen.result().anchor!;
    expect(kept.globalPosition).toBe(upTo[4]!.globalPosition);
    expect((await verifyLog(pool, { anchors: [kept] })).intact).toBe(true);
    await tamper(`DELETE FROM events WHERE stream_id = 'pathway-COI-2'`);
    await admin.query(`DELETE FROM streams WHERE stream_id = 'pathway-COI-2'`);
    expect((await verifyLog(pool, { anchors: [kept] })).breaks.map((b) => b.problem)).toEqual([
      `the event at global position ${kept.globalPosition}, up to which a digest was kept, is missing: events were removed`,
    ]);
  });

  it('archives the log with its hashes and restores it into an empty database, where it verifies with the same digest', async () => {
    const archive: ChainedEvent[] = [];
    for await (const e of readChainedEvents(pool)) archive.push(JSON.parse(JSON.stringify(e)) as ChainedEvent);
    const anchor = (await verifyLog(pool)).anchor!;
    // The archive checks on its own, with nothing but the file.
    const offline = new ChainVerifier([anchor]);
    archive.forEach((e) => offline.add(e));
    expect(offline.result()).toMatchObject({ intact: true, anchor });

    const empty = await createTestDatabase();
    const restoredPool = new Pool({ connectionString: empty.url, max: 2 });
    try {
      await runMigrations(empty.url, EVENT_STORE_MIGRATIONS);
      const altered = archive.map((e) => (e.streamId === 'unit-MU-1' ? { ...e, data: '{"unitId": "MU-2"}' } : e));
      await expect(restoreLog(restoredPool, altered)).rejects.toThrow(/Event 1 of stream unit-MU-1 .* does not match its hash in the archive/);
      expect((await restoredPool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(0);

      expect(await restoreLog(restoredPool, archive)).toBe(16);
      expect(await verifyLog(restoredPool, { anchors: [anchor] })).toMatchObject({ events: 16, streams: 4, intact: true, anchor });
      // The restored store carries on: the next append chains to the restored head and takes the next position.
      const restored = new PostgresEventStore({ connectionString: empty.url });
      try {
        await restored.append([{ streamId: 'pathway-COI-1', expectedVersion: 3, events: [{ type: 'ManufactureCompleted', data: {} }] }], who);
        const after = await verifyLog(restoredPool);
        expect(after).toMatchObject({ events: 17, intact: true });
        expect(BigInt(after.anchor!.globalPosition)).toBeGreaterThan(BigInt(anchor.globalPosition));
      } finally {
        await restored.close();
      }
      await expect(restoreLog(restoredPool, archive)).rejects.toThrow(/already holds 17 events/);
    } finally {
      await restoredPool.end();
      await empty.drop();
    }
  });
});

describe('chaining events recorded before the chain existed (migration 1763700001370)', () => {
  it('chains them stream by stream, so an existing record verifies once migrated', async () => {
    const db = await createTestDatabase();
    const pool = new Pool({ connectionString: db.url, max: 2 });
    try {
      await runMigrations(db.url, [CreateEventStore1763700000000, AppendEventsAsJson1763700000800]);
      const before = new PostgresEventStore({ connectionString: db.url });
      await before.append([{ streamId: 'site-RBV01', expectedVersion: 'no_stream', events: [{ type: 'SiteRegistered', data: { n: 1 } }, { type: 'SiteActivated', data: {} }] }], who);
      await before.append([{ streamId: 'site-RRK01', expectedVersion: 'no_stream', events: [{ type: 'SiteRegistered', data: { n: 2 } }] }], who);
      await before.close();
      await runMigrations(db.url, EVENT_STORE_MIGRATIONS);
      expect(await verifyLog(pool)).toMatchObject({ events: 3, streams: 2, intact: true });
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
