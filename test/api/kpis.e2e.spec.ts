import { EVENT_STORE, type EventStore } from '@bedside/event-store';
import { localDateOf } from '@bedside/shared';
import { referAndBook } from '../support/pathway-steps';
import { startDemoApi, type TestApi } from '../support/test-api';

const DAY = 86_400_000;

/** percentile_cont: linear interpolation between the two nearest ranks. */
function centile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  return sorted[low]! + (rank - low) * ((sorted[Math.min(low + 1, sorted.length - 1)] ?? 0) - sorted[low]!);
}

interface Infused {
  product: string;
  trust: string;
  site: string;
  /** Days after referral. */
  collected: number;
  infused: number;
}

// Vein-to-vein (collection to infusion) 10, 12, 14, 16, 30 days at RBV01 for RBV; one RGT patient there; one frozen product at RGT01.
const PATIENTS: Infused[] = [
  { product: 'POC-CAR19', trust: 'RBV', site: 'RBV01', collected: 5, infused: 15 },
  { product: 'POC-CAR19', trust: 'RBV', site: 'RBV01', collected: 5, infused: 17 },
  { product: 'POC-CAR19', trust: 'RBV', site: 'RBV01', collected: 6, infused: 20 },
  { product: 'POC-CAR19', trust: 'RBV', site: 'RBV01', collected: 6, infused: 22 },
  { product: 'POC-CAR19', trust: 'RBV', site: 'RBV01', collected: 10, infused: 40 },
  { product: 'POC-CAR19', trust: 'RGT', site: 'RBV01', collected: 5, infused: 15 },
  { product: 'CRYO-CAR19', trust: 'RGT', site: 'RGT01', collected: 5, infused: 50 },
];

