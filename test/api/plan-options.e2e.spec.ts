import { daysBetween, localDateOf } from '@bedside/shared';
import { AS_SCHEDULER, startDemoApi, type TestApi, testInstant } from '../support/test-api';

const PLANS = `query($coi: ID!) { planOptions(input: { coi: $coi, count: 3 }) {
  apheresisCentre unitId treatmentCentre collectionDays infusionDay veinToVeinDays referralToInfusionDays limitedBy
  steps { kind siteCode start end } slots { resourceKey day session } } }`;

describe('plan options on the demo network', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  const refer = async (patientRef: string, productCode: string) => {
    const { data, errors } = await api.gql(
      `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`,
      { input: { patientRef, homeDistrict: 'M20', referringTrust: 'RBV', productCode, treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'URGENT' } },
      AS_SCHEDULER,
    );
    expect(errors).toBeUndefined();
    return data!.referPatient.coi as string;
  };

  it('finds a fresh point-of-care plan (7 days of manufacture) that can be held and booked, then plans around it', async () => {
    const coi = await refer('PLAN-1', 'POC-CAR19');
    const first = await api.gql(PLANS, { coi });
    expect(first.errors).toBeUndefined();
    const plans = first.data!.planOptions;
    expect(plans.length).toBeGreaterThanOrEqual(1);
    const best = plans[0];
    // 7 days of manufacture; a start up to two days after collection (within the 36 h fresh hold)
    // can give an earlier infusion when conditioning would otherwise fall on a Sunday.
    expect(best.veinToVeinDays).toBeGreaterThanOrEqual(7);
    expect(best.veinToVeinDays).toBeLessThanOrEqual(9);
    // Referred today: referral to infusion is the days from today to the infusion day.
    const today = localDateOf(testInstant(), 'Europe/London');
    expect(best.referralToInfusionDays).toBe(daysBetween(today, best.infusionDay));
    expect(best.referralToInfusionDays).toBeGreaterThanOrEqual(best.veinToVeinDays);
    expect(best.steps.map((s: { kind: string }) => s.kind)).toEqual(expect.arrayContaining(['APHERESIS', 'MANUFACTURE', 'CONDITIONING', 'INFUSION', 'MONITORING']));
    expect(best.limitedBy).toEqual(expect.any(String));
    for (let i = 1; i < plans.length; i++) expect(plans[i].infusionDay >= plans[i - 1].infusionDay).toBe(true);

    const hold = await api.gql(`mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id status } }`, { input: { coi, slots: best.slots, idempotencyKey: 'plan-1' } }, AS_SCHEDULER);
    expect(hold.errors).toBeUndefined();
    const booked = await api.gql(`mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "c1") { status } }`, { id: hold.data!.holdPlan.id }, AS_SCHEDULER);
    expect(booked.data!.confirmHold.status).toBe('BOOKED');

    // The unit used is now busy for those days: the next patient's best plan does not reuse its batch slot.
    const next = await api.gql(PLANS, { coi: await refer('PLAN-2', 'POC-CAR19') });
    const bookedBays = new Set(best.slots.filter((s: { resourceKey: string }) => s.resourceKey.startsWith('unit:')).map((s: { resourceKey: string; day: string }) => `${s.resourceKey}|${s.day}`));
    for (const slot of next.data!.planOptions[0].slots) expect(bookedBays.has(`${slot.resourceKey}|${slot.day}`)).toBe(false);
  });

  it('plans the cryopreserved comparator on the central unit, released before conditioning', async () => {
    const { data, errors } = await api.gql(PLANS, { coi: await refer('PLAN-3', 'CRYO-CAR19') });
    expect(errors).toBeUndefined();
    const best = data!.planOptions[0];
    expect(best.unitId).toBe('MU-RRK01-SHU1');
    expect(best.veinToVeinDays).toBeGreaterThanOrEqual(17 + 14);
  });

  it('answers NOT_FOUND for a pathway never referred', async () => {
    const result = await api.gql(PLANS, { coi: 'B000126900001J' });
    expect(result.errors![0]!.extensions.code).toBe('NOT_FOUND');
  });
});

describe('plan options follow capacity changes at once', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('stops offering an apheresis day once its chairs close, and offers it again when they reopen', async () => {
    const { data } = await api.gql(
      `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`,
      { input: { patientRef: 'CACHE-1', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'URGENT' } },
      AS_SCHEDULER,
    );
    const coi = data!.referPatient.coi as string;
    const best = async () => (await api.gql(`query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { apheresisCentre collectionDays } }`, { coi }, AS_SCHEDULER)).data!.planOptions[0];
    const before = await best();
    const closed = await api.gql(`mutation($input: CalendarExceptionInput!) { addCalendarException(input: $input) { siteCode } }`, {
      input: { exceptionId: 'cache-check', siteCode: before.apheresisCentre, resource: 'APHERESIS_CHAIR', kind: 'STAFF_SHORTAGE', from: before.collectionDays[0], to: before.collectionDays[0], reason: 'No apheresis nurse' },
    });
    expect(closed.errors).toBeUndefined();
    const during = await best();
    expect(during.apheresisCentre === before.apheresisCentre && during.collectionDays[0] === before.collectionDays[0]).toBe(false);
    const reopened = await api.gql(`mutation { withdrawCalendarException(exceptionId: "cache-check", siteCode: "${before.apheresisCentre}", reason: "Cover found") { siteCode } }`);
    expect(reopened.errors).toBeUndefined();
    expect(await best()).toEqual(before);
  });
});
