import { addDays, instantAt, localDateOf } from '@bedside/shared';
import { atEndOf, collectAndDeliver, referAndBook, startManufacture, step, type BookedPathway, type Slot } from '../support/pathway-steps';
import { startDemoApi, type TestApi } from '../support/test-api';

/**
 * Issue 11 §5: a unit going out of service, a site paused or suspended, or a designation withdrawn while
 * a batch is under way (or booked) flags the pathway at risk, with the reason in words.
 */
interface Entry {
  pathway: { coi: string; status: string };
  reasons: string[];
  proposalId: string | null;
  note: string | null;
  proposal: { unitId: string; slots: Slot[] } | null;
}

const AT_RISK = `{ atRiskPathways(first: 100) { edges { node { pathway { coi status } reasons proposalId note proposal { unitId slots { resourceKey day session } } } } } }`;
const PROCESS_FIELDS = `productCode name startingMaterial maxFreshHoldHours apheresisSessions apheresisHoursPerSession manufactureDays qcMethod qcReleaseDays shelfLifeHours
  conditioningRegimen conditioningDays infusionWindowMinDays infusionWindowMaxDays conditioningGate reconditionAfterDays monitoringInpatientDays stayWithinReachDays
  stayWithinReachMinutes icuReserveProbability`;

describe('pathways at risk when manufacture can no longer go ahead where it is booked or under way', () => {
  let api: TestApi;
  const atRisk = async (coi: string): Promise<Entry | undefined> =>
    (await step<{ atRiskPathways: { edges: { node: Entry }[] } }>(api, AT_RISK)).atRiskPathways.edges.map((e) => e.node).find((e) => e.pathway.coi === coi);
  /** Control Site QA changes the network (the test API's default caller). */
  const qa = async (query: string, variables: Record<string, unknown> = {}) => {
    const result = await api.gql(query, variables);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  /** Booked, collected at the end of its session, delivered, and manufacture started when the plan starts it. */
  const underWay = async (patientRef: string, treatmentCentre: string): Promise<BookedPathway> => {
    const booked = await referAndBook(api, patientRef, 'POC-CAR19', treatmentCentre);
    atEndOf(api, booked, 'APHERESIS');
    await collectAndDeliver(api, booked);
    const manufacture = booked.plan.steps.find((s) => s.kind === 'MANUFACTURE')!;
    if (Date.parse(manufacture.start) > api.clock.now().getTime()) api.clock.set(new Date(manufacture.start));
    await startManufacture(api, booked);
    expect(await atRisk(booked.coi)).toBeUndefined();
    return booked;
  };
  const batchNote = (unitId: string) => new RegExp(`^The batch under way on unit ${unitId} cannot carry on as planned.*record failManufacture`);

  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('flags a batch under way when its unit goes out of service, saying why and that the batch cannot move', async () => {
    const booked = await underWay('GATE-UNIT', 'RBV01');
    const unit = booked.plan.unitId;
    await qa(`mutation($id: ID!) { setUnitQualification(id: $id, state: OUT_OF_SERVICE, reason: "Incubator fault under investigation") { qualification } }`, { id: unit });
    try {
      const entry = (await atRisk(booked.coi))!;
      expect(entry).toBeDefined();
      expect(entry.pathway.status).toBe('IN_MANUFACTURE');
      expect(entry.reasons).toEqual([expect.stringMatching(new RegExp(`^Unit ${unit} is OUT_OF_SERVICE: Incubator fault under investigation \\(unit:${unit}, \\d{4}-\\d\\d-\\d\\d`))]);
      // No plan can move a batch mid-process: the note says what to do instead, and there is nothing to accept.
      expect(entry.proposal).toBeNull();
      expect(entry.proposalId).toBeNull();
      expect(entry.note).toMatch(batchNote(unit));
      const refused = await api.gql(`mutation($coi: ID!) { acceptRepair(coi: $coi, proposalId: "anything") { status } }`, { coi: booked.coi });
      expect(refused.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentProposalId: null });
    } finally {
      await qa(`mutation($id: ID!) { setUnitQualification(id: $id, state: QUALIFIED, reason: "Fault cleared") { qualification } }`, { id: unit });
    }
    // Back in service: once the day it was out has passed, the batch's remaining days are open again.
    const bays = booked.plan.slots.filter((s) => s.resourceKey === `unit:${unit}`).map((s) => s.day).sort();
    const tomorrow = addDays(localDateOf(api.clock.now(), 'Europe/London'), 1);
    if (tomorrow <= bays.at(-1)!) {
      api.clock.set(instantAt(tomorrow, '01:00', 'Europe/London'));
      expect(await atRisk(booked.coi)).toBeUndefined();
    }
  });

  it.each([
    ['paused', 'RRV01', 'pauseSite', 'PAUSED', 'Cleanroom deep clean'],
    ['suspended', 'RJZ01', 'suspendSite', 'SUSPENDED', 'MHRA inspection finding'],
  ])('flags a batch under way when the unit’s site is %s', async (_how, centre, mutation, status, reason) => {
    const booked = await underWay(`GATE-${status}`, centre);
    const { unitId, unitSiteCode } = booked.plan;
    await qa(`mutation($code: ID!, $reason: String!) { ${mutation}(code: $code, reason: $reason) { status } }`, { code: unitSiteCode, reason });
    try {
      const entry = (await atRisk(booked.coi))!;
      expect(entry).toBeDefined();
      // The site's chairs and beds close too; the batch's line names the unit.
      expect(entry.reasons).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^Site ${unitSiteCode} is ${status}: ${reason} \\(unit:${unitId}, `))]));
      expect(entry.proposal).toBeNull();
      expect(entry.note).toMatch(batchNote(unitId));
    } finally {
      await qa(`mutation($code: ID!) { activateSite(code: $code, reason: "Cleared to restart") { status } }`, { code: unitSiteCode });
    }
  });

  it('flags a booked pathway whose unit a later DMMF version withdraws, and repairs it onto a unit still designated', async () => {
    const booked = await referAndBook(api, 'GATE-DESIGNATION', 'POC-CAR19', 'RTD01');
    const { unitId, unitSiteCode } = booked.plan;
    const { dmmf } = await qa(`{ dmmf(productCode: "POC-CAR19") { version process { ${PROCESS_FIELDS} } designation { siteCodes unitIds } } }`);
    const publish = (designation: { siteCodes: string[]; unitIds: string[] }, why: string) =>
      qa(`mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { version } }`, { input: { process: dmmf.process, designation, reason: why } });
    const { publishDmmfVersion } = await publish(
      { siteCodes: dmmf.designation.siteCodes.filter((c: string) => c !== unitSiteCode), unitIds: dmmf.designation.unitIds.filter((u: string) => u !== unitId) },
      `Designation of ${unitId} withdrawn pending CAPA`,
    );
    try {
      const entry = (await atRisk(booked.coi))!;
      expect(entry).toBeDefined();
      expect(entry.reasons).toEqual([
        expect.stringMatching(
          new RegExp(`^Unit ${unitId} is no longer designated to make POC-CAR19: DMMF version ${publishDmmfVersion.version} does not list it \\(Designation of ${unitId} withdrawn pending CAPA\\) \\(unit:${unitId}, `),
        ),
      ]);
      // The pathway keeps its pinned process; its repair goes to a unit the Control Site still designates.
      expect(entry.proposal).not.toBeNull();
      expect(entry.proposal!.unitId).not.toBe(unitId);
      await step(api, `mutation($coi: ID!, $id: ID!) { acceptRepair(coi: $coi, proposalId: $id) { status } }`, { coi: booked.coi, id: entry.proposalId });
      expect(await atRisk(booked.coi)).toBeUndefined();
      const { pathway } = await step<{ pathway: { dmmfVersion: number } }>(api, `query($coi: ID!) { pathway(coi: $coi) { dmmfVersion } }`, { coi: booked.coi });
      expect(pathway.dmmfVersion).toBe(dmmf.version);
    } finally {
      await publish(dmmf.designation, `Designation of ${unitId} restored`);
    }
  });
});
