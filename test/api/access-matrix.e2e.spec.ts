import { DataSource } from 'typeorm';
import { addDays, localDateOf } from '@bedside/shared';
import { referAndBook, step, type BookedPathway } from '../support/pathway-steps';
import { AS_DASHBOARD, AS_PLANNER, AS_QA, AS_SCHEDULER, startDemoApi, type Persona, type TestApi, testInstant } from '../support/test-api';

/** A scheduler at University College Hospital (RRV): another trust than the pathways below. */
const AS_OTHER_TRUST: Persona = { role: 'scheduler', trusts: ['RRV'], actor: 'coordinator@rrv' };

/** Denied callers first, so the allowed ones (which may change something) come last. */
const CALLERS = { dashboard: AS_DASHBOARD, planner: AS_PLANNER, otherTrust: AS_OTHER_TRUST, scheduler: AS_SCHEDULER, qa: AS_QA } as const;
type Caller = keyof typeof CALLERS;

const ALL: Caller[] = ['dashboard', 'planner', 'otherTrust', 'scheduler', 'qa'];
const PATIENT_LEVEL: Caller[] = ['planner', 'scheduler', 'qa'];
const OWN_TRUST_CLINICAL: Caller[] = ['scheduler', 'qa'];
const QA_ONLY: Caller[] = ['qa'];
/** Schedulers of any trust (who then see their own trusts' patients only) and QA. */
const TRUST_SCOPED_CLINICAL: Caller[] = ['otherTrust', 'scheduler', 'qa'];
const PLANNING: Caller[] = ['planner', 'qa'];
const PLANNER_ONLY: Caller[] = ['planner'];

const SCENARIO_WITH_NEGATIVE_DOSES = {
  name: 'x',
  asOf: '2027-01-04',
  days: 10,
  vaccineDemand: [{ region: 'LON', day: 0, doses: -1 }],
  fillFinish: { vialsPerHour: 300, dosesPerVial: 10, shiftsPerDay: 2, hoursPerShift: 8, effectiveOutputFactor: 0.7 },
  teardownDays: 0,
  setupDays: 0,
  requalificationDays: 0,
  releaseDays: 0,
};

interface Row {
  /** The root field this row covers (every Query and Mutation field must have one). */
  field: string;
  query: string;
  variables?: () => Record<string, unknown>;
  allowed: Caller[];
}

