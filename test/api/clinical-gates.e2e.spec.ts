import { DateTime } from 'luxon';
import { addDays, localDateOf } from '@bedside/shared';
import { atEndOf, collectAndDeliver, plannedSteps, referAndBook, regimenOf, step, walkThePlan, type PlannedStep, type Slot } from '../support/pathway-steps';
import { AS_SCHEDULER, startDemoApi, type GraphQLResponse, type TestApi } from '../support/test-api';

/**
 * Issue 11's examples, each driven through the API the way a trust would, at the suite's pinned instant
 * (npm run test:instants runs it at each of them): nothing in the past, gates at every step, and steps
 * dated when they happened.
 */
const HOUR = 3_600_000;
const LONDON = 'Europe/London';

/** The step as recorded later, with when it happened and why it is late (issue 11 §2). */
function recordedLate(s: PlannedStep, lateReason: string): { query: string; variables: Record<string, unknown> } {
  const occurredAt = s.at.toISOString();
  let query = s.query.replace('mutation(', 'mutation($occurredAt: DateTime!, $lateReason: String!, ');
  const variables: Record<string, unknown> = { ...s.variables, occurredAt, lateReason };
  if (query.includes('(input: $input)')) variables.input = { ...(s.variables.input as object), occurredAt, lateReason };
  else if (query.includes('input: {')) query = query.replace('input: {', 'input: { occurredAt: $occurredAt, lateReason: $lateReason,');
  else query = query.replace('(coi: $coi', '(coi: $coi, occurredAt: $occurredAt, lateReason: $lateReason');
  if (query.includes('(input: $input)')) query = query.replace('$occurredAt: DateTime!, $lateReason: String!, ', '');
  return { query, variables };
}

