import type { Client } from 'graphql-ws';
import { localDateOf, NETWORK_TIME_ZONE } from '@bedside/shared';
import { referAndBook, step } from '../support/pathway-steps';
import { connect, subscribe, type Subscriber } from '../support/subscriptions';
import { AS_DASHBOARD, AS_PLANNER, AS_QA, AS_SCHEDULER, startDemoApi, type Persona, type TestApi } from '../support/test-api';

const AS_OTHER_TRUST: Persona = { role: 'scheduler', trusts: ['RRV'], actor: 'coordinator@rrv' };

const PATHWAY_CHANGED = `subscription($coi: ID, $trust: ID) { pathwayChanged(coi: $coi, trust: $trust) { eventTypes pathway { coi status referringTrust } } }`;
const AT_RISK_CHANGED = `subscription { atRiskChanged { flagged reasons pathway { coi referringTrust } } }`;
const CAPACITY_CHANGED = `subscription($from: LocalDate!, $to: LocalDate!) {
  capacityChanged(filter: { siteCodes: ["RBV01"], resources: [APHERESIS_CHAIR] }, from: $from, to: $to) { from to truncated slots { siteCode day session committed tentative free freeBusyOnly } } }`;
const CHAIRS_CHANGED = `subscription($site: String!, $from: LocalDate!, $to: LocalDate!) {
  capacityChanged(filter: { siteCodes: [$site], resources: [APHERESIS_CHAIR] }, from: $from, to: $to) { from to truncated slots { siteCode day session committed tentative free freeBusyOnly } } }`;