describe('who may do what: every query and mutation for every role', () => {
  let api: TestApi;
  let booked: BookedPathway;
  let held: { coi: string; holdId: string };
  let process: Record<string, unknown>;
  const today = localDateOf(testInstant(), 'Europe/London');
  const events = async () => Number((await api.app.get(DataSource).query('SELECT count(*) AS n FROM events'))[0].n);

  beforeAll(async () => {
    api = await startDemoApi();
    booked = await referAndBook(api, 'ACCESS-1');
    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'ACCESS-2', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'ROUTINE' },
    });
    const { planOptions } = await step<{ planOptions: { slots: unknown[] }[] }>(api, `query($coi: ID!) { planOptions(input: { coi: $coi }) { slots { resourceKey day session } } }`, { coi: referPatient.coi });
    const { holdPlan } = await step<{ holdPlan: { id: string } }>(api, `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, {
      input: { coi: referPatient.coi, slots: planOptions[0]!.slots, idempotencyKey: 'access-2' },
    });
    held = { coi: referPatient.coi, holdId: holdPlan.id };
    const fields = `productCode name startingMaterial maxFreshHoldHours apheresisSessions apheresisHoursPerSession manufactureDays qcMethod qcReleaseDays shelfLifeHours conditioningRegimen conditioningDays infusionWindowMinDays infusionWindowMaxDays conditioningGate reconditionAfterDays monitoringInpatientDays stayWithinReachDays stayWithinReachMinutes icuReserveProbability`;
    process = (await step<{ dmmf: { process: Record<string, unknown> } }>(api, `{ dmmf(productCode: "POC-CAR19") { process { ${fields} } } }`)).dmmf.process;
  });
  afterAll(() => api.close());

  const coi = () => ({ coi: booked.coi });
  const rows: Row[] = [
    // Network and capacity: everyone reads.
    { field: 'network', query: `{ network { controlSite { code } } }`, allowed: ALL },
    { field: 'site', query: `{ site(code: "RBV01") { code } }`, allowed: ALL },
    { field: 'unit', query: `{ unit(id: "MU-RBV01-COC1") { id } }`, allowed: ALL },
    { field: 'dmmf', query: `{ dmmf(productCode: "POC-CAR19") { version } }`, allowed: ALL },
    { field: 'dmmfVersions', query: `{ dmmfVersions(productCode: "POC-CAR19") { edges { node { version } } } }`, allowed: ALL },
    { field: 'resourceCalendar', query: `{ resourceCalendar(siteCode: "RBV01") { siteCode } }`, allowed: ALL },
    { field: 'travelTimes', query: `{ travelTimes(siteCode: "RBV01") { edges { node { hours } } } }`, allowed: ALL },
    { field: 'districtTravelTimes', query: `{ districtTravelTimes(district: "M20") { siteCode minutes } }`, allowed: ALL },
    { field: 'projections', query: `{ projections { name } }`, allowed: ALL },
    { field: 'capacity', query: `query($d: LocalDate!) { capacity(filter: {}, from: $d, to: $d, first: 5) { edges { node { free } } } }`, variables: () => ({ d: today }), allowed: ALL },
    { field: 'dailyCapacity', query: `query($d: LocalDate!) { dailyCapacity(filter: {}, from: $d, to: $d) { free } }`, variables: () => ({ d: today }), allowed: ALL },
    { field: 'utilisation', query: `query($d: LocalDate!) { utilisation(filter: {}, from: $d, to: $d) { capacity } }`, variables: () => ({ d: today }), allowed: ALL },
    { field: 'kpis', query: `{ kpis(filter: {}) { atRisk } }`, allowed: ALL },
    { field: 'auditTrail', query: `{ auditTrail(streamId: "site-RBV01") { edges { node { type } } } }`, allowed: ALL },
    // Patient-level reads: never dashboards; a scheduler only their own trust's.
    { field: 'auditTrail', query: `query($s: ID!) { auditTrail(streamId: $s) { edges { node { type } } } }`, variables: () => ({ s: `pathway-${booked.coi}` }), allowed: PATIENT_LEVEL },
    { field: 'streamVerification', query: `{ streamVerification(streamId: "site-RBV01") { intact } }`, allowed: ALL },
    { field: 'streamVerification', query: `query($s: ID!) { streamVerification(streamId: $s) { intact } }`, variables: () => ({ s: `pathway-${booked.coi}` }), allowed: PATIENT_LEVEL },
    { field: 'pathway', query: `query($coi: ID!) { pathway(coi: $coi) { coi } }`, variables: coi, allowed: PATIENT_LEVEL },
    { field: 'pathways', query: `{ pathways { edges { node { coi } } } }`, allowed: [...PATIENT_LEVEL, 'otherTrust'] },
    { field: 'planOptions', query: `query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { infusionDay } }`, variables: () => ({ coi: held.coi }), allowed: PATIENT_LEVEL },
    { field: 'atRiskPathways', query: `{ atRiskPathways { edges { node { reasons } } } }`, allowed: [...PATIENT_LEVEL, 'otherTrust'] },
    { field: 'waitlist', query: `{ waitlist { edges { node { place } } } }`, allowed: [...PATIENT_LEVEL, 'otherTrust'] },
    // The network itself: Control Site QA (sites, units, DMMFs) and planners (calendars, travel, holidays). Unknown codes keep the allowed calls harmless.
    { field: 'registerSite', query: `mutation { registerSite(input: { code: "ZZ901", name: "Nowhere", kind: HOSPITAL, location: { latitude: 99, longitude: 0 }, region: NEY }) { code } }`, allowed: QA_ONLY },
    { field: 'onboardSite', query: `mutation { onboardSite(code: "ZZ901") { code } }`, allowed: QA_ONLY },
    { field: 'activateSite', query: `mutation { activateSite(code: "ZZ901") { code } }`, allowed: QA_ONLY },
    { field: 'pauseSite', query: `mutation { pauseSite(code: "ZZ901", reason: "x") { code } }`, allowed: QA_ONLY },
    { field: 'suspendSite', query: `mutation { suspendSite(code: "ZZ901", reason: "x") { code } }`, allowed: QA_ONLY },
    { field: 'ceaseSite', query: `mutation { ceaseSite(code: "ZZ901", reason: "x") { code } }`, allowed: QA_ONLY },
    { field: 'registerUnit', query: `mutation { registerUnit(input: { id: "MU-ZZ-1", name: "x", kind: CELL_THERAPY, mobility: FIXED, batchCapacity: 1, homeSiteCode: "ZZ901" }) { id } }`, allowed: QA_ONLY },
    { field: 'setUnitQualification', query: `mutation { setUnitQualification(id: "MU-ZZ-1", state: QUALIFIED, reason: "x") { id } }`, allowed: QA_ONLY },
    { field: 'setSiteRegion', query: `mutation { setSiteRegion(code: "ZZ901", region: NW, reason: "x") { code } }`, allowed: QA_ONLY },
    { field: 'deployUnit', query: `mutation { deployUnit(input: { unitId: "MU-ZZ-1", toSiteCode: "RBV01", leavesOn: "2099-01-01", requalificationDays: 0, reason: "x" }) { id } }`, allowed: QA_ONLY },
    { field: 'recallUnit', query: `mutation { recallUnit(unitId: "MU-ZZ-1", reason: "x") { id } }`, allowed: QA_ONLY },
    { field: 'deployments', query: `{ deployments { edges { node { id } } } }`, allowed: ALL },
    // A valid process designating a site that does not exist: refused after the access check.
    { field: 'publishDmmfVersion', query: `mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { version } }`, variables: () => ({ input: { process: { ...process, productCode: 'ZZ-TEST' }, designation: { siteCodes: ['ZZ901'], unitIds: [] }, reason: 'x' } }), allowed: QA_ONLY },
    { field: 'setResourceCalendar', query: `mutation($input: ResourceCalendarInput!) { setResourceCalendar(input: $input) { siteCode } }`, variables: () => ({ input: { siteCode: 'ZZ901', resource: 'APHERESIS_CHAIR', count: 1, openingDays: ['MON'], sessions: [], effectiveFrom: today } }), allowed: PLANNING },
    { field: 'addCalendarException', query: `mutation { addCalendarException(input: { siteCode: "ZZ901", kind: OUTAGE, from: "2027-01-04", to: "2027-01-04", reason: "x" }) { siteCode } }`, allowed: PLANNING },
    { field: 'withdrawCalendarException', query: `mutation { withdrawCalendarException(exceptionId: "none", siteCode: "ZZ901", reason: "x") { siteCode } }`, allowed: PLANNING },
    { field: 'setTravelTime', query: `mutation { setTravelTime(input: { fromSiteCode: "ZZ901", toSiteCode: "RBV01", hours: 1, freshCourier: true }) { hours } }`, allowed: PLANNING },
    { field: 'setDistrictTravelTimes', query: `mutation { setDistrictTravelTimes(input: { siteCode: "ZZ901", times: [{ district: "M20", minutes: 10 }] }) { minutes } }`, allowed: PLANNING },
    { field: 'declareBankHolidays', query: `mutation { declareBankHolidays(region: "Not A Region", dates: ["2027-01-04"]) }`, allowed: PLANNING },
    // Patients: the referring trust's schedulers and QA. Inputs are out of order or invalid, so allowed calls change nothing.
    { field: 'referPatient', query: `mutation { referPatient(input: { patientRef: "X", homeDistrict: "M20", referringTrust: "RBV", productCode: "NO-SUCH", washout: { drugClass: NONE }, priority: ROUTINE }) { coi } }`, allowed: OWN_TRUST_CLINICAL },
    { field: 'holdPlan', query: `mutation($coi: ID!, $d: LocalDate!) { holdPlan(input: { coi: $coi, idempotencyKey: "again", slots: [{ resourceKey: "site:RBV01:APHERESIS_CHAIR", day: $d, session: "AM" }] }) { id } }`, variables: () => ({ ...coi(), d: addDays(today, 30) }), allowed: OWN_TRUST_CLINICAL },
    { field: 'confirmHold', query: `mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "confirm") { status } }`, variables: () => ({ id: booked.holdId }), allowed: OWN_TRUST_CLINICAL },
    { field: 'releaseHold', query: `mutation($id: ID!) { releaseHold(holdId: $id, reason: "Consultant chose another date") { status } }`, variables: () => ({ id: held.holdId }), allowed: OWN_TRUST_CLINICAL },
    { field: 'recordCollection', query: `mutation($coi: ID!) { recordCollection(input: { coi: $coi, siteCode: "RBV01", sessions: 0 }) { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'recordHandover', query: `mutation($coi: ID!) { recordHandover(input: { coi: $coi, handover: SHIPPED, from: "a", to: "b", siteCode: "RBV01", condition: "ok", scannedCoi: "WRONG" }) { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'startManufacture', query: `mutation($coi: ID!) { startManufacture(coi: $coi, input: { siteCode: "RBV01", unitId: "MU-RBV01-COC1" }) { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'completeManufacture', query: `mutation($coi: ID!) { completeManufacture(coi: $coi, siteCode: "RBV01") { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'failManufacture', query: `mutation($coi: ID!) { failManufacture(coi: $coi, siteCode: "RBV01", reason: "x") { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'releaseProduct', query: `mutation($coi: ID!) { releaseProduct(coi: $coi, input: { siteCode: "RBV01" }) { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'failQc', query: `mutation($coi: ID!) { failQc(coi: $coi, siteCode: "RBV01", reason: "x") { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'confirmProductAvailability', query: `mutation($coi: ID!) { confirmProductAvailability(coi: $coi, siteCode: "RBV01") { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'startConditioning', query: `mutation($coi: ID!) { startConditioning(coi: $coi, siteCode: "RBV01") { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'recordConditioningDose', query: `mutation($coi: ID!) { recordConditioningDose(coi: $coi, siteCode: "RBV01", day: -5) { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'recordThaw', query: `mutation($coi: ID!) { recordThaw(coi: $coi, siteCode: "RBV01") { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'recordInfusion', query: `mutation($coi: ID!) { recordInfusion(input: { coi: $coi, siteCode: "RBV01", productCoi: "WRONG" }) { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'dischargeFromMonitoring', query: `mutation($coi: ID!) { dischargeFromMonitoring(coi: $coi, siteCode: "RBV01") { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'withdrawPathway', query: `mutation($coi: ID!) { withdrawPathway(coi: $coi, reason: " ") { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'postponePatient', query: `mutation($coi: ID!, $d: LocalDate!) { postponePatient(coi: $coi, until: $d, reason: "x") { status } }`, variables: () => ({ ...coi(), d: addDays(today, -1) }), allowed: OWN_TRUST_CLINICAL },
    // The allowed calls give the district the patient already stays in, so they change nothing.
    { field: 'arrangeMonitoringStay', query: `mutation($coi: ID!) { arrangeMonitoringStay(coi: $coi, district: "M20", reason: "x") { stayDistrict } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    // Batches and the safety lookback (issue 14 §1): each scheduler sees their own trusts' patients' batches.
    { field: 'batch', query: `{ batch(batchId: "NO-SUCH-BATCH") { batchId } }`, allowed: TRUST_SCOPED_CLINICAL },
    { field: 'batchLookback', query: `{ batchLookback(filter: { unitId: "MU-RBV01-COC1" }) { edges { node { batchId coi } } } }`, allowed: TRUST_SCOPED_CLINICAL },
    { field: 'reportAdverseEvent', query: `mutation($coi: ID!) { reportAdverseEvent(input: { coi: $coi, occurredAt: "2099-01-01T00:00:00Z", seriousness: SERIOUS, description: "x" }) { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    // Corrections (issue 14 §3): an event id that is not the pathway's, so the allowed calls change nothing.
    { field: 'correctStep', query: `mutation($coi: ID!) { correctStep(input: { coi: $coi, eventId: "no-such-event", sessions: 2, reason: "x" }) { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'markEnteredInError', query: `mutation($coi: ID!) { markEnteredInError(input: { coi: $coi, eventId: "no-such-event", reason: "x" }) { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    { field: 'acceptRepair', query: `mutation($coi: ID!) { acceptRepair(coi: $coi, proposalId: "none") { status } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
    // Surge scenarios (issue 13): planners write them, planners and QA read them. Invalid input keeps the allowed calls harmless.
    { field: 'scenario', query: `{ scenario(id: "none") { id } }`, allowed: PLANNING },
    { field: 'scenarios', query: `{ scenarios { edges { node { id } } } }`, allowed: PLANNING },
    { field: 'scenarioRun', query: `{ scenarioRun(id: "none") { id } }`, allowed: PLANNING },
    { field: 'compareRuns', query: `{ compareRuns(ids: ["none", "nor-this"]) { bestRunId } }`, allowed: PLANNING },
    { field: 'commitScenarioPlan', query: `mutation { commitScenarioPlan(runId: "no-such-run") { id } }`, allowed: QA_ONLY },
    { field: 'runScenario', query: `mutation { runScenario(id: "no-such-scenario", input: { timeLimitSeconds: 0 }) { id } }`, allowed: PLANNER_ONLY },
    { field: 'createScenario', query: `mutation($input: ScenarioInput!) { createScenario(input: $input) { id } }`, variables: () => ({ input: SCENARIO_WITH_NEGATIVE_DOSES }), allowed: PLANNER_ONLY },
    { field: 'updateScenario', query: `mutation($input: ScenarioInput!) { updateScenario(id: "none", input: $input) { id } }`, variables: () => ({ input: SCENARIO_WITH_NEGATIVE_DOSES }), allowed: PLANNER_ONLY },
    { field: 'joinWaitlist', query: `mutation($coi: ID!) { joinWaitlist(coi: $coi) { place } }`, variables: coi, allowed: OWN_TRUST_CLINICAL },
  ];

  it('covers every root field of the schema', async () => {
    const { data } = await api.gql(`{ q: __type(name: "Query") { fields { name } } m: __type(name: "Mutation") { fields { name } } }`);
    const fields = [...data!.q.fields, ...data!.m.fields].map((f: { name: string }) => f.name).sort();
    expect([...new Set(rows.map((r) => r.field))].sort()).toEqual(fields);
  });

  it.each(rows.map((row) => [row.field, row] as const))('%s: allowed exactly to the roles that should have it, and a refusal writes nothing', async (_field, row) => {
    const outcome: Record<string, string> = {};
    for (const caller of Object.keys(CALLERS) as Caller[]) {
      const before = await events();
      const result = await api.gql(row.query, row.variables?.() ?? {}, CALLERS[caller]);
      const error = result.errors?.[0];
      const code = error?.extensions.code;
      // Allowed means the resolver ran and passed the access checks: a later not-found, invalid or out-of-order
      // answer still counts. An error without a path never reached a resolver (the row's query is wrong).
      outcome[caller] = error && !error.path ? `query rejected: ${error.message}` : code === 'FORBIDDEN' || code === 'UNAUTHENTICATED' ? code : 'allowed';
      if (code === 'FORBIDDEN') {
        expect(Object.values(result.data ?? {}).every((v) => v === null)).toBe(true);
        expect(await events()).toBe(before);
      }
      expect(code).not.toBe('INTERNAL_SERVER_ERROR');
    }
    expect(outcome).toEqual(Object.fromEntries((Object.keys(CALLERS) as Caller[]).map((c) => [c, row.allowed.includes(c) ? 'allowed' : 'FORBIDDEN'])));
  });
});

describe('trust scoping of what a scheduler sees', () => {
  let api: TestApi;
  let booked: BookedPathway;
  beforeAll(async () => {
    api = await startDemoApi();
    booked = await referAndBook(api, 'SCOPE-1');
  });
  afterAll(() => api.close());

  it('lists only their own trust’s pathways, and refuses a filter for another trust', async () => {
    const own = await api.gql(`{ pathways { edges { node { coi referringTrust } } } }`, {}, AS_SCHEDULER);
    expect(own.data!.pathways.edges.map((e: { node: { coi: string } }) => e.node.coi)).toEqual([booked.coi]);
    const other = await api.gql(`{ pathways { edges { node { coi } } } }`, {}, AS_OTHER_TRUST);
    expect(other.data!.pathways.edges).toEqual([]);
    const filtered = await api.gql(`{ pathways(filter: { referringTrust: "RBV" }) { edges { node { coi } } } }`, {}, AS_OTHER_TRUST);
    expect(filtered.errors![0]!.extensions.code).toBe('FORBIDDEN');
    expect(filtered.errors![0]!.message).not.toMatch(booked.coi);
  });

  it('shows other trusts’ capacity as free or busy only, and their utilisation not at all', async () => {
    const day = booked.plan.collectionDays[0]!;
    const read = async (persona: Persona) =>
      (await api.gql(`query($d: LocalDate!) { capacity(filter: { siteCodes: ["RBV01", "RRV01"], resources: [APHERESIS_CHAIR] }, from: $d, to: $d) { edges { node { siteCode session committed tentative free freeBusyOnly } } } }`, { d: day }, persona)).data!.capacity.edges.map(
        (e: { node: Record<string, unknown> }) => e.node,
      );
    const mine = await read(AS_SCHEDULER);
    expect(mine.filter((n: { siteCode: string }) => n.siteCode === 'RBV01').every((n: { freeBusyOnly: boolean; committed: number | null }) => !n.freeBusyOnly && n.committed !== null)).toBe(true);
    const theirs = await read(AS_OTHER_TRUST);
    const rbvAsOther = theirs.filter((n: { siteCode: string }) => n.siteCode === 'RBV01');
    expect(rbvAsOther.length).toBeGreaterThan(0);
    for (const n of rbvAsOther) expect(n).toMatchObject({ committed: null, tentative: null, freeBusyOnly: true, free: expect.any(Number) });
    for (const n of rbvAsOther) expect(n.free).toBeLessThanOrEqual(1);
    expect(theirs.filter((n: { siteCode: string }) => n.siteCode === 'RRV01').every((n: { freeBusyOnly: boolean }) => !n.freeBusyOnly)).toBe(true);
    // A network planner sees everything.
    expect((await read(AS_PLANNER)).every((n: { freeBusyOnly: boolean }) => !n.freeBusyOnly)).toBe(true);

    const sites = async (persona: Persona) =>
      new Set<string>((await api.gql(`query($d: LocalDate!) { utilisation(filter: {}, from: $d, to: $d) { siteCode } }`, { d: day }, persona)).data!.utilisation.map((r: { siteCode: string }) => r.siteCode));
    expect([...(await sites(AS_SCHEDULER))].every((s) => s.startsWith('RBV'))).toBe(true);
    expect((await sites(AS_PLANNER)).has('RRV01')).toBe(true);
  });

  it('keeps another trust’s pathway out of reach by id, by audit trail and in the at-risk list', async () => {
    for (const query of [`query($coi: ID!) { pathway(coi: $coi) { coi } }`, `query($coi: ID!) { planOptions(input: { coi: $coi }) { infusionDay } }`]) {
      const result = await api.gql(query, { coi: booked.coi }, AS_OTHER_TRUST);
      expect(result.errors![0]!.extensions.code).toBe('FORBIDDEN');
      expect(JSON.stringify(result)).not.toMatch(/SCOPE-1|RBV01/);
    }
    expect((await api.gql(`{ auditTrail(streamId: "pathway-${booked.coi}") { edges { node { type } } } }`, {}, AS_OTHER_TRUST)).errors![0]!.extensions.code).toBe('FORBIDDEN');
    expect((await api.gql(`{ auditTrail(streamId: "hold-${booked.holdId}") { edges { node { type } } } }`, {}, AS_OTHER_TRUST)).errors![0]!.extensions.code).toBe('FORBIDDEN');
    expect((await api.gql(`{ streamVerification(streamId: "pathway-${booked.coi}") { intact } }`, {}, AS_OTHER_TRUST)).errors![0]!.extensions.code).toBe('FORBIDDEN');
    const slot = booked.plan.slots[0]!;
    const slotStream = `slot-${slot.resourceKey}-${slot.day}-${slot.session || 'day'}`;
    expect((await api.gql(`query($s: ID!) { auditTrail(streamId: $s) { edges { node { type } } } }`, { s: slotStream }, AS_SCHEDULER)).errors![0]!.extensions.code).toBe('FORBIDDEN');
    expect((await api.gql(`query($s: ID!) { auditTrail(streamId: $s) { edges { node { type } } } }`, { s: slotStream }, AS_PLANNER)).errors).toBeUndefined();

    await api.gql(`mutation($id: ID!) { setUnitQualification(id: $id, state: OUT_OF_SERVICE, reason: "Door seal") { qualification } }`, { id: booked.plan.unitId });
    const atRisk = async (persona: Persona) => (await api.gql(`{ atRiskPathways { edges { node { pathway { coi } } } } }`, {}, persona)).data!.atRiskPathways.edges.length;
    expect(await atRisk(AS_SCHEDULER)).toBe(1);
    expect(await atRisk(AS_OTHER_TRUST)).toBe(0);
  });

  it('records the trust acted for on every event a scheduler causes', async () => {
    const audit = await api.gql(`{ auditTrail(streamId: "pathway-${booked.coi}") { edges { node { type actor role onBehalfOf } } } }`, {}, AS_SCHEDULER);
    for (const { node } of audit.data!.auditTrail.edges) expect(node).toMatchObject({ actor: 'coordinator@rbv', role: 'scheduler', onBehalfOf: 'RBV' });
  });
});
