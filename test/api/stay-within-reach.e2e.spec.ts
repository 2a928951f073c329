import { mod37Check } from '@bedside/pathways';
import { plannedSteps, recordAt, referAndBook, regimenOf, step } from '../support/pathway-steps';
import { AS_DASHBOARD, AS_PLANNER, AS_SCHEDULER, startDemoApi, type GraphQLResponse, type TestApi } from '../support/test-api';

/**
 * Issue 14 §4, stay within reach: for 28 days after infusion the demo's patients stay within 120 min of
 * their treatment centre (the product's process). A referral carries the patient's postcode district,
 * never an address; plans are made only for centres within reach of where the patient will stay, and
 * conditioning starts and infusion happens only there. Minutes come from the district travel times
 * planners record (the demo seeds them from road estimates).
 */
const REFER = `mutation($input: ReferralInput!) { referPatient(input: $input) { coi homeDistrict stayDistrict } }`;
const PLANS = `query($coi: ID!) { planOptions(input: { coi: $coi, count: 3 }) { apheresisCentre treatmentCentre infusionDay } }`;
const ARRANGE = `mutation($coi: ID!, $district: String!, $reason: String!) { arrangeMonitoringStay(coi: $coi, district: $district, reason: $reason) { coi homeDistrict stayDistrict stayReason } }`;