describe('KPIs', () => {
  let api: TestApi;
  let referredAt: number;
  const infusedOn = (p: Infused) => new Date(referredAt + p.infused * DAY);

  beforeAll(async () => {
    api = await startDemoApi();
    // Infusions are weeks after referral, so their recorded facts are written as the lifecycle would write them.
    const store = api.app.get<EventStore>(EVENT_STORE);
    referredAt = api.clock.now().getTime();
    for (const [i, p] of PATIENTS.entries()) {
      const coi = `KPI${String(i).padStart(11, '0')}X`;
      const at = (days: number) => new Date(referredAt + days * DAY).toISOString();
      await store.append(
        [
          {
            streamId: `pathway-${coi}`,
            expectedVersion: 'no_stream',
            events: [
              {
                type: 'PatientReferred',
                data: {
                  coi,
                  patientRef: `KPI-${i}`,
                  referringTrust: p.trust,
                  productCode: p.product,
                  dmmfVersion: 1,
                  treatmentCentre: p.site,
                  washout: { drugClass: 'NONE', lastDoseDate: null, days: 0 },
                  earliestCollectionDate: localDateOf(new Date(referredAt), 'Europe/London'),
                  clinicalDeadline: null,
                  priority: 'ROUTINE',
                  referredAt: new Date(referredAt).toISOString(),
                },
              },
              { type: 'CollectionRecorded', data: { coi, siteCode: p.site, at: at(p.collected), sessions: 1, cd3YieldE9: null } },
              { type: 'PatientInfused', data: { coi, siteCode: p.site, at: at(p.infused), scannedCoi: coi } },
            ],
          },
        ],
        { actor: 'kpi-fixture', correlationId: `kpi-fixture-${i}` },
      );
    }
    await api.caughtUp();
  });
  afterAll(() => api.close());

  const kpis = async (filter: Record<string, unknown>, groupBy?: string[]) => {
    const result = await api.gql(
      `query($filter: KpiFilter!, $groupBy: [KpiDimension!]) { kpis(filter: $filter, groupBy: $groupBy) {
         timelines { productCode referringTrust treatmentSite month infused veinToVeinMedianDays veinToVeinP90Days referralToInfusionMedianDays referralToInfusionP90Days }
         pathwaysByStatus { status count } atRisk waitlist { length } utilisation { resource capacity committed tentative utilisation } } }`,
      { filter, groupBy },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.kpis;
  };
  const expected = (group: Infused[]) => ({
    infused: group.length,
    veinToVeinMedianDays: expect.closeTo(centile(group.map((p) => p.infused - p.collected), 0.5), 6),
    veinToVeinP90Days: expect.closeTo(centile(group.map((p) => p.infused - p.collected), 0.9), 6),
    // Referral time is the store's clock at append: within seconds of the fixture's.
    referralToInfusionMedianDays: expect.closeTo(centile(group.map((p) => p.infused), 0.5), 2),
    referralToInfusionP90Days: expect.closeTo(centile(group.map((p) => p.infused), 0.9), 2),
  });

  it('gives vein-to-vein and referral-to-infusion median and 90th centile by product, trust and treatment site', async () => {
    const { timelines } = await kpis({}, ['PRODUCT', 'TRUST', 'SITE']);
    expect(timelines).toEqual([
      { productCode: 'CRYO-CAR19', referringTrust: 'RGT', treatmentSite: 'RGT01', month: null, ...expected(PATIENTS.slice(6)) },
      { productCode: 'POC-CAR19', referringTrust: 'RBV', treatmentSite: 'RBV01', month: null, ...expected(PATIENTS.slice(0, 5)) },
      { productCode: 'POC-CAR19', referringTrust: 'RGT', treatmentSite: 'RBV01', month: null, ...expected(PATIENTS.slice(5, 6)) },
    ]);
    // The RBV group by hand: v2v 10, 12, 14, 16, 30 → median 14, 90th centile 16 + 0.6 × 14 = 24.4.
    expect(timelines[1]).toMatchObject({ veinToVeinMedianDays: expect.closeTo(14, 6), veinToVeinP90Days: expect.closeTo(24.4, 6) });
  });

  it('breaks down by site alone, by month, and overall, and filters by site and infusion dates', async () => {
    expect((await kpis({}, ['SITE'])).timelines).toEqual([
      { productCode: null, referringTrust: null, treatmentSite: 'RBV01', month: null, ...expected(PATIENTS.slice(0, 6)) },
      { productCode: null, referringTrust: null, treatmentSite: 'RGT01', month: null, ...expected(PATIENTS.slice(6)) },
    ]);
    expect((await kpis({}, [])).timelines).toEqual([{ productCode: null, referringTrust: null, treatmentSite: null, month: null, ...expected(PATIENTS) }]);

    const month = (p: Infused) => localDateOf(infusedOn(p), 'Europe/London').slice(0, 7);
    const months = [...new Set(PATIENTS.map(month))].sort();
    expect((await kpis({}, ['MONTH'])).timelines).toEqual(months.map((m) => ({ productCode: null, referringTrust: null, treatmentSite: null, month: m, ...expected(PATIENTS.filter((p) => month(p) === m)) })));

    expect((await kpis({ treatmentSite: 'RGT01' }, [])).timelines).toEqual([expect.objectContaining({ infused: 1 })]);
    const from = localDateOf(infusedOn(PATIENTS[2]!), 'Europe/London');
    const to = localDateOf(infusedOn(PATIENTS[4]!), 'Europe/London');
    const inWindow = PATIENTS.filter((p) => localDateOf(infusedOn(p), 'Europe/London') >= from && localDateOf(infusedOn(p), 'Europe/London') <= to);
    expect((await kpis({ from, to }, [])).timelines).toEqual([expect.objectContaining(expected(inWindow))]);
    const backwards = await api.gql(`{ kpis(filter: { from: "2027-02-01", to: "2027-01-01" }) { atRisk } }`);
    expect(backwards.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'to' } });
  });

  it('counts pathways by status and at risk, and shows booked capacity in the window', async () => {
    const before = await kpis({ productCode: 'POC-CAR19' }, []);
    expect(before.pathwaysByStatus).toContainEqual({ status: 'INFUSED', count: 6 });
    expect(before.atRisk).toBe(0);
    const bays = () => before.utilisation.find((u: { resource: string }) => u.resource === 'MANUFACTURING_BAY');
    expect(bays()).toMatchObject({ committed: 0, utilisation: 0 });
    expect(bays().capacity).toBeGreaterThan(0);

    const booked = await referAndBook(api, 'KPI-BOOKED');
    const window = { from: booked.plan.collectionDays[0], to: booked.plan.infusionDay };
    const after = await kpis({ productCode: 'POC-CAR19', ...window }, []);
    const bay = after.utilisation.find((u: { resource: string }) => u.resource === 'MANUFACTURING_BAY');
    expect(bay.committed).toBe(booked.plan.slots.filter((s) => s.resourceKey.startsWith('unit:')).length);
    expect(bay.utilisation).toBeCloseTo(bay.committed / bay.capacity, 10);
    expect(after.pathwaysByStatus).toContainEqual({ status: 'BOOKED', count: 1 });

    await api.gql(`mutation($id: ID!) { setUnitQualification(id: $id, state: OUT_OF_SERVICE, reason: "Door seal") { qualification } }`, { id: booked.plan.unitId });
    expect((await kpis({ productCode: 'POC-CAR19' }, [])).atRisk).toBe(1);
    expect((await kpis({ productCode: 'CRYO-CAR19' }, [])).atRisk).toBe(0);
  });
});
