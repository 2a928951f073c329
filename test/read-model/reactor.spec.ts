import { DataSource } from 'typeorm';
import { PostgresEventStore, type EventMetadata, type RecordedEvent } from '@bedside/event-store';
import { SiteDirectoryProjection } from '@bedside/network';
import { ProjectionEngine, type Reactor } from '@bedside/read-model';
import { eventually } from '../support/test-api';
import { openProjectionBed, type ProjectionBed } from '../support/projection-bed';

const system: EventMetadata = { actor: 'bedside:test', correlationId: 'reactor-test' };
const ping = (n: number) => ({ type: 'Ping', data: { n } });

/** Reactors (libs/read-model/src/reactor.ts): act on the log from a checkpoint of their own (issue 11 §8). */
describe('reactors', () => {
  let bed: ProjectionBed;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let engine: ProjectionEngine;
  const logged: string[] = [];
  const projection = new SiteDirectoryProjection();
  const seen: number[] = [];
  let failNext = false;

  /** Answers each Ping by registering a site, and waits until the site directory shows it before it is done. */
  const reactor: Reactor = {
    name: 'ping-answers',
    eventTypes: ['Ping'],
    async react(event: RecordedEvent) {
      const n = (event.data as { n: number }).n;
      if (failNext) {
        failNext = false;
        throw new Error(`failed on ping ${n}`);
      }
      seen.push(n);
      const code = `PNG${String(n).padStart(2, '0')}`;
      const { lastPosition } = await store.append(
        [{ streamId: `site-${code}`, expectedVersion: 'no_stream', events: [{ type: 'SiteRegistered', data: { code, name: code, kind: 'HOSPITAL', timeZone: 'Europe/London', location: { latitude: 52, longitude: -1 } } }] }],
        { ...system, causationId: event.eventId },
      );
      // While it reacts, what it appended must reach read models: its checkpoint must not hide the log.
      if (!(await engine.waitFor([projection.name], lastPosition, 5000))) throw new Error('the site directory never showed the answer');
    },
  };
  const appendPings = async (...ns: number[]) => {
    for (const n of ns) {
      await store.append([{ streamId: 'pings', expectedVersion: 'any', events: [ping(n)] }], system);
      await store.append([{ streamId: 'noise', expectedVersion: 'any', events: [{ type: 'SomethingElse', data: {} }] }], system);
    }
  };
  const newEngine = () => new ProjectionEngine(dataSource, store, { log: (m) => logged.push(m), error: (m) => logged.push(m) });
  const reacted = async () => Number((await dataSource.query(`SELECT events_applied FROM projection_checkpoints WHERE name = 'ping-answers'`))[0].events_applied);

  beforeAll(async () => {
    bed = await openProjectionBed();
    ({ store, dataSource } = bed);
    engine = newEngine();
  });
  afterAll(async () => {
    await engine.stopAll();
    await bed.close();
  });

  it('starts at the head of a log it is new to, then reacts to each event it reads once, in order', async () => {
    await appendPings(1, 2);
    await engine.start(projection, { pollIntervalMs: 20 });
    await engine.startReactor(reactor, { pollIntervalMs: 20 });
    await appendPings(3, 4, 5);
    expect(await engine.waitFor([reactor.name], await store.lastRecordedPosition(), 10_000)).toBe(true);
    expect(seen).toEqual([3, 4, 5]);
    expect(await reacted()).toBe(3);
    expect((await dataSource.query(`SELECT code FROM sites ORDER BY code`)).map((r: { code: string }) => r.code)).toEqual(['PNG03', 'PNG04', 'PNG05']);
  });

  it('keeps its checkpoint before an event whose reaction failed, and reacts to it again', async () => {
    failNext = true;
    await appendPings(6, 7);
    await eventually(async () => expect(seen).toEqual([3, 4, 5, 6, 7]));
    expect(logged.some((m) => m.includes('ping-answers failed a batch'))).toBe(true);
    expect(await engine.waitFor([reactor.name], await store.lastRecordedPosition(), 10_000)).toBe(true);
    expect(await reacted()).toBe(5);
  });

  it('after a restart, reacts to what came while it was stopped and to nothing twice', async () => {
    await engine.stopAll();
    await appendPings(8);
    engine = newEngine();
    await engine.start(projection, { pollIntervalMs: 20 });
    await engine.startReactor(reactor, { pollIntervalMs: 20 });
    expect(await engine.waitFor([reactor.name], await store.lastRecordedPosition(), 10_000)).toBe(true);
    expect(seen).toEqual([3, 4, 5, 6, 7, 8]);
  });
});