describe('issue 14 §4: the patient stays within reach of the treatment centre after infusion', () => {
  let api: TestApi;
  const errorOf = (result: GraphQLResponse) => result.errors?.[0];
  const referral = (patientRef: string, homeDistrict: string) => ({ input: { patientRef, homeDistrict, referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'URGENT' } });
  const minutesFrom = async (district: string) => {
    const { districtTravelTimes } = await step<{ districtTravelTimes: { siteCode: string; minutes: number }[] }>(api, `query($d: String!) { districtTravelTimes(district: $d) { siteCode minutes } }`, { d: district });
    return new Map(districtTravelTimes.map((t) => [t.siteCode, t.minutes]));
  };

  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('keeps only the postcode district of a referral, refusing a full postcode or none, with nothing recorded', async () => {
    const coi = `B000126900002${mod37Check('B000126900002')}`; // a valid Chain of Identity no one has used
    const full = await api.gql(REFER, { input: { ...referral('REACH-0', 'M20 4BX').input, coi } }, AS_SCHEDULER);
    expect(errorOf(full)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'homeDistrict' } });
    expect(errorOf(full)!.message).toMatch(/Give only the postcode district, the part before the space \(M20\): Bedside keeps no full postcode or address/);
    const blank = await api.gql(REFER, referral('REACH-0', ' '), AS_SCHEDULER);
    expect(errorOf(blank)!.message).toMatch(/Give the patient’s postcode district, the part of the postcode before the space \(e\.g\. "M20"\)/);
    const { pathway } = await step<{ pathway: unknown }>(api, `query($coi: ID!) { pathway(coi: $coi) { coi } }`, { coi });
    expect(pathway).toBeNull();

    const { referPatient } = await step<{ referPatient: { homeDistrict: string; stayDistrict: string } }>(api, REFER, referral('REACH-0', ' sk8 '));
    expect(referPatient).toMatchObject({ homeDistrict: 'SK8', stayDistrict: 'SK8' });
  });

  it('plans treatment only at centres within 120 min of the patient’s district, while collection may be elsewhere', async () => {
    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, REFER, referral('REACH-1', 'M20'));
    const { planOptions } = await step<{ planOptions: { treatmentCentre: string }[] }>(api, PLANS, { coi: referPatient.coi });
    expect(planOptions.length).toBeGreaterThan(0);
    const minutes = await minutesFrom('M20');
    // The demo records M20 as 15 min from The Christie and 90 from Leeds; London is not within four hours.
    expect(minutes.get('RBV01')).toBe(15);
    expect(minutes.has('RRV01')).toBe(false);
    for (const plan of planOptions) expect(minutes.get(plan.treatmentCentre)).toBeLessThanOrEqual(120);
  });

  it('tells the scheduler what to do for a patient beyond reach of every centre, and plans near the stay once one is arranged', async () => {
    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, REFER, referral('REACH-2', 'TR1'));
    const coi = referPatient.coi;
    const none = await api.gql(PLANS, { coi }, AS_SCHEDULER);
    expect(errorOf(none)).toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(errorOf(none)!.message).toMatch(/^No plan fits: No treatment centre is within reach of TR1, where the patient will stay: .*the patient must stay within 120 min of the centre for 28 days after infusion \(the nearest\)\. Arrange a stay near a centre for the monitoring period \(arrangeMonitoringStay\)/);

    // A dashboard cannot arrange it; a reason is needed; then the stay is recorded and planned from.
    expect(errorOf(await api.gql(ARRANGE, { coi, district: 'M20', reason: 'x' }, AS_DASHBOARD))).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(errorOf(await api.gql(ARRANGE, { coi, district: 'M20', reason: ' ' }, AS_SCHEDULER))).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'reason' } });
    const { arrangeMonitoringStay } = await step<{ arrangeMonitoringStay: object }>(api, ARRANGE, { coi, district: 'm20', reason: 'Hospital accommodation near The Christie for the monitoring period' });
    expect(arrangeMonitoringStay).toEqual({ coi, homeDistrict: 'TR1', stayDistrict: 'M20', stayReason: 'Hospital accommodation near The Christie for the monitoring period' });
    const { planOptions } = await step<{ planOptions: { treatmentCentre: string }[] }>(api, PLANS, { coi });
    const minutes = await minutesFrom('M20');
    expect(planOptions.length).toBeGreaterThan(0);
    for (const plan of planOptions) expect(minutes.get(plan.treatmentCentre)).toBeLessThanOrEqual(120);
  });

  it('refuses to start conditioning at a centre the patient’s district is no longer within reach of, and starts it once the stay is within reach', async () => {
    const booked = await referAndBook(api, 'REACH-3');
    expect(booked.plan.treatmentCentre).toBe('RBV01');
    const steps = plannedSteps(booked, await regimenOf(api, booked.coi));
    const start = steps.findIndex((s) => s.name === 'CONDITIONING_STARTED');
    for (const s of steps.slice(0, start)) await recordAt(api, s.at, s.query, s.variables);

    // A planner records M20 again, further than the process allows (a road closed for the month, say).
    const set = `mutation($input: DistrictTravelTimesInput!) { setDistrictTravelTimes(input: $input) { district siteCode minutes } }`;
    const input = { siteCode: 'RBV01', times: [{ district: 'M20', minutes: 150 }], reason: 'A6 closed at Stockport until next month' };
    expect(errorOf(await api.gql(set, { input }, AS_SCHEDULER))).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const saved = await api.gql<{ setDistrictTravelTimes: { district: string; minutes: number }[] }>(set, { input }, AS_PLANNER);
    expect(saved.errors).toBeUndefined();
    expect(saved.data!.setDistrictTravelTimes.find((t) => t.district === 'M20')).toMatchObject({ minutes: 150 });

    // The booking is at risk at once, before the day, with a repair that keeps the batch and treats within reach.
    const atRisk = async () =>
      (
        await step<{ atRiskPathways: { edges: { node: { pathway: { coi: string }; reasons: string[]; proposal: { treatmentCentre: string } | null } }[] } }>(
          api,
          `{ atRiskPathways(first: 50) { edges { node { pathway { coi } reasons proposal { treatmentCentre } } } } }`,
        )
      ).atRiskPathways.edges.map((e) => e.node).find((n) => n.pathway.coi === booked.coi);
    const flagged = await atRisk();
    expect(flagged?.reasons).toContain('the patient can no longer stay within reach of RBV01: M20 is 150 min from RBV01, and the patient must stay within 120 min of the centre for 28 days after infusion');
    expect((await minutesFrom('M20')).get(flagged!.proposal!.treatmentCentre)).toBeLessThanOrEqual(120);

    const conditioning = steps[start]!;
    if (api.clock.now() < conditioning.at) api.clock.set(conditioning.at); // never back: the confirmation was recorded at the same instant
    const refused = await api.gql(conditioning.query, conditioning.variables, AS_SCHEDULER);
    expect(errorOf(refused)).toMatchObject({ extensions: { code: 'CONFLICT', district: 'M20', siteCode: 'RBV01', minutes: 150, stayWithinReachMinutes: 120 } });
    expect(errorOf(refused)!.message).toBe(
      'Start of conditioning at RBV01 refused: M20 is 150 min from RBV01, and the patient must stay within 120 min of the centre for 28 days after infusion. ' +
        'Arrange a stay within reach of RBV01 (arrangeMonitoringStay), or repair the plan to a centre within reach of M20 (atRiskPathways / acceptRepair).',
    );
    const { pathway } = await step<{ pathway: { patientState: string } }>(api, `query($coi: ID!) { pathway(coi: $coi) { patientState } }`, { coi: booked.coi });
    expect(pathway.patientState).toBe('WAITING');

    // Staying in SK8 (Cheadle, 15 min from The Christie) for the month, the course starts.
    await step(api, ARRANGE, { coi: booked.coi, district: 'SK8', reason: 'Staying with family in Cheadle for the monitoring period' });
    expect(await atRisk()).toBeUndefined();
    await step(api, conditioning.query, conditioning.variables);
    const after = await step<{ pathway: { patientState: string } }>(api, `query($coi: ID!) { pathway(coi: $coi) { patientState } }`, { coi: booked.coi });
    expect(after.pathway.patientState).toBe('CONDITIONING');
  });
});