describe('subscriptions over WebSocket, driven by the read models', () => {
  let api: TestApi;
  const clients: Client[] = [];
  const subscribers: Subscriber[] = [];
  const as = async (persona: Persona | { authorization: string }, query: string, variables: Record<string, unknown> = {}) => {
    const client = await connect(api, persona);
    clients.push(client);
    const subscriber = subscribe(client, query, variables);
    subscribers.push(subscriber);
    return subscriber;
  };

  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(async () => {
    for (const s of subscribers) await s.close();
    for (const c of clients) await c.dispose();
    await api.close();
  });

  it('tells a scheduler of their own trust’s pathways as the read model records them, and another trust nothing of them', async () => {
    const mine = await as(AS_SCHEDULER, PATHWAY_CHANGED);
    const theirs = await as(AS_OTHER_TRUST, PATHWAY_CHANGED);
    const watcher = await as(AS_PLANNER, PATHWAY_CHANGED);
    const qa = await as(AS_QA, PATHWAY_CHANGED);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the subscriptions are registered before the first change

    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'LIVE-1', homeDistrict: 'M20', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    });
    const first = await mine.next();
    expect(first.errors).toBeUndefined();
    expect(first.data!.pathwayChanged).toEqual({ eventTypes: ['PatientReferred'], pathway: { coi: referPatient.coi, status: 'REFERRED', referringTrust: 'RBV' } });
    // What the subscriber is told, the read model already shows.
    expect((await api.gql(`query($coi: ID!) { pathway(coi: $coi) { status } }`, { coi: referPatient.coi }, AS_SCHEDULER)).data!.pathway.status).toBe('REFERRED');
    expect((await watcher.next()).data!.pathwayChanged.pathway.coi).toBe(referPatient.coi);
    expect((await qa.next()).data!.pathwayChanged.pathway.coi).toBe(referPatient.coi);

    // The other trust's scheduler hears first of their own referral, not of RBV's before it.
    const own = await api.gql(`mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'LIVE-RRV', homeDistrict: 'M20', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'ROUTINE' },
    }, AS_OTHER_TRUST);
    expect(own.errors).toBeUndefined();
    expect((await theirs.next()).data!.pathwayChanged.pathway).toMatchObject({ coi: own.data!.referPatient.coi, referringTrust: 'RRV' });
  });

  it('follows one pathway by its Chain of Identity through holds and bookings', async () => {
    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'LIVE-2', homeDistrict: 'M20', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    });
    const one = await as(AS_SCHEDULER, PATHWAY_CHANGED, { coi: referPatient.coi });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { planOptions } = await step<{ planOptions: { slots: unknown[] }[] }>(api, `query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { slots { resourceKey day session } } }`, { coi: referPatient.coi });
    const { holdPlan } = await step<{ holdPlan: { id: string } }>(api, `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, { input: { coi: referPatient.coi, slots: planOptions[0]!.slots, idempotencyKey: 'live-2' } });
    expect((await one.next()).data!.pathwayChanged).toMatchObject({ eventTypes: ['PlanHeld'], pathway: { status: 'PLAN_HELD' } });
    await step(api, `mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "c") { status } }`, { id: holdPlan.id });
    expect((await one.next()).data!.pathwayChanged).toMatchObject({ eventTypes: ['PlanBooked'], pathway: { status: 'BOOKED' } });
  });

  it('sends capacity changes for a site and range, with bookings masked as free/busy for another trust', async () => {
    // One patient booked, another's whole plan then held: its collection day's chairs move.
    await referAndBook(api, 'LIVE-3');
    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      // Living in Liverpool (L1), within reach of The Christie only; collected after a 42-day washout, when
      // The Christie's units are free again, so the plan is made there (RBV01, the RBV scheduler's own trust).
      input: { patientRef: 'LIVE-4', homeDistrict: 'L1', treatmentCentre: 'RBV01', productCode: 'POC-CAR19', washout: { drugClass: 'IMMUNOTHERAPY', lastDoseDate: localDateOf(api.clock.now(), NETWORK_TIME_ZONE) }, priority: 'URGENT' },
    });
    const { planOptions } = await step<{ planOptions: { slots: { resourceKey: string; day: string; session: string }[] }[] }>(
      api,
      `query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { slots { resourceKey day session } } }`,
      { coi: referPatient.coi },
    );
    const plan = planOptions[0]!;
    const chair = plan.slots.find((s) => s.resourceKey === 'site:RBV01:APHERESIS_CHAIR')!;
    const day = chair.day;
    const { capacity } = await step<{ capacity: { edges: { node: { session: string; committed: number; tentative: number } }[] } }>(
      api,
      `query($day: LocalDate!) { capacity(filter: { siteCodes: ["RBV01"], resources: [APHERESIS_CHAIR] }, from: $day, to: $day) { edges { node { session committed tentative } } } }`,
      { day },
    );
    const before = capacity.edges.map((e) => e.node).find((n) => n.session === chair.session)!;
    const planner = await as(AS_PLANNER, CAPACITY_CHANGED, { from: day, to: day });
    const otherTrust = await as(AS_OTHER_TRUST, CAPACITY_CHANGED, { from: day, to: day });
    const others = await Promise.all([AS_DASHBOARD, AS_QA, AS_SCHEDULER].map((persona) => as(persona, CAPACITY_CHANGED, { from: day, to: day })));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await step(api, `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, { input: { coi: referPatient.coi, slots: plan.slots, idempotencyKey: 'live-4' } });

    const chairOf = (m: { data?: Record<string, any> | null }) => m.data?.capacityChanged.slots.find((s: { session: string }) => s.session === chair.session);
    const held = before.tentative + 1;
    const seen = (await planner.until((m) => chairOf(m)?.tentative === held)).data!.capacityChanged;
    expect(seen).toMatchObject({ from: day, to: day, truncated: false });
    expect(chairOf({ data: { capacityChanged: seen } })).toMatchObject({ siteCode: 'RBV01', day, committed: before.committed, tentative: held, freeBusyOnly: false });
    const masked = chairOf(await otherTrust.until((m) => chairOf(m) !== undefined));
    expect(masked).toMatchObject({ committed: null, tentative: null, freeBusyOnly: true });
    expect(masked.free).toBeLessThanOrEqual(1);
    // Dashboards, QA and the RBV scheduler (RBV01 is their trust's) see the change in full.
    for (const subscriber of others) expect(chairOf(await subscriber.until((m) => chairOf(m)?.tentative === held))).toMatchObject({ freeBusyOnly: false, tentative: held });
  });

  it('tells a subscriber following the chairs of a plan’s days of its hold and then of its confirmation', async () => {
    // Issue 11 §8: a batch holding a HoldConfirmed (which lists `slots`, not one `slot`) was dropped whole.
    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'LIVE-8', homeDistrict: 'M20', referringTrust: 'RBV', treatmentCentre: 'RBV01', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    });
    const { planOptions } = await step<{ planOptions: { slots: { resourceKey: string; day: string; session: string }[] }[] }>(
      api,
      `query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { slots { resourceKey day session } } }`,
      { coi: referPatient.coi },
    );
    const plan = planOptions[0]!;
    const chair = plan.slots.find((s) => s.resourceKey.endsWith(':APHERESIS_CHAIR'))!;
    const site = chair.resourceKey.split(':')[1]!;
    // Filtered by the chair's day and session below, so other slots of the plan can share a session name.
    const days = plan.slots.map((s) => s.day).sort();
    const [from, to] = [days[0]!, days[days.length - 1]!];
    const chairNow = async () => {
      const { data } = await api.gql(`query($day: LocalDate!, $site: String!) { capacity(filter: { siteCodes: [$site], resources: [APHERESIS_CHAIR] }, from: $day, to: $day) { edges { node { session committed tentative free } } } }`, { day: chair.day, site });
      return data!.capacity.edges.map((e: { node: { session: string } }) => e.node).find((n: { session: string }) => n.session === chair.session) as { committed: number; tentative: number; free: number };
    };
    const before = await chairNow();
    expect(before.free).toBeGreaterThan(0);

    // Following the plan's days before anything is held on them.
    const planner = await as(AS_PLANNER, CHAIRS_CHANGED, { site, from, to });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { holdPlan } = await step<{ holdPlan: { id: string } }>(api, `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, {
      input: { coi: referPatient.coi, slots: plan.slots, idempotencyKey: 'live-8' },
    });
    const chairOf = (m: { data?: Record<string, any> | null }) =>
      m.data?.capacityChanged?.slots.find((s: { siteCode: string; day: string; session: string }) => s.siteCode === site && s.day === chair.day && s.session === chair.session);
    const held = await planner.until((m) => chairOf(m)?.tentative === before.tentative + 1);
    expect(held.data!.capacityChanged.from <= chair.day && chair.day <= held.data!.capacityChanged.to).toBe(true);
    expect(chairOf(held)).toMatchObject({ siteCode: site, day: chair.day, committed: before.committed, tentative: before.tentative + 1, free: before.free - 1 });

    await step(api, `mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "c") { status } }`, { id: holdPlan.id });
    const booked = await planner.until((m) => chairOf(m)?.committed === before.committed + 1);
    expect(booked.data!.capacityChanged).toMatchObject({ truncated: false });
    expect(booked.data!.capacityChanged.from <= chair.day && chair.day <= booked.data!.capacityChanged.to).toBe(true);
    // The place moved from held to booked: still taken, so the day's chair has one place fewer than before the hold.
    expect(chairOf(booked)).toMatchObject({ siteCode: site, day: chair.day, committed: before.committed + 1, tentative: before.tentative, free: before.free - 1 });
  });

  it('flags pathways at risk as capacity closes, and clears them when it reopens, for their own trust only', async () => {
    const booked = await referAndBook(api, 'LIVE-5');
    const mine = await as(AS_SCHEDULER, AT_RISK_CHANGED);
    const theirs = await as(AS_OTHER_TRUST, AT_RISK_CHANGED);
    const networkWide = await Promise.all([AS_PLANNER, AS_QA].map((persona) => as(persona, AT_RISK_CHANGED)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await api.gql(`mutation($id: ID!) { setUnitQualification(id: $id, state: OUT_OF_SERVICE, reason: "Incubator alarm") { qualification } }`, { id: booked.plan.unitId });
    const about = (flag: boolean) => (m: { data?: Record<string, any> | null }) => m.data?.atRiskChanged.pathway.coi === booked.coi && m.data?.atRiskChanged.flagged === flag;
    const flagged = (await mine.until(about(true))).data!.atRiskChanged;
    expect(flagged).toMatchObject({ flagged: true, pathway: { coi: booked.coi } });
    expect(flagged.reasons.join()).toMatch(/Incubator alarm/);
    for (const subscriber of networkWide) expect((await subscriber.until(about(true))).data!.atRiskChanged.flagged).toBe(true);
    await api.gql(`mutation($id: ID!) { setUnitQualification(id: $id, state: QUALIFIED, reason: "Alarm was a sensor fault") { qualification } }`, { id: booked.plan.unitId });
    const cleared = await mine.until(about(false));
    expect(cleared.data!.atRiskChanged).toMatchObject({ flagged: false, reasons: [], pathway: { coi: booked.coi } });
    await expect(theirs.next(500)).rejects.toThrow(/no subscription message/);
  });

  it('refuses a subscription to a role or trust that may not see it, and a connection without a valid token', async () => {
    const dashboard = await as(AS_DASHBOARD, AT_RISK_CHANGED);
    expect((await dashboard.next()).errors![0]!.message).toMatch(/Only scheduler or planner or control site qa may use atRiskChanged/);
    const dashboardPathways = await as(AS_DASHBOARD, PATHWAY_CHANGED);
    expect((await dashboardPathways.next()).errors![0]!.message).toMatch(/Only scheduler or planner or control site qa may use pathwayChanged/);
    const booked = await referAndBook(api, 'LIVE-6');
    const otherTrust = await as(AS_OTHER_TRUST, PATHWAY_CHANGED, { coi: booked.coi });
    expect((await otherTrust.next()).errors![0]!.message).toMatch(/not your trust's/);
    const byTrust = await as(AS_OTHER_TRUST, PATHWAY_CHANGED, { trust: 'RBV' });
    expect((await byTrust.next()).errors![0]!.message).toMatch(/not your trust's/);

    const forged = await as({ authorization: 'Bearer not.a.token' }, AT_RISK_CHANGED);
    const ended = await forged.ended;
    expect(ended).not.toBeNull();
    const qa = await as(AS_QA, PATHWAY_CHANGED);
    await step(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'LIVE-7', homeDistrict: 'M20', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    });
    expect((await qa.next()).errors).toBeUndefined();
  });

  it('has an access rule for every subscription in the schema', async () => {
    const { data } = await api.gql(`{ __type(name: "Subscription") { fields { name } } }`);
    expect(data!.__type.fields.map((f: { name: string }) => f.name).sort()).toEqual(['atRiskChanged', 'capacityChanged', 'deploymentChanged', 'kpisChanged', 'pathwayChanged', 'scenarioRunProgress']);
  });

  it('tells a dashboard, which may not follow pathways, that the figures changed, naming no patient (issue 15 §6)', async () => {
    const dashboard = await as(AS_DASHBOARD, `subscription { kpisChanged { changed toldAt } }`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = api.clock.now().getTime();
    await step(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'LIVE-KPI', homeDistrict: 'M20', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'ROUTINE' },
    });
    const told = await dashboard.until((m) => m.data?.kpisChanged.changed === 'PATHWAYS');
    expect(told.errors).toBeUndefined();
    // Only which figures changed and when it was told, by the API's clock: nothing about whom.
    expect(told.data!.kpisChanged).toEqual({ changed: 'PATHWAYS', toldAt: expect.any(String) });
    const toldAt = Date.parse(told.data!.kpisChanged.toldAt);
    expect(toldAt).toBeGreaterThanOrEqual(before);
    expect(toldAt).toBeLessThanOrEqual(api.clock.now().getTime());
    // A closure moves capacity: told as such.
    await api.gql(`mutation($id: ID!) { setUnitQualification(id: $id, state: OUT_OF_SERVICE, reason: "Filter change") { qualification } }`, { id: 'MU-RBV01-COC1' });
    expect((await dashboard.until((m) => m.data?.kpisChanged.changed !== 'PATHWAYS')).data!.kpisChanged.changed).toMatch(/^(CAPACITY|AT_RISK)$/);
  });
});
