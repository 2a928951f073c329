import { CommandBus } from '@nestjs/cqrs';
import { EVENT_STORE } from '@bedside/event-store';
import { DEMO_CENTRES, DEMO_UNITS, ENGLAND_AND_WALES_BANK_HOLIDAYS, seedDemoNetwork } from '@bedside/network';
import { addDays, localDateOf, weekdayOf } from '@bedside/shared';
import { startTestApi, type TestApi, testInstant } from '../support/test-api';

describe('demo network', () => {
  let api: TestApi;
  const today = localDateOf(testInstant(), 'Europe/London');
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('seeds through the ordinary commands, once', async () => {
    const seed = () => seedDemoNetwork(api.app.get(CommandBus), api.app.get(EVENT_STORE), { from: today, now: api.clock.now() });
    const first = await seed();
    expect(first).toEqual({ seeded: true, sites: 11, units: 19, products: 2, travelTimes: 55 });
    expect((await seed()).seeded).toBe(false);
    await api.caughtUp();
    const { data } = await api.gql(`{
      network { controlSite { code } sites(first: 20, kind: HOSPITAL, status: ACTIVE) { edges { node { code } } } units(first: 50) { edges { node { id kind mobility qualification } } } products { productCode process { startingMaterial } } }
      audit: auditTrail(streamId: "site-RBV01", first: 1) { edges { node { actor reason } } }
    }`);
    expect(data!.network.controlSite.code).toBe('CTL01');
    expect(data!.network.sites.edges).toHaveLength(DEMO_CENTRES.length);
    const units = data!.network.units.edges.map((e: { node: Record<string, string> }) => e.node);
    expect(units).toHaveLength(DEMO_UNITS.length);
    expect(units.filter((u: { kind: string; mobility: string }) => u.kind === 'FILL_FINISH' && u.mobility === 'MOBILE')).toHaveLength(4);
    expect(units.filter((u: { qualification: string }) => u.qualification !== 'QUALIFIED')).toEqual([{ id: 'MCT-03', kind: 'CELL_THERAPY', mobility: 'MOBILE', qualification: 'REQUALIFYING' }]);
    expect(data!.network.products.map((p: { process: { startingMaterial: string } }) => p.process.startingMaterial).sort()).toEqual(['CRYOPRESERVED', 'FRESH']);
    expect(data!.audit.edges[0].node).toEqual({ actor: 'demo-seed', reason: 'Demo network' });
  });

  it('pages travel times by keyset cursor: every route once, from each site nearest first', async () => {
    const seen: { fromSiteCode: string; toSiteCode: string; hours: number }[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result: { data: any } = await api.gql(`query($after: String) { travelTimes(first: 40, after: $after) { edges { node { fromSiteCode toSiteCode hours } } pageInfo { hasNextPage endCursor } } }`, { after });
      seen.push(...result.data.travelTimes.edges.map((e: { node: (typeof seen)[number] }) => e.node));
      if (!result.data.travelTimes.pageInfo.hasNextPage) break;
      after = result.data.travelTimes.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(2 * 55); // both directions
    expect(new Set(seen.map((t) => `${t.fromSiteCode}>${t.toSiteCode}`)).size).toBe(seen.length);
    const sorted = [...seen].sort((a, b) => (a.fromSiteCode < b.fromSiteCode ? -1 : a.fromSiteCode > b.fromSiteCode ? 1 : a.hours - b.hours || (a.toSiteCode < b.toSiteCode ? -1 : 1)));
    expect(seen).toEqual(sorted);
  });

  it('gives every centre a year of calendars, closed on bank holidays where they say so', async () => {
    // The next weekday bank holiday within the calendars' year: apheresis is closed, beds stay open.
    const holiday = ENGLAND_AND_WALES_BANK_HOLIDAYS.find((d) => d > addDays(today, 1) && d < addDays(today, 390) && weekdayOf(d) <= 5)!;
    const onHoliday = await api.gql(`{ capacity(filter: { siteCodes: ["RBV01"], resources: [APHERESIS_CHAIR, MONITORING_BED] }, from: "${holiday}", to: "${holiday}") { edges { node { resource free } } } }`);
    expect(onHoliday.data!.capacity.edges.map((e: { node: unknown }) => e.node)).toEqual([{ resource: 'MONITORING_BED', free: 10 }]);
    const dayBefore = addDays(holiday, weekdayOf(holiday) === 1 ? -3 : -1);
    const working = await api.gql(`{ capacity(filter: { siteCodes: ["RBV01"], resources: [APHERESIS_CHAIR] }, from: "${dayBefore}", to: "${dayBefore}") { edges { node { session free } } } }`);
    expect(working.data!.capacity.edges.map((e: { node: unknown }) => e.node)).toEqual([{ session: 'AM', free: 3 }, { session: 'PM', free: 3 }]);
    const { data } = await api.gql(`{ utilisation(filter: { resources: [MANUFACTURING_BAY], productCode: "CRYO-CAR19" }, from: "${today}", to: "${today}") { unitId } }`);
    expect(data!.utilisation).toEqual([{ unitId: 'MU-RRK01-SHU1' }]);
  });
});
