import { WaitlistOffers } from '@bedside/pathways';
import { daysBetween, localDateOf } from '@bedside/shared';
import { AS_SCHEDULER, eventually, startTestApi, type TestApi, type Persona, testInstant } from '../support/test-api';

const process = {
  productCode: 'POC-CAR19', name: 'Fresh POC CAR-T', startingMaterial: 'FRESH', maxFreshHoldHours: 36, apheresisSessions: 1, apheresisHoursPerSession: 4,
  manufactureDays: 7, qcMethod: 'RAPID', qcReleaseDays: 0, shelfLifeHours: 6, conditioningRegimen: 'Flu/Cy', conditioningDays: [-5, -4, -3],
  infusionWindowMinDays: 3, infusionWindowMaxDays: 3, conditioningGate: 'CONDITIONING_DURING_MANUFACTURE', reconditionAfterDays: 14,
  monitoringInpatientDays: 7, stayWithinReachDays: 28, stayWithinReachMinutes: 120, icuReserveProbability: 0.3,
};

/** One centre, one apheresis chair a day, one single-batch unit: capacity two patients must share. */
describe('freed capacity offered to the waitlist', () => {
  let api: TestApi;
  const today = localDateOf(testInstant(), 'Europe/London');
  const ok = async (query: string, variables?: Record<string, unknown>, headers?: Persona) => {
    const result = await api.gql(query, variables, headers);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };

  beforeAll(async () => {
    api = await startTestApi();
    await ok(`mutation { registerSite(input: { code: "RBV01", name: "The Christie", kind: HOSPITAL, location: { latitude: 53.43, longitude: -2.23 }, trustCode: "RBV" }) { code } }`);
    const everyDay = '[MON, TUE, WED, THU, FRI, SAT, SUN]';
    for (const [resource, count, sessions] of [
      ['APHERESIS_CHAIR', 1, '[{ name: "AM", start: "08:00", end: "12:00" }]'],
      ['CONDITIONING_CHAIR', 4, '[{ name: "AM", start: "09:00", end: "13:00" }]'],
      ['INFUSION_BED', 4, '[]'],
      ['MONITORING_BED', 20, '[]'],
    ] as const) {
      await ok(`mutation($d: LocalDate!) { setResourceCalendar(input: { siteCode: "RBV01", resource: ${resource}, count: ${count}, openingDays: ${everyDay}, sessions: ${sessions}, openOnBankHolidays: true, effectiveFrom: $d }) { siteCode } }`, { d: today });
    }
    await ok(`mutation { onboardSite(code: "RBV01") { code } }`);
    await ok(`mutation { activateSite(code: "RBV01") { code } }`);
    await ok(`mutation { registerUnit(input: { id: "MU-1", name: "Cocoon 1", kind: CELL_THERAPY, mobility: FIXED, batchCapacity: 1, homeSiteCode: "RBV01" }) { id } }`);
    await ok(`mutation { setUnitQualification(id: "MU-1", state: QUALIFIED, reason: "PQ passed") { id } }`);
    await ok(`mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { version } }`, { input: { process, designation: { siteCodes: ['RBV01'], unitIds: ['MU-1'] }, reason: 'v1' } });
  });
  afterAll(() => api.close());

  const refer = async (ref: string, clinicalDeadline: string | null) =>
    (await ok(`mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: ref, referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'URGENT', clinicalDeadline },
    }, AS_SCHEDULER)).referPatient.coi as string;
  const bestPlan = async (coi: string) => (await ok(`query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { infusionDay slots { resourceKey day session } } }`, { coi }, AS_SCHEDULER)).planOptions[0];

  it('holds the released plan for the first waiting referral it now serves in time', async () => {
    const first = await refer('FIRST', null);
    const firstPlan = await bestPlan(first);
    const held = await ok(`mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, { input: { coi: first, slots: firstPlan.slots, idempotencyKey: 'f' } }, AS_SCHEDULER);

    // The second patient needs infusion by the first patient's infusion day, which only that plan reaches.
    const second = await refer('SECOND', firstPlan.infusionDay);
    const secondBest = await bestPlan(second);
    expect(daysBetween(firstPlan.infusionDay, secondBest.infusionDay)).toBeGreaterThan(0);
    await ok(`mutation($coi: ID!) { joinWaitlist(coi: $coi) { place } }`, { coi: second }, AS_SCHEDULER);

    await ok(`mutation($id: ID!) { releaseHold(holdId: $id, reason: "Patient declined") { status } }`, { id: held.holdPlan.id }, AS_SCHEDULER);
    await api.app.get(WaitlistOffers).settled();
    await eventually(async () => {
      const { pathway } = await ok(`query($coi: ID!) { pathway(coi: $coi) { status holdId } }`, { coi: second });
      expect(pathway.status).toBe('PLAN_HELD');
      const audit = await ok(`{ auditTrail(streamId: "hold-${pathway.holdId}") { edges { node { type actor reason } } } }`);
      expect(audit.auditTrail.edges[0].node).toMatchObject({ type: 'HoldPlaced', actor: 'bedside:waitlist', reason: expect.stringMatching(/Offered from the waitlist/) });
    });
    const { waitlist } = await ok(`{ waitlist { edges { node { pathway { coi } } } } }`);
    expect(waitlist.edges).toEqual([]);
  });
});
