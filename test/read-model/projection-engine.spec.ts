import { DataSource } from 'typeorm';
import { PostgresEventStore, START_OF_LOG, type EventMetadata, type RecordedEvent } from '@bedside/event-store';
import { SiteDirectoryProjection, SiteRecord, type SiteEvent } from '@bedside/network';
import { ProjectionEngine, type Projection } from '@bedside/read-model';
import { eventually } from '../support/test-api';
import { siteRegistered as registered, siteStatusChanged as status } from '../support/site-events';
import { openProjectionBed, type ProjectionBed } from '../support/projection-bed';

const qa: EventMetadata = { actor: 'qa.lead@control-site', correlationId: 'projection-test' };


describe('projections', () => {
  let bed: ProjectionBed;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let engine: ProjectionEngine;
  const logged: string[] = [];
  const projection = new SiteDirectoryProjection();

  const sitesTable = () => dataSource.query('SELECT * FROM sites ORDER BY code');
  const lifecycle = async (code: string) => {
    await store.append([{ streamId: `site-${code}`, expectedVersion: 'no_stream', events: [registered(code)] }], qa);
    await store.append([{ streamId: `site-${code}`, expectedVersion: 1, events: [status('SiteOnboardingStarted', code, 'PROPOSED')] }], qa);
    await store.append([{ streamId: `site-${code}`, expectedVersion: 2, events: [status('SiteActivated', code, 'ONBOARDING')] }], qa);
  };

  beforeAll(async () => {
    bed = await openProjectionBed();
    ({ store, dataSource } = bed);
    engine = new ProjectionEngine(dataSource, store, { log: (m) => logged.push(m), error: (m) => logged.push(m) });
    for (const code of ['PRJ01', 'PRJ02', 'PRJ03']) await lifecycle(code);
    await store.append([{ streamId: 'site-PRJ02', expectedVersion: 3, events: [status('SitePaused', 'PRJ02', 'ACTIVE', 'Staff shortage')] }], qa);
    // Events the projection does not read still move its checkpoint on.
    await store.append([{ streamId: 'unrelated-1', expectedVersion: 'any', events: [{ type: 'SomethingElse', data: {} }] }], qa);
  });
  afterAll(async () => {
    await engine.stopAll();
    await bed.close();
  });

  it('reports how far behind the log it is, then catches up', async () => {
    const [before] = await engine.status([projection]);
    expect(before).toMatchObject({ name: 'site-directory', caughtUp: false, eventsApplied: 0 });
    expect(before!.behindBy).toBeGreaterThanOrEqual(11);

    await engine.start(projection, { pollIntervalMs: 20 });
    await eventually(async () => {
      const [after] = await engine.status([projection]);
      expect(after).toMatchObject({ caughtUp: true, behindBy: 0, eventsApplied: 10 });
      expect(after!.lastEventRecordedAt).toBeInstanceOf(Date);
    });
    const rows = await sitesTable();
    expect(rows.map((r: SiteRecord & { status_reason: string }) => [r.code, r.status, r.status_reason])).toEqual([
      ['PRJ01', 'ACTIVE', null],
      ['PRJ02', 'PAUSED', 'Staff shortage'],
      ['PRJ03', 'ACTIVE', null],
    ]);
    await engine.stopAll();
  });

  it('treats a redelivered batch as already applied', async () => {
    const log = await store.readAll({ after: START_OF_LOG, maxCount: 1000 });
    const before = await sitesTable();
    expect(await engine.applyBatch(projection, log)).toBe(0);
    expect(await engine.applyBatch(projection, log.slice(3, 7))).toBe(0);
    expect(await sitesTable()).toEqual(before);

    // A batch that overlaps the checkpoint applies only what is new.
    await store.append([{ streamId: 'site-PRJ01', expectedVersion: 3, events: [status('SiteSuspended', 'PRJ01', 'ACTIVE', 'Deviation DV-17')] }], qa);
    const withNew = await store.readAll({ after: START_OF_LOG, maxCount: 1000 });
    expect(await engine.applyBatch(projection, withNew)).toBe(1);
    expect(await engine.applyBatch(projection, withNew)).toBe(0);
    const [prj01] = await dataSource.query(`SELECT status, status_reason FROM sites WHERE code = 'PRJ01'`);
    expect(prj01).toEqual({ status: 'SUSPENDED', status_reason: 'Deviation DV-17' });
  });

  it('rebuilds from zero to exactly the same table, reporting progress', async () => {
    const before = await sitesTable();
    const progress: number[] = [];
    const report = await engine.rebuild(projection, (p) => progress.push(p.eventsRead));
    expect(report).toMatchObject({ done: true, eventsApplied: 11 });
    expect(report.eventsRead).toBe(12);
    expect(progress.at(-1)).toBe(report.eventsRead);
    expect(await sitesTable()).toEqual(before);
    const [status] = await engine.status([projection]);
    expect(status).toMatchObject({ caughtUp: true, eventsApplied: 11 });
    expect(status!.rebuiltAt).toBeInstanceOf(Date);
  });

  it('converges when a rebuild runs beside a live projection that keeps receiving events', async () => {
    await engine.start(projection, { pollIntervalMs: 20 });
    const writing = (async () => {
      for (let i = 10; i < 30; i++) await lifecycle(`LIV${i}`);
    })();
    await engine.rebuild(projection);
    await writing;
    await eventually(async () => {
      const [status] = await engine.status([projection]);
      expect(status!.caughtUp).toBe(true);
      const rows = await sitesTable();
      expect(rows.filter((r: SiteRecord) => r.code.startsWith('LIV'))).toHaveLength(20);
      expect(rows.filter((r: SiteRecord) => r.code.startsWith('LIV')).every((r: SiteRecord) => r.status === 'ACTIVE')).toBe(true);
    });
    await engine.stopAll();
    const live = await sitesTable();
    await engine.rebuild(projection);
    expect(await sitesTable()).toEqual(live);
  });

  it('writes nothing, and keeps its checkpoint, when a batch fails', async () => {
    const failing: Projection<SiteEvent> = {
      name: 'failing-directory',
      tables: ['sites'],
      eventTypes: projection.eventTypes,
      apply: async (events, manager) => {
        await projection.apply(events, manager);
        throw new Error('disk full');
      },
    };
    const before = await sitesTable();
    const log = await store.readAll({ after: START_OF_LOG, maxCount: 1000 });
    await dataSource.query(`INSERT INTO projection_checkpoints (name) VALUES ('failing-directory')`);
    await dataSource.query(`DELETE FROM sites WHERE code = 'PRJ03'`);
    await expect(engine.applyBatch(failing, log)).rejects.toThrow('disk full');
    const [checkpoint] = await engine.status([failing]);
    expect(checkpoint).toMatchObject({ eventsApplied: 0, caughtUp: false });
    expect((await sitesTable()).map((r: SiteRecord) => r.code)).toEqual(before.map((r: SiteRecord) => r.code).filter((c: string) => c !== 'PRJ03'));
  });

  it('commits a batch without waiting for its WAL flush: the durable log, not the read model, is the record', async () => {
    const seen: string[] = [];
    const probe: Projection = {
      name: 'commit-probe',
      tables: [],
      eventTypes: ['SiteRegistered'],
      apply: async (_events, manager) => {
        seen.push((await manager.query(`SELECT current_setting('synchronous_commit') AS s`))[0].s);
      },
    };
    await dataSource.query(`INSERT INTO projection_checkpoints (name) VALUES ('commit-probe')`);
    expect(await engine.applyBatch(probe, await store.readAll({ after: START_OF_LOG, maxCount: 1000 }))).toBeGreaterThan(0);
    expect(seen).toEqual(['off']);
    expect((await dataSource.query(`SELECT current_setting('synchronous_commit') AS s`))[0].s).toBe('on');
  });

  describe('a projection with nothing to read in a batch', () => {
    // Reads an event type nobody records: every batch is one it skips.
    const quiet: Projection = {
      name: 'quiet',
      tables: [],
      eventTypes: ['NothingRecordsThis'],
      apply: async () => {
        throw new Error('a quiet projection has nothing to apply');
      },
    };
    const storedPosition = async () => Number((await dataSource.query(`SELECT global_position FROM projection_checkpoints WHERE name = 'quiet'`))[0].global_position);
    const unrelated = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await store.append([{ streamId: `unrelated-quiet-${i}`, expectedVersion: 'any', events: [{ type: 'SomethingElse', data: { i } }] }], qa);
        // Apart enough to reach the projection as batches of their own.
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      return store.lastRecordedPosition();
    };
    afterEach(() => jest.restoreAllMocks());

    it('commits no transaction per batch, yet a waiter here finds it caught up, and stopping stores where it is', async () => {
      const transactions = jest.spyOn(dataSource, 'transaction');
      await engine.start(quiet, { pollIntervalMs: 20, idleCheckpointMs: 60_000 });
      const last = await unrelated(8);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(transactions).not.toHaveBeenCalled();
      expect(await storedPosition()).toBe(0);

      expect(await engine.waitFor(['quiet'], last, 5_000)).toBe(true);
      expect(await storedPosition()).toBe(Number(last.position));
      expect(transactions.mock.calls.length).toBeLessThanOrEqual(2);
      const [status] = await engine.status([quiet]);
      expect(status).toMatchObject({ caughtUp: true, eventsApplied: 0 });

      const later = await unrelated(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await engine.stopAll();
      expect(await storedPosition()).toBe(Number(later.position));
    });

    it('stores its checkpoint by itself once the idle time has passed', async () => {
      await engine.start(quiet, { pollIntervalMs: 20, idleCheckpointMs: 100 });
      const last = await unrelated(2);
      await eventually(async () => expect(await storedPosition()).toBe(Number(last.position)));
      await engine.stopAll();
    });
  });
});