describe('issue 11: what a trust found, refused or recorded as it happened', () => {
  let api: TestApi;
  const errorOf = (result: GraphQLResponse) => result.errors?.[0];

  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('lays a unit’s capacity out for 400 days from the day the clock says it was registered, not the day the log was written', async () => {
    // The demo network was registered at the suite's instant, which may be months from the real date.
    const seeded = localDateOf(api.clock.now(), LONDON);
    const { capacity } = await step<{ capacity: { edges: { node: { day: string } }[] } }>(
      api,
      `query($from: LocalDate!, $to: LocalDate!) { capacity(filter: { unitIds: ["MU-RBV01-COC1"] }, from: $from, to: $to, first: 10) { edges { node { day } } } }`,
      { from: addDays(seeded, 398), to: addDays(seeded, 400) },
    );
    expect(capacity.edges.map((e) => e.node.day)).toEqual([addDays(seeded, 398), addDays(seeded, 399)]);
  });

  it('at 18:27 offers no session of that morning, plans a referral whose earliest day has passed from today, and refuses to hold a begun session', async () => {
    const { referPatient } = await step<{ referPatient: { coi: string; earliestCollectionDate: string } }>(
      api,
      `mutation($input: ReferralInput!) { referPatient(input: $input) { coi earliestCollectionDate } }`,
      { input: { patientRef: 'PAST-1', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'URGENT' } },
    );
    // The first later day The Christie's chairs are open: the clock moves to 18:27 that evening, after its sessions began.
    const from = addDays(localDateOf(api.clock.now(), LONDON), 1);
    const { capacity } = await step<{ capacity: { edges: { node: { day: string; session: string; capacity: number; startsAt: string } }[] } }>(
      api,
      `query($from: LocalDate!, $to: LocalDate!) { capacity(filter: { siteCodes: ["RBV01"], resources: [APHERESIS_CHAIR] }, from: $from, to: $to, first: 200) { edges { node { day session capacity startsAt } } } }`,
      { from, to: addDays(from, 14) },
    );
    const open = capacity.edges.map((e) => e.node).find((n) => n.capacity > 0)!;
    const evening = DateTime.fromISO(`${open.day}T18:27`, { zone: LONDON }).toJSDate();
    expect(Date.parse(open.startsAt)).toBeLessThan(evening.getTime());
    api.clock.set(evening);
    expect(referPatient.earliestCollectionDate < open.day).toBe(true);

    const { planOptions } = await step<{ planOptions: { collectionDays: string[]; steps: { kind: string; start: string }[]; slots: Slot[] }[] }>(
      api,
      `query($coi: ID!) { planOptions(input: { coi: $coi, count: 3 }) { collectionDays steps { kind start } slots { resourceKey day session } } }`,
      { coi: referPatient.coi },
    );
    expect(planOptions.length).toBeGreaterThan(0);
    for (const plan of planOptions) {
      expect(plan.collectionDays[0]! >= open.day).toBe(true);
      for (const s of plan.steps) expect(Date.parse(s.start)).toBeGreaterThan(evening.getTime());
    }
    // That morning's session, put in place of the plan's own collection: refused, naming it.
    const begun = { resourceKey: 'site:RBV01:APHERESIS_CHAIR', day: open.day, session: open.session };
    const slots = planOptions[0]!.slots.map((s) => (s.resourceKey.endsWith(':APHERESIS_CHAIR') ? begun : s));
    const held = await api.gql(`mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, { input: { coi: referPatient.coi, slots, idempotencyKey: 'past-1' } }, AS_SCHEDULER);
    expect(errorOf(held)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'slots', slot: begun } });
    expect(errorOf(held)!.message).toMatch(new RegExp(`^RBV01 APHERESIS_CHAIR on ${open.day} \\(${open.session}\\) began at .*: a plan cannot start in the past`));
  });

  it('refuses manufacture on a unit that does not exist at a site that does not exist while the booked unit is out of service, and the pathway stays at risk', async () => {
    const booked = await referAndBook(api, 'GATE-NOUNIT');
    atEndOf(api, booked, 'APHERESIS');
    await collectAndDeliver(api, booked);
    const unitId = booked.plan.unitId;
    const out = await api.gql(`mutation($id: ID!) { setUnitQualification(id: $id, state: OUT_OF_SERVICE, reason: "Door seal") { qualification } }`, { id: unitId });
    expect(out.errors).toBeUndefined();
    try {
      const started = await api.gql(
        `mutation($coi: ID!) { startManufacture(coi: $coi, input: { siteCode: "ZZZ99", unitId: "MU-DOES-NOT-EXIST" }) { status } }`,
        { coi: booked.coi },
        AS_SCHEDULER,
      );
      expect(errorOf(started)).toMatchObject({ extensions: { code: 'CONFLICT', bookedUnitIds: [unitId] } });
      expect(errorOf(started)!.message).toMatch(new RegExp(`^MU-DOES-NOT-EXIST is not the booked unit: this batch is booked on ${unitId}`));
      // On the booked unit itself, while it is out of service: refused too, saying what to do.
      const onBooked = await api.gql(
        `mutation($coi: ID!, $unit: String!, $site: String!) { startManufacture(coi: $coi, input: { siteCode: $site, unitId: $unit }) { status } }`,
        { coi: booked.coi, unit: unitId, site: booked.plan.unitSiteCode },
        AS_SCHEDULER,
      );
      expect(errorOf(onBooked)!.message).toMatch(new RegExp(`^${unitId} is OUT_OF_SERVICE: requalify it or accept the repair in atRiskPathways`));
      const { atRiskPathways } = await step<{ atRiskPathways: { edges: { node: { pathway: { coi: string; status: string } } }[] } }>(api, `{ atRiskPathways(first: 100) { edges { node { pathway { coi status } } } } }`);
      expect(atRiskPathways.edges.map((e) => e.node.pathway)).toContainEqual({ coi: booked.coi, status: 'RECEIVED' });
    } finally {
      await api.gql(`mutation($id: ID!) { setUnitQualification(id: $id, state: QUALIFIED, reason: "Seal replaced") { qualification } }`, { id: unitId });
    }
  });

  it('refuses to release a booking whose batch is in manufacture, naming the ways out, and keeps its beds', async () => {
    const booked = await referAndBook(api, 'GATE-RELEASE');
    await walkThePlan(api, booked, { through: 'MANUFACTURE_STARTED' });
    const released = await api.gql(`mutation($id: ID!) { releaseHold(holdId: $id, reason: "Changed our minds") { status } }`, { id: booked.holdId }, AS_SCHEDULER);
    expect(errorOf(released)!.extensions.code).toBe('CONFLICT');
    expect(errorOf(released)!.message).toMatch(/cannot be released as collection is recorded: the ways out are repair \(atRiskPathways \/ acceptRepair\) or withdrawal \(withdrawPathway\)\.$/);
    const { pathway } = await step<{ pathway: { status: string; holdId: string } }>(api, `query($coi: ID!) { pathway(coi: $coi) { status holdId } }`, { coi: booked.coi });
    expect(pathway).toEqual({ status: 'IN_MANUFACTURE', holdId: booked.holdId });
    const bed = booked.plan.slots.find((s) => s.resourceKey.endsWith(':MONITORING_BED'))!;
    const { capacity } = await step<{ capacity: { edges: { node: { committed: number } }[] } }>(
      api,
      `query($site: String!, $day: LocalDate!) { capacity(filter: { siteCodes: [$site], resources: [MONITORING_BED] }, from: $day, to: $day) { edges { node { committed } } } }`,
      { site: bed.resourceKey.split(':')[1], day: bed.day },
    );
    expect(capacity.edges[0]!.node.committed).toBeGreaterThanOrEqual(1);
  });

  it('starts the 36 h fresh hold when a collection recorded four hours late happened, and asks why it is late', async () => {
    const booked = await referAndBook(api, 'GATE-LATE');
    const [collection, shipped, received] = plannedSteps(booked, await regimenOf(api, booked.coi));
    const apheresis = booked.plan.steps.find((s) => s.kind === 'APHERESIS')!;
    api.clock.set(new Date(collection!.at.getTime() + 4 * HOUR));
    const noReason = await api.gql(
      `mutation($coi: ID!, $site: String!, $at: DateTime!) { recordCollection(input: { coi: $coi, siteCode: $site, sessions: 1, occurredAt: $at }) { status } }`,
      { coi: booked.coi, site: booked.plan.apheresisCentre, at: collection!.at.toISOString() },
      AS_SCHEDULER,
    );
    expect(errorOf(noReason)).toMatchObject({ message: 'Collection is recorded 4 h after it happened: say why (lateReason).', extensions: { code: 'BAD_USER_INPUT', field: 'lateReason' } });
    await step(
      api,
      `mutation($coi: ID!, $site: String!, $at: DateTime!) { recordCollection(input: { coi: $coi, siteCode: $site, sessions: 1, occurredAt: $at, lateReason: "Ward system down" }) { status } }`,
      { coi: booked.coi, site: booked.plan.apheresisCentre, at: collection!.at.toISOString() },
    );
    const trail = await step<{ auditTrail: { edges: { node: { type: string; reason: string | null } }[] } }>(api, `{ auditTrail(streamId: "pathway-${booked.coi}") { edges { node { type reason } } } }`);
    expect(trail.auditTrail.edges.at(-1)!.node).toEqual({ type: 'CollectionRecorded', reason: 'Ward system down' });
    for (const s of [shipped!, received!]) await step(api, s.query, s.variables);
    // 36 h and a minute after the first session began: 32 h after the collection was typed, but the hold has ended.
    api.clock.set(new Date(Date.parse(apheresis.start) + 36 * HOUR + 60_000));
    const started = await api.gql(
      `mutation($coi: ID!, $unit: String!, $site: String!) { startManufacture(coi: $coi, input: { siteCode: $site, unitId: $unit }) { status } }`,
      { coi: booked.coi, unit: booked.plan.unitId, site: booked.plan.unitSiteCode },
      AS_SCHEDULER,
    );
    expect(errorOf(started)!.extensions.code).toBe('STEP_OUT_OF_ORDER');
    expect(errorOf(started)!.message).toMatch(/held 36\.0 h since its first collection session began .*, beyond its 36 h hold/);
  });

  it('counts the plan’s vein-to-vein days for a patient whose every step is entered in one sitting, each when it happened', async () => {
    const booked = await referAndBook(api, 'GATE-SITTING', 'CRYO-CAR19');
    const steps = plannedSteps(booked, await regimenOf(api, booked.coi));
    api.clock.set(new Date(steps.at(-1)!.at.getTime() + 2 * HOUR));
    for (const s of steps) {
      const { query, variables } = recordedLate(s, 'Entered from the paper record after the network outage');
      await step(api, query, variables);
    }
    const at = (name: string) => steps.find((s) => s.name === name)!.at.getTime();
    const { kpis } = await step<{ kpis: { timelines: { infused: number; veinToVeinMedianDays: number }[] } }>(api, `{ kpis(filter: { productCode: "CRYO-CAR19" }) { timelines { infused veinToVeinMedianDays } } }`);
    const days = (at('INFUSED') - at('COLLECTION')) / 86_400_000;
    expect(kpis.timelines).toContainEqual({ infused: expect.any(Number), veinToVeinMedianDays: expect.any(Number) });
    const mine = kpis.timelines.find((t) => Math.abs(t.veinToVeinMedianDays - days) < 1e-6);
    expect(mine).toBeDefined();
    expect(days).toBeGreaterThan(booked.plan.veinToVeinDays - 1);
  });

  it('refuses a handover kind typed as free text, and collection nine days before the washout ends', async () => {
    const booked = await referAndBook(api, 'GATE-KIND');
    atEndOf(api, booked, 'APHERESIS');
    await step(api, `mutation($coi: ID!, $site: String!) { recordCollection(input: { coi: $coi, siteCode: $site, sessions: 1 }) { status } }`, { coi: booked.coi, site: booked.plan.apheresisCentre });
    const lowerCase = await api.gql(
      `mutation($coi: ID!, $site: String!) { recordHandover(input: { coi: $coi, handover: shipped, from: "a", to: "b", siteCode: $site, condition: "ok", scannedCoi: $coi }) { status } }`,
      { coi: booked.coi, site: booked.plan.apheresisCentre },
      AS_SCHEDULER,
    );
    expect(errorOf(lowerCase)!.extensions.code).toBe('BAD_USER_INPUT');
    expect(errorOf(lowerCase)!.message).toMatch(/HandoverKind/);
    const { pathway } = await step<{ pathway: { productState: string } }>(api, `query($coi: ID!) { pathway(coi: $coi) { productState } }`, { coi: booked.coi });
    expect(pathway.productState).toBe('COLLECTED');

    // A referral whose 14-day washout ends in nine days, booked from then, collected today.
    const today = localDateOf(api.clock.now(), LONDON);
    const washed = await referAndBook(api, 'GATE-WASHOUT', 'POC-CAR19', 'RBV01', { drugClass: 'CYTOTOXIC_CHEMOTHERAPY', lastDoseDate: addDays(today, -5) });
    const early = await api.gql(`mutation($coi: ID!, $site: String!) { recordCollection(input: { coi: $coi, siteCode: $site, sessions: 1 }) { status } }`, { coi: washed.coi, site: washed.plan.apheresisCentre }, AS_SCHEDULER);
    expect(errorOf(early)).toMatchObject({ extensions: { code: 'STEP_OUT_OF_ORDER', earliestCollectionDate: addDays(today, 9) } });
    expect(errorOf(early)!.message).toMatch(new RegExp(`the washout ends on ${addDays(today, 9)}, and this collection is dated ${today}`));
  });

  it('refuses an infusion once the conditioning course has lapsed, and a new course before it has (issue 14 §4)', async () => {
    // The frozen product: infused 2 to 14 days after the last dose, a new course once 14 days have passed.
    const booked = await referAndBook(api, 'GATE-RECONDITION', 'CRYO-CAR19');
    const walked = await walkThePlan(api, booked, { through: 'DOSE' });
    const lastDoseOn = localDateOf(walked.at(-1)!.at, LONDON);
    const at = (day: string) => DateTime.fromISO(`${day}T10:00`, { zone: LONDON }).toJSDate();
    const site = booked.plan.treatmentCentre;

    api.clock.set(at(addDays(lastDoseOn, 15)));
    const late = await api.gql(`mutation($input: InfusionInput!) { recordInfusion(input: $input) { status } }`, { input: { coi: booked.coi, siteCode: site, productCoi: booked.coi } }, AS_SCHEDULER);
    expect(errorOf(late)).toMatchObject({ extensions: { code: 'STEP_OUT_OF_ORDER', latestInfusionDay: addDays(lastDoseOn, 14) } });
    expect(errorOf(late)!.message).toContain(`a new conditioning course is needed, which may start from ${addDays(lastDoseOn, 15)} (startConditioning)`);

    const START = `mutation($coi: ID!, $site: String!, $at: DateTime) { startConditioning(coi: $coi, siteCode: $site, occurredAt: $at) { patientState } }`;
    const early = await api.gql(START, { coi: booked.coi, site, at: at(addDays(lastDoseOn, 14)).toISOString() }, AS_SCHEDULER);
    expect(errorOf(early)).toMatchObject({ extensions: { code: 'STEP_OUT_OF_ORDER', reconditionFrom: addDays(lastDoseOn, 15) } });
    const again = await step<{ startConditioning: { patientState: string } }>(api, START, { coi: booked.coi, site, at: null });
    expect(again.startConditioning.patientState).toBe('CONDITIONING');
    const trail = await step<{ auditTrail: { edges: { node: { type: string; data: { course?: number } } }[] } }>(api, `query($s: ID!) { auditTrail(streamId: $s, first: 100) { edges { node { type data } } } }`, {
      s: `pathway-${booked.coi}`,
    });
    expect(trail.auditTrail.edges.map((e) => e.node).filter((n) => n.type === 'ConditioningStarted').map((n) => n.data.course ?? 1)).toEqual([1, 2]);
  });
  it('infuses frozen product only once thawed at the bedside, and within 30 minutes of the thaw (issue 14 §4)', async () => {
    // The rule: frozen product is thawed when the patient is ready, and infused within the process's thawedShelfLifeMinutes.
    const booked = await referAndBook(api, 'GATE-THAW', 'CRYO-CAR19');
    await walkThePlan(api, booked, { through: 'DOSE' });
    const steps = plannedSteps(booked, await regimenOf(api, booked.coi));
    const thaw = steps.find((s) => s.name === 'THAWED')!;
    const infusion = steps.find((s) => s.name === 'INFUSED')!;
    api.clock.set(thaw.at);
    const unthawed = await api.gql(infusion.query, infusion.variables, AS_SCHEDULER);
    expect(errorOf(unthawed)).toMatchObject({ extensions: { code: 'STEP_OUT_OF_ORDER' }, message: expect.stringMatching(/this product is frozen: record the thaw at the bedside first \(recordThaw\), then infuse within 30 minutes/) });
    await step(api, `mutation($coi: ID!, $site: String!, $at: DateTime!) { recordThaw(coi: $coi, siteCode: $site, occurredAt: $at) { status } }`, { ...thaw.variables, at: thaw.at.toISOString() });

    api.clock.set(new Date(thaw.at.getTime() + 31 * 60_000));
    const late = await api.gql(infusion.query, infusion.variables, AS_SCHEDULER);
    expect(errorOf(late)).toMatchObject({ extensions: { code: 'STEP_OUT_OF_ORDER', thawedShelfLifeMinutes: 30 } });
    expect(errorOf(late)!.message).toContain(`had to be infused within 30 minutes, by ${new Date(thaw.at.getTime() + 30 * 60_000).toISOString()}. Do not infuse it`);
    // Infused 20 minutes after the thaw, recorded 11 minutes later: accepted.
    const inTime = await api.gql(`mutation($input: InfusionInput!) { recordInfusion(input: $input) { status } }`, {
      input: { ...(infusion.variables.input as object), occurredAt: new Date(thaw.at.getTime() + 20 * 60_000).toISOString() },
    }, AS_SCHEDULER);
    expect(inTime.errors).toBeUndefined();
    expect(inTime.data!.recordInfusion).toEqual({ status: 'INFUSED' });
  });
});
