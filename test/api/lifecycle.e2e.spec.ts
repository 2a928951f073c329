import { plannedSteps, recordAt, referAndBook, regimenOf, walkThePlan, type PlannedStep } from '../support/pathway-steps';
import { AS_SCHEDULER, startDemoApi, type TestApi } from '../support/test-api';

/** Clinical steps are recorded by the centre's staff. */
const AS_NURSE = { ...AS_SCHEDULER, actor: 'nurse@rbv' };
const STATE = 'coi status productState patientState';

describe('the clinical lifecycle after booking', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  const step = async (query: string, variables: Record<string, unknown> = {}) => api.gql(query, variables, AS_NURSE);
  const ok = async (query: string, variables: Record<string, unknown> = {}) => {
    const result = await step(query, variables);
    expect(result.errors).toBeUndefined();
    return Object.values(result.data!)[0] as Record<string, string>;
  };

  async function bookedPathway(productCode: string, ref: string): Promise<string> {
    const { referPatient } = (await step(`mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: ref, homeDistrict: 'M20', referringTrust: 'RBV', productCode, treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    })).data!;
    const coi = referPatient.coi as string;
    const plans = (await step(`query($coi: ID!) { planOptions(input: { coi: $coi }) { slots { resourceKey day session } } }`, { coi })).data!.planOptions;
    const hold = (await step(`mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, { input: { coi, slots: plans[0].slots, idempotencyKey: ref } })).data!.holdPlan;
    await ok(`mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "c") { status } }`, { id: hold.id });
    return coi;
  }

  it('walks a fresh point-of-care pathway from collection to discharge, in order, at the plan’s own instants', async () => {
    const booked = await referAndBook(api, 'LIFE-1');
    const { coi } = booked;
    const at = (name: PlannedStep['name']) => plannedSteps(booked).find((s) => s.name === name)!.at;
    const doses = plannedSteps(booked).filter((s) => s.name === 'DOSE');
    /** Moves the clock on to when the step happens (never back). */
    const when = (instant: Date) => {
      if (api.clock.now() < instant) api.clock.set(instant);
    };

    when(at('COLLECTION'));
    expect(await ok(`mutation($coi: ID!) { recordCollection(input: { coi: $coi, siteCode: "RBV01", sessions: 1, cd3YieldE9: 2.1 }) { ${STATE} } }`, { coi })).toMatchObject({ status: 'COLLECTED' });
    const handover = (handover: string, scannedCoi: string) =>
      step(`mutation($input: HandoverInput!) { recordHandover(input: $input) { ${STATE} } }`, {
        input: { coi, handover, from: 'Apheresis unit RBV01', to: 'Cell therapy lab RBV01', siteCode: 'RBV01', condition: '4 °C, seal intact', scannedCoi },
      });
    // A label that is not this patient's stops the chain of custody.
    when(at('SHIPPED'));
    const wrongLabel = await handover('SHIPPED', 'B000126900001J');
    expect(wrongLabel.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', expected: coi, scanned: 'B000126900001J' });
    expect((await handover('SHIPPED', coi)).data!.recordHandover.status).toBe('IN_TRANSIT');
    when(at('RECEIVED'));
    expect((await handover('RECEIVED', coi.toLowerCase())).data!.recordHandover.status).toBe('RECEIVED');
    when(at('MANUFACTURE_STARTED'));
    expect(await ok(`mutation($coi: ID!) { startManufacture(coi: $coi, input: { siteCode: "RBV01", unitId: "MU-RBV01-COC1" }) { ${STATE} } }`, { coi })).toMatchObject({ status: 'IN_MANUFACTURE' });

    // Fresh product: the unit confirms the batch is on track and conditioning runs during manufacture.
    when(at('CONDITIONING_STARTED'));
    await ok(`mutation($coi: ID!) { confirmProductAvailability(coi: $coi, siteCode: "RBV01") { ${STATE} } }`, { coi });
    expect(await ok(`mutation($coi: ID!) { startConditioning(coi: $coi, siteCode: "RBV01") { ${STATE} } }`, { coi })).toMatchObject({ status: 'CONDITIONING', productState: 'IN_MANUFACTURE' });
    const wrongDay = await step(`mutation($coi: ID!) { recordConditioningDose(coi: $coi, siteCode: "RBV01", day: -4) { status } }`, { coi });
    expect(wrongDay.errors![0]!.extensions).toMatchObject({ code: 'STEP_OUT_OF_ORDER', dueDay: -5 });
    for (const dose of doses) {
      when(dose.at);
      await ok(`mutation($coi: ID!, $day: Int!) { recordConditioningDose(coi: $coi, siteCode: "RBV01", day: $day) { status } }`, { coi, day: dose.variables.day });
    }

    const early = await step(`mutation($input: InfusionInput!) { recordInfusion(input: $input) { status } }`, { input: { coi, siteCode: 'RBV01', productCoi: coi } });
    expect(early.errors![0]!.extensions.code).toBe('STEP_OUT_OF_ORDER');
    expect(early.errors![0]!.message).toMatch(/in manufacture, not ready to infuse/);
    when(at('MANUFACTURED'));
    await ok(`mutation($coi: ID!) { completeManufacture(coi: $coi, siteCode: "RBV01") { status } }`, { coi });

    when(at('INFUSED'));
    const mismatch = await step(`mutation($input: InfusionInput!) { recordInfusion(input: $input) { status } }`, { input: { coi, siteCode: 'RBV01', productCoi: 'B000126900001J' } });
    expect(mismatch.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', expected: coi });
    expect(mismatch.errors![0]!.message).toMatch(/do not proceed/);
    expect(await ok(`mutation($input: InfusionInput!) { recordInfusion(input: $input) { ${STATE} } }`, { input: { coi, siteCode: 'RBV01', productCoi: coi } })).toMatchObject({ status: 'INFUSED', patientState: 'INFUSED' });
    // Sterility results of fresh product may arrive after infusion.
    await ok(`mutation($coi: ID!) { releaseProduct(coi: $coi, input: { siteCode: "RBV01" }) { status } }`, { coi });
    when(at('DISCHARGED'));
    expect(await ok(`mutation($coi: ID!) { dischargeFromMonitoring(coi: $coi, siteCode: "RBV01") { ${STATE} } }`, { coi })).toMatchObject({ status: 'DISCHARGED' });

    const kpis = await api.gql(`{ kpis(filter: { productCode: "POC-CAR19" }) { timelines { productCode referringTrust infused veinToVeinMedianDays } pathwaysByStatus { status count } } pathways(filter: { status: DISCHARGED }) { edges { node { coi } } } }`);
    expect(kpis.data!.kpis.timelines).toEqual([{ productCode: 'POC-CAR19', referringTrust: 'RBV', infused: 1, veinToVeinMedianDays: expect.any(Number) }]);
    // Vein-to-vein from the instants the steps happened, not the seconds between typing them: the plan's days,
    // to within a minute (each step is recorded when the clock says, milliseconds after its instant is set).
    const veinToVein = kpis.data!.kpis.timelines[0].veinToVeinMedianDays as number;
    expect(Math.abs(veinToVein - (at('INFUSED').getTime() - at('COLLECTION').getTime()) / 86_400_000)).toBeLessThan(1 / (24 * 60));
    expect(Math.abs(veinToVein - booked.plan.veinToVeinDays)).toBeLessThan(1);
    expect(kpis.data!.kpis.pathwaysByStatus).toContainEqual({ status: 'DISCHARGED', count: 1 });
    expect(kpis.data!.pathways.edges).toEqual([{ node: { coi } }]);

    const audit = await api.gql(`{ auditTrail(streamId: "pathway-${coi}", first: 50) { edges { node { type actor } } } }`);
    expect(audit.data!.auditTrail.edges.map((e: { node: { type: string } }) => e.node.type)).toEqual([
      'PatientReferred', 'PlanHeld', 'PlanBooked', 'CollectionRecorded', 'MaterialHandedOver', 'MaterialHandedOver', 'ManufactureStarted',
      'ProductAvailabilityConfirmed', 'ConditioningStarted', 'ConditioningDoseGiven', 'ConditioningDoseGiven', 'ConditioningDoseGiven',
      'ManufactureCompleted', 'PatientInfused', 'ProductReleased', 'DischargedFromMonitoring',
    ]);
  });

  it('walks every step of a booked plan at its instants with the helpers, and counts the plan’s vein-to-vein days', async () => {
    const booked = await referAndBook(api, 'LIFE-5', 'CRYO-CAR19');
    const walked = await walkThePlan(api, booked);
    const infusedAt = walked.find((s) => s.name === 'INFUSED')!.at;
    const collectedAt = walked.find((s) => s.name === 'COLLECTION')!.at;
    const { kpis } = (await api.gql(`{ kpis(filter: { productCode: "CRYO-CAR19" }) { timelines { infused veinToVeinMedianDays } } }`)).data!;
    // Each step is recorded at the clock, which runs on from its planned instant by the milliseconds the
    // request takes: the KPI is the planned vein-to-vein time to within about a minute (3 digits of a day).
    expect(kpis.timelines).toEqual([{ infused: 1, veinToVeinMedianDays: expect.closeTo((infusedAt.getTime() - collectedAt.getTime()) / 86_400_000, 3) }]);
    expect(Math.abs(kpis.timelines[0].veinToVeinMedianDays - booked.plan.veinToVeinDays)).toBeLessThan(1);
  });

  it.each(['POC-CAR19', 'CRYO-CAR19'])('offers as due, before each step of a booked %s plan, the step the plan has next (Pathway.stepsOpen)', async (productCode) => {
    const booked = await referAndBook(api, `LIFE-DUE-${productCode}`, productCode);
    const steps = plannedSteps(booked, await regimenOf(api, booked.coi));
    const asked = `query($coi: ID!) { pathway(coi: $coi) { status stepsOpen { step due handover conditioningDay } } }`;
    const open = async () => (await api.gql(asked, { coi: booked.coi }, AS_NURSE)).data!.pathway.stepsOpen as { step: string; due: boolean; handover: string | null; conditioningDay: number | null }[];
    /** A planned step by the names stepsOpen gives it. */
    const named = (s: PlannedStep) =>
      s.name === 'SHIPPED' || s.name === 'RECEIVED'
        ? { step: 'HANDOVER', handover: s.name, conditioningDay: null }
        : { step: ({ MANUFACTURED: 'MANUFACTURE_COMPLETED', RELEASED: 'PRODUCT_RELEASED', DOSE: 'CONDITIONING_DOSE' } as Record<string, string>)[s.name] ?? s.name, handover: null, conditioningDay: s.name === 'DOSE' ? (s.variables.day as number) : null };
    for (const s of steps) {
      expect({ before: s.name, due: (await open()).find((o) => o.due) }).toEqual({ before: s.name, due: { ...named(s), due: true } });
      await recordAt(api, s.at, s.query, s.variables);
    }
    // Discharged: the pathway is complete and nothing more is open.
    expect(await open()).toEqual([]);
  });

  it('refuses steps out of order, saying which step is due', async () => {
    const { referPatient } = (await step(`mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'LIFE-2', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    })).data!;
    const unbooked = await step(`mutation($coi: ID!) { recordCollection(input: { coi: $coi, siteCode: "RBV01", sessions: 1 }) { status } }`, { coi: referPatient.coi });
    expect(unbooked.errors![0]!.extensions.code).toBe('STEP_OUT_OF_ORDER');
    expect(unbooked.errors![0]!.message).toMatch(/no plan is booked yet/);

    const coi = await bookedPathway('POC-CAR19', 'LIFE-3');
    const early = await step(`mutation($coi: ID!) { startManufacture(coi: $coi, input: { siteCode: "RBV01", unitId: "MU-RBV01-COC1" }) { status } }`, { coi });
    expect(early.errors![0]!.extensions).toMatchObject({ code: 'STEP_OUT_OF_ORDER', productState: 'NOT_COLLECTED' });
    const conditioning = await step(`mutation($coi: ID!) { startConditioning(coi: $coi, siteCode: "RBV01") { status } }`, { coi });
    expect(conditioning.errors![0]!.message).toMatch(/availability must be confirmed before lymphodepletion/);
  });

  it('holds frozen product to release before conditioning, and releases out-of-specification product only with a second, different signer', async () => {
    const coi = await bookedPathway('CRYO-CAR19', 'LIFE-4');
    await ok(`mutation($coi: ID!) { recordCollection(input: { coi: $coi, siteCode: "RBV01", sessions: 1 }) { status } }`, { coi });
    for (const handover of ['SHIPPED', 'RECEIVED']) {
      await ok(`mutation($input: HandoverInput!) { recordHandover(input: $input) { status } }`, { input: { coi, handover, from: 'a', to: 'b', siteCode: 'RRK01', condition: 'LN2 vapour', scannedCoi: coi } });
    }
    await ok(`mutation($coi: ID!) { startManufacture(coi: $coi, input: { siteCode: "RRK01", unitId: "MU-RRK01-SHU1" }) { status } }`, { coi });
    const tooSoon = await step(`mutation($coi: ID!) { confirmProductAvailability(coi: $coi, siteCode: "RBV01") { status } }`, { coi });
    expect(tooSoon.errors![0]!.message).toMatch(/released and in stock before conditioning/);
    await ok(`mutation($coi: ID!) { completeManufacture(coi: $coi, siteCode: "RRK01") { status } }`, { coi });
    // Issue 14 §2: one person asks for the exceptional release, with the reason; a second, different person approves it.
    const RELEASE = `mutation($coi: ID!, $reason: String) { releaseProduct(coi: $coi, input: { siteCode: "RRK01", exceptional: true, reason: $reason }) { ${STATE} } }`;
    const noReason = await step(RELEASE, { coi, reason: null });
    expect(noReason.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(await ok(RELEASE, { coi, reason: 'Viability 68% (spec 70%)' })).toMatchObject({ productState: 'MANUFACTURED' });
    const sameSigner = await step(RELEASE, { coi, reason: null });
    expect(sameSigner.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', requestedBy: AS_NURSE.actor });
    expect(sameSigner.errors![0]!.message).toMatch(/needs a second, different signer: nurse@rbv asked for it \(Viability 68% \(spec 70%\)\)/);
    const approved = await api.gql(RELEASE, { coi, reason: null }, { ...AS_SCHEDULER, actor: 'qp.shah@rbv' });
    expect(approved.data!.releaseProduct).toMatchObject({ productState: 'RELEASED' });
    const trail = (await api.gql(`query($s: ID!) { auditTrail(streamId: $s, first: 100) { edges { node { type data signature { signer meaning } } } } }`, { s: `pathway-${coi}` })).data!.auditTrail.edges.map(
      (e: { node: { type: string } }) => e.node,
    );
    expect(trail.filter((n: { type: string }) => /Release/.test(n.type))).toEqual([
      { type: 'ExceptionalReleaseRequested', data: expect.objectContaining({ reason: 'Viability 68% (spec 70%)' }), signature: { signer: 'nurse@rbv', meaning: 'AUTHORED' } },
      {
        type: 'ProductReleased',
        data: expect.objectContaining({ exceptional: true, reason: 'Viability 68% (spec 70%)', approver: 'qp.shah@rbv', requestedBy: expect.objectContaining({ signer: 'nurse@rbv', meaning: 'AUTHORED' }) }),
        signature: { signer: 'qp.shah@rbv', meaning: 'APPROVED' },
      },
    ]);
    expect(await ok(`mutation($coi: ID!) { confirmProductAvailability(coi: $coi, siteCode: "RBV01") { ${STATE} } }`, { coi })).toMatchObject({ productState: 'RELEASED' });
    const withdrawn = await ok(`mutation($coi: ID!) { withdrawPathway(coi: $coi, reason: "Disease progression; not fit for infusion") { ${STATE} } }`, { coi });
    expect(withdrawn).toMatchObject({ status: 'WITHDRAWN' });
    const after = await step(`mutation($coi: ID!) { startConditioning(coi: $coi, siteCode: "RBV01") { status } }`, { coi });
    expect(after.errors![0]!.message).toMatch(/withdrawn/);
  });
});
