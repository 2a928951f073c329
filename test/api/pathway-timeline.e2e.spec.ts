import { collectAndDeliver, referAndBook, startManufacture, type BookedPathway } from '../support/pathway-steps';
import { AS_DASHBOARD, AS_PLANNER, AS_SCHEDULER, startDemoApi, type Persona, type TestApi } from '../support/test-api';

const AS_OTHER_TRUST: Persona = { role: 'scheduler', trusts: ['RRV'], actor: 'coordinator@rrv' };

interface Step {
  kind: string;
  status: string;
  siteCode: string;
  unitId: string | null;
  start: string;
  end: string;
  doneAt: string | null;
  slots: { resourceKey: string; day: string; session: string }[];
}

const TIMELINE = `query($coi: ID!) { pathway(coi: $coi) { status timeline { kind status siteCode unitId start end doneAt slots { resourceKey day session } } } }`;

/** A scheduler follows their patient's vein-to-vein timeline: the booked plan, step by step, as it happens. */
describe('Pathway.timeline', () => {
  let api: TestApi;
  let booked: BookedPathway;
  const timeline = async (as: Persona = AS_SCHEDULER) => {
    const result = await api.gql<{ pathway: { status: string; timeline: Step[] } }>(TIMELINE, { coi: booked.coi }, as);
    expect(result.errors).toBeUndefined();
    return result.data!.pathway.timeline;
  };

  beforeAll(async () => {
    api = await startDemoApi();
    booked = await referAndBook(api, 'TIMELINE-1');
  });
  afterAll(() => api.close());

  it('shows the booked plan’s steps in order, with every booked slot, all planned', async () => {
    const steps = await timeline();
    expect(steps.map((s) => s.kind)).toEqual(['APHERESIS', 'MANUFACTURE', 'CONDITIONING', 'INFUSION', 'MONITORING', 'ICU']);
    expect(steps.every((s) => s.status === 'PLANNED' && s.doneAt === null)).toBe(true);
    const key = (s: { resourceKey: string; day: string; session: string }) => `${s.resourceKey}|${s.day}|${s.session}`;
    expect(steps.flatMap((s) => s.slots).map(key).sort()).toEqual(booked.plan.slots.map(key).sort());
    const [apheresis, manufacture, , infusion] = steps;
    expect(apheresis!.siteCode).toBe(booked.plan.apheresisCentre);
    expect(manufacture).toMatchObject({ unitId: booked.plan.unitId, siteCode: booked.plan.unitSiteCode });
    expect(infusion!.siteCode).toBe(booked.plan.treatmentCentre);
    expect(infusion!.slots[0]!.day).toBe(booked.plan.infusionDay);
    for (const step of steps) expect(new Date(step.end).getTime()).toBeGreaterThan(new Date(step.start).getTime());
    // Collection before infusion before the end of monitoring: the patient's days in order.
    expect(new Date(apheresis!.end).getTime()).toBeLessThan(new Date(infusion!.start).getTime());
    expect(new Date(infusion!.start).getTime()).toBeLessThan(new Date(steps[4]!.end).getTime());
  });

  it('marks collection done and manufacture under way as they are recorded', async () => {
    await collectAndDeliver(api, booked);
    await startManufacture(api, booked);
    const steps = await timeline();
    expect(steps.map((s) => `${s.kind}:${s.status}`)).toEqual(['APHERESIS:DONE', 'MANUFACTURE:IN_PROGRESS', 'CONDITIONING:PLANNED', 'INFUSION:PLANNED', 'MONITORING:PLANNED', 'ICU:PLANNED']);
    expect(steps[0]!.doneAt).not.toBeNull();
  });

  it('is shown to network-wide roles; another trust’s scheduler and dashboards are refused the pathway', async () => {
    expect((await timeline(AS_PLANNER)).map((s) => s.kind)).toHaveLength(6);
    for (const as of [AS_OTHER_TRUST, AS_DASHBOARD]) {
      const result = await api.gql(TIMELINE, { coi: booked.coi }, as);
      expect(result.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
      expect(result.data?.pathway ?? null).toBeNull();
    }
  });

  it('is empty while no plan is held or booked', async () => {
    const { data } = await api.gql<{ referPatient: { coi: string; timeline: Step[] } }>(
      `mutation($input: ReferralInput!) { referPatient(input: $input) { coi timeline { kind } } }`,
      { input: { patientRef: 'TIMELINE-2', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'ROUTINE' } },
      AS_SCHEDULER,
    );
    expect(data!.referPatient.timeline).toEqual([]);
  });
});
