import { DataSource } from 'typeorm';
import { CapacityReads, slotKey } from '@bedside/capacity';
import { plannedSteps, referAndBook, regimenOf, walkThePlan } from '../support/pathway-steps';
import { AS_SCHEDULER, startDemoApi, type TestApi } from '../support/test-api';

const AT_RISK = `{ atRiskPathways { edges { node { pathway { coi status } reasons proposalId note proposal { unitId infusionDay slots { resourceKey day session } } } } } }`;

describe('disruption and repair', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('flags a booking whose unit goes out of service, proposes a repair, and swaps the booking in one step', async () => {
    const coi = (await api.gql(`mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'REPAIR-1', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    }, AS_SCHEDULER)).data!.referPatient.coi;
    const plan = (await api.gql(`query($coi: ID!) { planOptions(input: { coi: $coi }) { unitId slots { resourceKey day session } } }`, { coi }, AS_SCHEDULER)).data!.planOptions[0];
    const hold = (await api.gql(`mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, { input: { coi, slots: plan.slots, idempotencyKey: 'r1' } }, AS_SCHEDULER)).data!.holdPlan;
    await api.gql(`mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "c") { status } }`, { id: hold.id }, AS_SCHEDULER);
    expect((await api.gql(AT_RISK)).data!.atRiskPathways.edges).toEqual([]);

    await api.gql(`mutation($id: ID!) { setUnitQualification(id: $id, state: OUT_OF_SERVICE, reason: "Incubator fault") { qualification } }`, { id: plan.unitId });
    const flagged = (await api.gql(AT_RISK)).data!.atRiskPathways.edges.map((e: { node: unknown }) => e.node);
    expect(flagged).toHaveLength(1);
    const entry = flagged[0];
    expect(entry.pathway).toEqual({ coi, status: 'BOOKED' });
    expect(entry.reasons[0]).toMatch(new RegExp(`Unit ${plan.unitId} is OUT_OF_SERVICE: Incubator fault`));
    expect(entry.proposal.unitId).not.toBe(plan.unitId);

    const stale = await api.gql(`mutation($coi: ID!) { acceptRepair(coi: $coi, proposalId: "not-the-proposal") { status } }`, { coi }, AS_SCHEDULER);
    expect(stale.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentProposalId: entry.proposalId });

    const repaired = await api.gql(`mutation($coi: ID!, $id: ID!) { acceptRepair(coi: $coi, proposalId: $id) { status holdId } }`, { coi, id: entry.proposalId }, AS_SCHEDULER);
    expect(repaired.errors).toBeUndefined();
    expect(repaired.data!.acceptRepair.status).toBe('BOOKED');
    expect(repaired.data!.acceptRepair.holdId).not.toBe(hold.id);
    expect((await api.gql(AT_RISK)).data!.atRiskPathways.edges).toEqual([]);

    // The old unit's days are free again, the new unit's booked: commitments follow the swap.
    const db = api.app.get(DataSource);
    const committed = async (resourceKey: string, day: string) =>
      (await api.app.get(CapacityReads).placed([{ resourceKey, day, session: '' }])).slots.get(slotKey({ resourceKey, day, session: '' }))?.committed ?? 0;
    const oldBay = plan.slots.find((s: { resourceKey: string }) => s.resourceKey.startsWith('unit:'));
    const newBay = entry.proposal.slots.find((s: { resourceKey: string }) => s.resourceKey.startsWith('unit:'));
    expect(await committed(oldBay.resourceKey, oldBay.day)).toBe(0);
    expect(await committed(newBay.resourceKey, newBay.day)).toBe(1);
    const audit = await api.gql(`{ auditTrail(streamId: "pathway-${coi}") { edges { node { type reason } } } }`);
    expect(audit.data!.auditTrail.edges.at(-1).node).toEqual({ type: 'PlanRepaired', reason: expect.stringMatching(/^Repaired: Unit .* OUT_OF_SERVICE/) });
  });

  it('flags fresh product that outlives its shelf life before infusion, and refuses to infuse it', async () => {
    // A product that keeps about two seconds: long expired by its planned infusion.
    const { dmmf } = (await api.gql(`{ dmmf(productCode: "POC-CAR19") { designation { siteCodes unitIds } } }`)).data!;
    const full = (await api.gql(`{ dmmf(productCode: "POC-CAR19") { process { productCode name startingMaterial maxFreshHoldHours apheresisSessions apheresisHoursPerSession manufactureDays qcMethod qcReleaseDays shelfLifeHours conditioningRegimen conditioningDays infusionWindowMinDays infusionWindowMaxDays conditioningGate reconditionAfterDays monitoringInpatientDays stayWithinReachDays stayWithinReachMinutes icuReserveProbability } } }`)).data!.dmmf.process;
    const published = await api.gql(`mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { version } }`, {
      input: { process: { ...full, productCode: 'POC-SHORT', shelfLifeHours: 0.0005 }, designation: dmmf.designation, reason: 'Test product with a very short shelf life' },
    });
    expect(published.errors).toBeUndefined();
    // Booked and walked at the plan's own instants up to the end of manufacture; then the clock moves on to
    // the planned infusion, hours past the product's shelf life.
    const booked = await referAndBook(api, 'SHELF-1', 'POC-SHORT');
    const { coi } = booked;
    await walkThePlan(api, booked, { through: 'MANUFACTURED' });
    const infusionAt = plannedSteps(booked, await regimenOf(api, coi)).find((s) => s.name === 'INFUSED')!.at;
    api.clock.set(infusionAt);
    const flagged = (await api.gql(AT_RISK)).data!.atRiskPathways.edges.map((e: { node: { pathway: { coi: string }; reasons: string[]; note: string | null } }) => e.node);
    const entry = flagged.find((e: { pathway: { coi: string } }) => e.pathway.coi === coi);
    expect(entry.reasons).toEqual([expect.stringMatching(/passed its 0.0005 h shelf life at .*: it can no longer be infused/)]);
    expect(entry.note).toMatch(/^Conditioning has started, so the infusion day follows the regimen/);
    const infusion = await api.gql(`mutation($input: InfusionInput!) { recordInfusion(input: $input) { status } }`, { input: { coi, siteCode: 'RBV01', productCoi: coi } }, AS_SCHEDULER);
    expect(infusion.errors![0]!.extensions).toMatchObject({ code: 'STEP_OUT_OF_ORDER', shelfLifeHours: 0.0005 });
  });

  it('refuses a repair proposal that time has overtaken, naming the slot that has begun (issue 11 §3)', async () => {
    const booked = await referAndBook(api, 'REPAIR-LATE');
    const unitId = booked.plan.slots.find((s) => s.resourceKey.startsWith('unit:'))!.resourceKey.slice('unit:'.length);
    await api.gql(`mutation($id: ID!) { setUnitQualification(id: $id, state: OUT_OF_SERVICE, reason: "Door seal") { qualification } }`, { id: unitId });
    const shown = (await api.gql(`{ atRiskPathways { edges { node { pathway { coi } proposalId proposal { steps { kind start slots { resourceKey day session } } } } } } }`)).data!.atRiskPathways.edges
      .map((e: { node: unknown }) => e.node)
      .find((n: { pathway: { coi: string } }) => n.pathway.coi === booked.coi);
    const first = shown.proposal.steps[0];
    // The scheduler comes back to it a minute after its first session began.
    api.clock.set(new Date(Date.parse(first.start) + 60_000));
    const late = await api.gql(`mutation($coi: ID!, $id: ID!) { acceptRepair(coi: $coi, proposalId: $id) { status } }`, { coi: booked.coi, id: shown.proposalId }, AS_SCHEDULER);
    expect(late.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slots', slot: first.slots[0] });
    expect(late.errors![0]!.message).toMatch(/began at .*: a plan cannot start in the past\. Look at atRiskPathways again for the current proposal\.$/);
    // Nothing moved: the pathway is still booked on its first plan, and still at risk.
    const { pathway } = (await api.gql(`query($coi: ID!) { pathway(coi: $coi) { holdId } }`, { coi: booked.coi }, AS_SCHEDULER)).data!;
    expect(pathway.holdId).toBe(booked.holdId);
  });
});
