import { CommandBus } from '@nestjs/cqrs';
import { EVENT_STORE } from '@bedside/event-store';
import { seedDemoNetwork } from '@bedside/network';
import { addDays, localDateOf } from '@bedside/shared';
import { referAndBook } from '../support/pathway-steps';
import { countStatements } from '../support/statement-counter';
import { AS_SCHEDULER, startTestApi, type TestApi, testInstant } from '../support/test-api';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const DASHBOARD = `
  query Dashboard($first: Int!, $from: LocalDate!, $to: LocalDate!) {
    kpis(filter: {}) { atRisk pathwaysByStatus { status count } utilisation { resource capacity committed utilisation } }
    network {
      sites(first: $first, kind: HOSPITAL) {
        edges { node { code name status utilisation(from: $from, to: $to) { resource unitId capacity committed tentative utilisation } } }
      }
    }
  }`;

interface Dashboard {
  network: { sites: { edges: { node: { code: string; utilisation: { resource: string; unitId: string | null; capacity: number; committed: number; tentative: number; utilisation: number }[] } }[] } };
}

/** Issue 5 §4: a dashboard's statements do not grow with the number of sites it lists (DataLoader). */
describe('dashboard queries batch their reads', () => {
  let database: TestDatabase;
  let api: TestApi;
  const today = localDateOf(testInstant(), 'Europe/London');
  const range = { from: today, to: addDays(today, 27) };

  beforeAll(async () => {
    database = await createTestDatabase();
    // Seed 5 copies of the demo centres (50 hospitals) and book a few plans, with projections running...
    const seeding = await startTestApi({ database });
    await seedDemoNetwork(seeding.app.get(CommandBus), seeding.app.get(EVENT_STORE), { from: today, scale: 5, now: seeding.clock.now() });
    await seeding.caughtUp();
    await referAndBook(seeding, 'BATCH-1');
    await referAndBook(seeding, 'BATCH-2');
    await seeding.caughtUp();
    await seeding.close();
    // ...then serve the same database without them, so every statement counted is the request's own.
    api = await startTestApi({ database, runProjections: false });
  }, 180_000);
  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  const dashboard = async (first: number, as = AS_SCHEDULER) => {
    const { value, statements } = await countStatements(api.app, () => api.gql<Dashboard>(DASHBOARD, { first, ...range }, as));
    expect(value.errors).toBeUndefined();
    return { sites: value.data!.network.sites.edges.map((e) => e.node), statements };
  };

  it('reads 10 sites and 50 sites with the same number of SQL statements', async () => {
    await dashboard(10); // warm-up: the first request may prepare what later ones reuse
    const ten = await dashboard(10);
    const fifty = await dashboard(50);
    expect(ten.sites).toHaveLength(10);
    expect(fifty.sites).toHaveLength(50);
    expect(fifty.statements).toBe(ten.statements);
    // kpis (4 reads, and one more since issue 14 §4: the at-risk count reads where booked patients will
    // stay, for all of them at once), the site list, and one utilisation read with the scheduler's own sites.
    expect(fifty.statements).toBeLessThanOrEqual(11);
  });

  it('reads the timelines of a list of pathways together', async () => {
    const list = (first: number) =>
      countStatements(api.app, () => api.gql<{ pathways: { edges: { node: { timeline: { kind: string }[] } }[] } }>(`query($first: Int!) { pathways(first: $first) { edges { node { coi timeline { kind status siteCode start end } } } } }`, { first }, AS_SCHEDULER));
    await list(1);
    const one = await list(1);
    const two = await list(2);
    expect(two.value.errors).toBeUndefined();
    expect(two.value.data!.pathways.edges.map((e) => e.node.timeline.length)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(two.value.data!.pathways.edges.every((e) => e.node.timeline.length >= 4)).toBe(true);
    expect(two.statements).toBe(one.statements);
  });

  it('gives each site what the utilisation query gives for it', async () => {
    const { sites } = await dashboard(50, { role: 'planner', actor: 'planner@network' });
    const christie = sites.find((s) => s.code === 'RBV01')!;
    const alone = await api.gql<{ utilisation: unknown[] }>(
      `query($from: LocalDate!, $to: LocalDate!) { utilisation(filter: { siteCodes: ["RBV01"] }, from: $from, to: $to) { resource unitId capacity committed tentative utilisation } }`,
      range,
      { role: 'planner', actor: 'planner@network' },
    );
    expect(christie.utilisation).toEqual(alone.data!.utilisation);
    expect(christie.utilisation.reduce((sum, r) => sum + r.committed, 0)).toBeGreaterThan(0);
    expect(sites.filter((s) => s.code.startsWith('RRV')).every((s) => s.utilisation.length > 0)).toBe(true);
  });

  it('shows a scheduler bookings at their own trust’s sites only', async () => {
    const { sites } = await dashboard(50);
    const christie = sites.find((s) => s.code === 'RBV01')!;
    expect(christie.utilisation.reduce((sum, r) => sum + r.committed, 0)).toBeGreaterThan(0);
    // Another trust's site: nothing, as the utilisation query answers (capacity shows it as free/busy).
    expect(sites.filter((s) => !s.code.startsWith('RBV')).every((s) => s.utilisation.length === 0)).toBe(true);
  });
});
