import { DataSource } from 'typeorm';
import { addDays, localDateOf, type LocalDate } from '@bedside/shared';
import { step } from '../support/pathway-steps';
import { connect, subscribe } from '../support/subscriptions';
import { AS_DASHBOARD, AS_PLANNER, AS_QA, AS_SCHEDULER, eventually, startDemoApi, type TestApi } from '../support/test-api';

/** Issue 13 §1: mobile units deployed and recalled, through the one owner of live capacity. */
const DEPLOYMENT = `id unitId fromSiteCode toSiteCode recall leavesOn availableFrom tearDownDays travelDays setUpDays requalificationDays reason strandedCois status`;
const DEPLOY = `mutation($input: DeployUnitInput!) { deployUnit(input: $input) { ${DEPLOYMENT} } }`;
const RECALL = `mutation($unitId: ID!, $reason: String!, $force: Boolean) { recallUnit(unitId: $unitId, reason: $reason, force: $force) { ${DEPLOYMENT} } }`;
const UNIT_SLOTS = `query($unit: String!, $from: LocalDate!, $to: LocalDate!) {
  capacity(filter: { unitIds: [$unit] }, from: $from, to: $to, first: 100) { edges { node { siteCode day startsAt capacity closedReason } } } }`;

interface UnitSlot {
  siteCode: string;
  day: string;
  startsAt: string;
  capacity: number;
  closedReason: string | null;
}

describe('deployments of mobile units', () => {
  let api: TestApi;
  let today: LocalDate;
  const events = async () => Number((await api.app.get(DataSource).query(`SELECT count(*) AS n FROM events`))[0].n);
  const slotsOf = async (unit: string, from: LocalDate, to: LocalDate): Promise<UnitSlot[]> => {
    const { data, errors } = await api.gql<{ capacity: { edges: { node: UnitSlot }[] } }>(UNIT_SLOTS, { unit, from, to }, AS_PLANNER);
    expect(errors).toBeUndefined();
    return data!.capacity.edges.map((e) => e.node);
  };

  beforeAll(async () => {
    api = await startDemoApi();
    today = localDateOf(api.clock.now(), 'Europe/London');
  });
  afterAll(() => api.close());

  it('takes a unit out of capacity from the day it leaves, and offers it at the new site only after tear-down, road, set-up and requalification', async () => {
    const leavesOn = addDays(today, 5);
    const deployed = await api.gql(DEPLOY, { input: { unitId: 'mct-01', toSiteCode: 'RBV01', leavesOn, requalificationDays: 7, reason: 'CAR-T surge in the North West' } }, AS_QA);
    expect(deployed.errors).toBeUndefined();
    const deployment = deployed.data!.deployUnit;
    expect(deployment).toMatchObject({ id: 'MCT-01-D1', unitId: 'MCT-01', fromSiteCode: 'CTL01', toSiteCode: 'RBV01', recall: false, leavesOn, tearDownDays: 1, setUpDays: 1, requalificationDays: 7, strandedCois: [], status: 'PLANNED' });
    const lost = 1 + deployment.travelDays + 1 + 7;
    expect(deployment.availableFrom).toBe(addDays(leavesOn, lost));

    // The capacity read model shows it at once (read-your-writes), day by day.
    const slots = await slotsOf('MCT-01', addDays(leavesOn, -1), deployment.availableFrom);
    const byDay = new Map(slots.map((s) => [s.day, s]));
    expect(byDay.get(addDays(leavesOn, -1))).toMatchObject({ siteCode: 'CTL01', capacity: 1, closedReason: null });
    for (let d = 0; d < lost; d++) {
      const moving = byDay.get(addDays(leavesOn, d))!;
      expect(moving).toMatchObject({ siteCode: 'RBV01', capacity: 0 });
      expect(moving.closedReason).toMatch(/Unit MCT-01 is on its way from CTL01 to RBV01/);
    }
    expect(byDay.get(deployment.availableFrom)).toMatchObject({ siteCode: 'RBV01', capacity: 1, closedReason: null });

    // Where it is follows the deployment, by the clock: home until it leaves, then at its destination.
    const where = async () => (await api.gql<{ unit: { currentSiteCode: string; deployments: { id: string; status: string }[] } }>(`{ unit(id: "MCT-01") { currentSiteCode deployments { id status } } }`, {}, AS_SCHEDULER)).data!.unit;
    expect(await where()).toEqual({ currentSiteCode: 'CTL01', deployments: [{ id: 'MCT-01-D1', status: 'PLANNED' }] });
    const atRbv = await api.gql<{ network: { units: { edges: { node: { id: string } }[] } } }>(`{ network { units(siteCode: "RBV01") { edges { node { id } } } } }`, {}, AS_DASHBOARD);
    expect(atRbv.data!.network.units.edges.map((e) => e.node.id)).not.toContain('MCT-01');
    const before = api.clock.now();
    api.clock.set(new Date(before.getTime() + 6 * 86_400_000));
    try {
      expect(await where()).toEqual({ currentSiteCode: 'RBV01', deployments: [{ id: 'MCT-01-D1', status: 'MOVING' }] });
      const moved = await api.gql<{ network: { units: { edges: { node: { id: string } }[] } } }>(`{ network { units(siteCode: "RBV01") { edges { node { id } } } } }`, {}, AS_DASHBOARD);
      expect(moved.data!.network.units.edges.map((e) => e.node.id)).toContain('MCT-01');
      // Read as of an instant before it left, the unit is where it was then, its move still planned.
      const then = await api.gql<{ unit: { currentSiteCode: string; deployments: { status: string }[] } }>(`query($at: DateTime!) { unit(id: "MCT-01", asOf: $at) { currentSiteCode deployments { status } } }`, { at: before.toISOString() }, AS_SCHEDULER);
      expect(then.data!.unit).toEqual({ currentSiteCode: 'CTL01', deployments: [{ status: 'PLANNED' }] });
    } finally {
      api.clock.set(before);
    }

    const calendar = await api.gql<{ deployments: { edges: { node: { id: string; toSiteCode: string } }[] } }>(`{ deployments(unitId: "MCT-01") { edges { node { id toSiteCode } } } }`, {}, AS_SCHEDULER);
    expect(calendar.data!.deployments.edges.map((e) => e.node)).toEqual([{ id: 'MCT-01-D1', toSiteCode: 'RBV01' }]);
  });

  it('refuses a second deployment while the unit is on its way, naming when it can leave, and records nothing', async () => {
    const [current] = (await api.gql<{ deployments: { edges: { node: { leavesOn: string; availableFrom: string } }[] } }>(`{ deployments(unitId: "MCT-01") { edges { node { leavesOn availableFrom } } } }`, {}, AS_QA)).data!.deployments.edges.map((e) => e.node);
    const before = await events();
    const { errors } = await api.gql(DEPLOY, { input: { unitId: 'MCT-01', toSiteCode: 'RRK01', leavesOn: addDays(current!.leavesOn, 2), requalificationDays: 0, reason: 'Midlands' } }, AS_QA);
    expect(errors![0]!.extensions.code).toBe('CONFLICT');
    expect(errors![0]!.message).toContain(`on its way to RBV01 until ${current!.availableFrom}; it can leave again from then`);
    expect(await events()).toBe(before);
  });

  it.each([
    ['a fixed unit', { unitId: 'MU-RRK01-SHU1' }, 'BAD_USER_INPUT', /only mobile units are deployed/],
    ['an unknown unit', { unitId: 'MCT-99' }, 'NOT_FOUND', /MCT-99/],
    ['an unknown site', { toSiteCode: 'ZZZ99' }, 'NOT_FOUND', /ZZZ99/],
    ['a day in the past', { leavesOn: '2020-01-01' }, 'BAD_USER_INPUT', /in the past/],
    ['requalification over 21 days', { requalificationDays: 30 }, 'BAD_USER_INPUT', /0 to 21 days/],
  ])('refuses %s with a typed error, recording nothing', async (_, change, code, message) => {
    const before = await events();
    const { errors } = await api.gql(DEPLOY, { input: { unitId: 'MCT-02', toSiteCode: 'RRK01', leavesOn: addDays(today, 3), requalificationDays: 0, reason: 'Midlands', ...change } }, AS_QA);
    expect(errors![0]!.extensions.code).toBe(code);
    expect(errors![0]!.message).toMatch(message);
    expect(await events()).toBe(before);
  });

  it('is for Control Site QA only: a planner or scheduler is refused before anything is looked at', async () => {
    for (const persona of [AS_PLANNER, AS_SCHEDULER]) {
      const { errors } = await api.gql(DEPLOY, { input: { unitId: 'MCT-99', toSiteCode: 'RRK01', leavesOn: today, requalificationDays: 0, reason: 'x' } }, persona);
      expect(errors![0]!.extensions.code).toBe('FORBIDDEN');
    }
  });

  it('refuses to strand a booked pathway, naming it; deployed anyway with force, flags it at risk and offers a repaired plan elsewhere', async () => {
    // A mobile unit based at the treatment centre (so designated by its site), qualified, and a plan booked on it.
    for (const mutation of [
      `mutation { registerUnit(input: { id: "MCT-RBV-9", name: "Mobile Cocoon at the Christie", kind: CELL_THERAPY, mobility: MOBILE, batchCapacity: 1, homeSiteCode: "RBV01" }) { id } }`,
      `mutation { setUnitQualification(id: "MCT-RBV-9", state: QUALIFIED, reason: "PQ runs passed") { id } }`,
    ]) {
      expect((await api.gql(mutation, {}, AS_QA)).errors).toBeUndefined();
    }
    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'DEPLOY-STRAND-1', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    });
    const coi = referPatient.coi;
    const { planOptions } = await step<{ planOptions: { unitId: string; slots: { resourceKey: string; day: string; session: string }[] }[] }>(
      api,
      `query($coi: ID!) { planOptions(input: { coi: $coi, count: 20 }) { unitId slots { resourceKey day session } } }`,
      { coi },
    );
    const onMobile = planOptions.find((p) => p.unitId === 'MCT-RBV-9');
    expect(onMobile).toBeDefined();
    const { holdPlan } = await step<{ holdPlan: { id: string } }>(api, `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, {
      input: { coi, slots: onMobile!.slots, idempotencyKey: 'deploy-strand-hold' },
    });
    await step(api, `mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "confirm") { status } }`, { id: holdPlan.id });

    const before = await events();
    const input = { unitId: 'MCT-RBV-9', toSiteCode: 'RRK01', leavesOn: today, requalificationDays: 0, reason: 'Midlands surge' };
    const refused = await api.gql(DEPLOY, { input }, AS_QA);
    expect(refused.errors![0]!.extensions.code).toBe('CONFLICT');
    expect(refused.errors![0]!.message).toContain(`strands 1 booked pathway (${coi})`);
    expect(await events()).toBe(before);

    const forced = await api.gql(DEPLOY, { input: { ...input, force: true } }, AS_QA);
    expect(forced.errors).toBeUndefined();
    expect(forced.data!.deployUnit.strandedCois).toEqual([coi]);
    const atRisk = await eventually(async () => {
      const { data } = await api.gql<{ atRiskPathways: { edges: { node: { pathway: { coi: string }; reasons: string[]; proposal: { unitId: string } | null } }[] } }>(
        `{ atRiskPathways { edges { node { pathway { coi } reasons proposal { unitId } } } } }`,
        {},
        AS_SCHEDULER,
      );
      const found = data!.atRiskPathways.edges.map((e) => e.node).find((n) => n.pathway.coi === coi);
      if (!found) throw new Error('not yet at risk');
      return found;
    });
    expect(atRisk.reasons.join(' ')).toMatch(/Unit MCT-RBV-9/);
    // The repair is made where a unit can still be booked: not on MCT-RBV-9's days at the Christie after it left.
    expect(atRisk.proposal).not.toBeNull();
    expect(atRisk.proposal!.unitId).not.toBe('MCT-RBV-9');
  });

  it('recalls a unit home the way it went once it has arrived, telling deploymentChanged subscribers; refuses to recall one at home', async () => {
    const atHome = await api.gql(RECALL, { unitId: 'MCT-03', reason: 'Surge over' }, AS_QA);
    expect(atHome.errors![0]!.extensions.code).toBe('CONFLICT');
    expect(atHome.errors![0]!.message).toMatch(/at home \(CTL01\): there is nothing to recall/);

    const client = await connect(api, AS_DASHBOARD);
    const watcher = subscribe(client, `subscription { deploymentChanged(unitId: "mct-rbv-9") { id recall fromSiteCode toSiteCode leavesOn status } }`);
    const others = subscribe(client, `subscription { deploymentChanged(unitId: "MCT-02") { id } }`);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the subscriptions are registered before the change
      const [away] = (await api.gql<{ deployments: { edges: { node: { availableFrom: string; requalificationDays: number } }[] } }>(`{ deployments(unitId: "MCT-RBV-9") { edges { node { availableFrom requalificationDays } } } }`, {}, AS_QA)).data!.deployments.edges.map((e) => e.node);
      const onItsWay = await api.gql(RECALL, { unitId: 'MCT-RBV-9', reason: 'Surge over' }, AS_QA);
      expect(onItsWay.errors![0]!.message).toContain(`on its way to RRK01 until ${away!.availableFrom}; recall it from then`);

      const before = api.clock.now();
      api.clock.set(new Date(`${away!.availableFrom}T12:00:00Z`));
      try {
        const recalled = await api.gql(RECALL, { unitId: 'MCT-RBV-9', reason: 'Surge over' }, AS_QA);
        expect(recalled.errors).toBeUndefined();
        expect(recalled.data!.recallUnit).toMatchObject({ id: 'MCT-RBV-9-D2', recall: true, fromSiteCode: 'RRK01', toSiteCode: 'RBV01', leavesOn: away!.availableFrom, requalificationDays: away!.requalificationDays, status: 'MOVING' });
        const told = await watcher.next();
        expect(told.errors).toBeUndefined();
        expect(told.data!.deploymentChanged).toEqual({ id: 'MCT-RBV-9-D2', recall: true, fromSiteCode: 'RRK01', toSiteCode: 'RBV01', leavesOn: away!.availableFrom, status: 'MOVING' });
      } finally {
        api.clock.set(before);
      }
      await expect(others.next(500)).rejects.toThrow(/no subscription message/);
    } finally {
      await watcher.close();
      await others.close();
      await client.dispose();
    }
  });

  it('pages the deployment calendar one by one without skipping or repeating a move', async () => {
    const PAGE = `query($after: String) { deployments(first: 1, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
    const all = (await api.gql<{ deployments: { edges: { node: { id: string } }[] } }>(`{ deployments(first: 50) { edges { node { id } } } }`, {}, AS_DASHBOARD)).data!.deployments.edges.map((e) => e.node.id);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const paged: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { deployments }: { deployments: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = (await api.gql(PAGE, { after }, AS_DASHBOARD)).data! as never;
      paged.push(...deployments.edges.map((e) => e.node.id));
      if (!deployments.pageInfo.hasNextPage) break;
      after = deployments.pageInfo.endCursor;
    }
    expect(paged).toEqual(all);
  });

  it('offers plans on a unit where a planned deployment will take it, from the day it is ready there, and lets them be held', async () => {
    expect((await api.gql(`mutation { setUnitQualification(id: "MCT-03", state: QUALIFIED, reason: "PQ runs passed") { id } }`, {}, AS_QA)).errors).toBeUndefined();
    // At home for three days, too few for a 7-day batch: any plan on MCT-03 is one at the Christie.
    const deployed = await api.gql(DEPLOY, { input: { unitId: 'MCT-03', toSiteCode: 'RBV01', leavesOn: addDays(today, 3), requalificationDays: 0, reason: 'North West waitlist' } }, AS_QA);
    expect(deployed.errors).toBeUndefined();
    const { availableFrom } = deployed.data!.deployUnit as { availableFrom: string };
    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'DEPLOY-LATER-1', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', treatmentCentre: 'RBV01', washout: { drugClass: 'CYTOTOXIC_CHEMOTHERAPY', lastDoseDate: today }, priority: 'URGENT' },
    });
    // Collected after a 14-day washout, when every unit is free and MCT-03 is at the Christie.
    const { planOptions } = await step<{ planOptions: { unitId: string; unitSiteCode: string; manufactureStartDay: string; steps: { kind: string; unitId: string | null }[]; slots: { resourceKey: string; day: string; session: string }[] }[] }>(
      api,
      `query($coi: ID!) { planOptions(input: { coi: $coi, count: 20 }) { unitId unitSiteCode manufactureStartDay steps { kind unitId } slots { resourceKey day session } } }`,
      { coi: referPatient.coi },
    );
    const onMct = planOptions.filter((p) => p.unitId === 'MCT-03');
    expect(onMct.length).toBeGreaterThan(0);
    for (const plan of onMct) {
      expect(plan.unitSiteCode).toBe('RBV01');
      expect(plan.manufactureStartDay >= availableFrom).toBe(true);
      expect(plan.steps.filter((s) => s.kind === 'MANUFACTURE').map((s) => s.unitId)).toEqual(['MCT-03']);
    }
    // Every plan names a unit by its id, never by the search's name for one of its stays.
    expect(planOptions.every((p) => !p.unitId.includes(' '))).toBe(true);
    const { holdPlan } = await step<{ holdPlan: { id: string; status: string } }>(api, `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id status } }`, {
      input: { coi: referPatient.coi, slots: onMct[0]!.slots, idempotencyKey: 'deploy-later-hold' },
    });
    expect(holdPlan.status).toBe('HELD');
  });
});
