import { DataSource } from 'typeorm';
import { AS_PLANNER, AS_QA, AS_SCHEDULER, startDemoApi, type TestApi } from '../support/test-api';

/** Issue 13 §2: surge scenarios, versioned, never touching the live network. */
const SCENARIO = `id version name asOf days dosesPerUnitDay requalificationDays reason recordedBy vaccineDemand { region day doses weight deadline } unitsAdded { unitId kind region } fillFinish { dosesPerVial }`;
const CREATE = `mutation($input: ScenarioInput!) { createScenario(input: $input) { ${SCENARIO} } }`;
const UPDATE = `mutation($id: ID!, $input: ScenarioInput!, $v: Int, $reason: String) { updateScenario(id: $id, input: $input, basedOnVersion: $v, reason: $reason) { ${SCENARIO} } }`;

const input = {
  name: 'Winter wave, rapid QC',
  asOf: '2027-01-04',
  days: 100,
  vaccineDemand: [
    { region: 'LON', day: 0, doses: 2_000_000, weight: 2 },
    { region: 'NW', day: 20, doses: 1_500_000, deadline: 80 },
  ],
  unitsAdded: [{ unitId: 'ff-new-1', kind: 'FILL_FINISH', region: 'MID' }],
  // The demo network's units and sites, named as a planner might type them.
  unitsRemoved: ['mff-02'],
  outages: [{ target: 'ctl01', fromDay: 10, toDay: 12 }],
  fillFinish: { vialsPerHour: 300, dosesPerVial: 10, shiftsPerDay: 2, hoursPerShift: 8, effectiveOutputFactor: 0.7 },
  teardownDays: 1,
  setupDays: 2,
  requalificationDays: 18,
  releaseDays: 3,
};

describe('surge scenarios', () => {
  let api: TestApi;
  const count = async (sql: string) => Number((await api.app.get(DataSource).query(sql))[0].n);
  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('are created by a planner as version 1, read by Control Site QA, and leave the live network untouched', async () => {
    const liveEvents = await count(`SELECT count(*) AS n FROM events WHERE stream_id NOT LIKE 'scenario-%'`);
    const created = await api.gql(CREATE, { input }, AS_PLANNER);
    expect(created.errors).toBeUndefined();
    const scenario = created.data!.createScenario;
    expect(scenario).toMatchObject({ version: 1, name: 'Winter wave, rapid QC', asOf: '2027-01-04', dosesPerUnitDay: 33_600, requalificationDays: 18, reason: null, recordedBy: AS_PLANNER.actor });
    expect(scenario.vaccineDemand).toEqual([
      { region: 'LON', day: 0, doses: 2_000_000, weight: 2, deadline: null },
      { region: 'NW', day: 20, doses: 1_500_000, weight: null, deadline: 80 },
    ]);
    expect(scenario.unitsAdded).toEqual([{ unitId: 'FF-NEW-1', kind: 'FILL_FINISH', region: 'MID' }]);
    const read = await api.gql(`query($id: ID!) { scenario(id: $id) { id version name } }`, { id: scenario.id }, AS_QA);
    expect(read.data!.scenario).toEqual({ id: scenario.id, version: 1, name: 'Winter wave, rapid QC' });
    expect(await count(`SELECT count(*) AS n FROM events WHERE stream_id NOT LIKE 'scenario-%'`)).toBe(liveEvents);
  });

  it('are edited as new versions, the old kept for the runs that used it, and an edit from a stale version is refused naming the current one', async () => {
    const { id } = (await api.gql(CREATE, { input: { ...input, name: 'To edit' } }, AS_PLANNER)).data!.createScenario;
    const edited = await api.gql(UPDATE, { id, input: { ...input, name: 'To edit', requalificationDays: 0 }, v: 1, reason: 'No full requalification after a move' }, AS_PLANNER);
    expect(edited.data!.updateScenario).toMatchObject({ version: 2, requalificationDays: 0, reason: 'No full requalification after a move' });
    const first = await api.gql(`query($id: ID!) { scenario(id: $id, version: 1) { version requalificationDays } }`, { id }, AS_PLANNER);
    expect(first.data!.scenario).toEqual({ version: 1, requalificationDays: 18 });
    const stale = await api.gql(UPDATE, { id, input, v: 1 }, AS_PLANNER);
    expect(stale.errors![0]!.extensions.code).toBe('CONFLICT');
    expect(stale.errors![0]!.message).toMatch(/is at version 2, not 1: someone edited it meanwhile/);
    const list = await api.gql(`{ scenarios(first: 1) { edges { node { id version } } pageInfo { hasNextPage endCursor } } }`, {}, AS_PLANNER);
    // Most recently edited first.
    expect(list.data!.scenarios.edges).toEqual([{ node: { id, version: 2 } }]);
    expect(list.data!.scenarios.pageInfo.hasNextPage).toBe(true);
  });

  it.each([
    ['negative doses', { vaccineDemand: [{ region: 'LON', day: 0, doses: -1 }] }, 'vaccineDemand[0].doses', 'Doses wanted cannot be negative.'],
    ['a demand day after the scenario ends', { vaccineDemand: [{ region: 'LON', day: 100, doses: 1 }] }, 'vaccineDemand[0].day', 'The day doses are wanted from (before the scenario ends) must be a whole number from 0 to 99.'],
    ['requalification of 30 days', { requalificationDays: 30 }, 'requalificationDays', 'Requalification after a move (a full media-fill requalification is about 17 to 21 days) must be a whole number from 0 to 21.'],
    ['an unknown unit removed', { unitsRemoved: ['MFF-99'] }, 'unitsRemoved[0]', 'The network has no unit MFF-99 to remove: check the id (network.units lists them), or leave it out.'],
    ['an added unit under a live unit’s id', { unitsAdded: [{ unitId: 'MFF-01', kind: 'FILL_FINISH', region: 'MID' }] }, 'unitsAdded[0].unitId', 'MFF-01 is already a unit of the network: give the unit the scenario adds an id of its own.'],
    ['an outage of an unknown site', { outages: [{ target: 'XYZ99', fromDay: 1, toDay: 2 }] }, 'outages[0].target', 'The network has no unit or site XYZ99, nor does the scenario add one: check the id, or leave the outage out.'],
    ['a deadline before the scenario starts', { vaccineDemand: [{ region: 'LON', day: 0, doses: 1, deadline: -7 }] }, 'vaccineDemand[0].deadline', 'A deadline cannot fall before the scenario starts: day 0 is 2027-01-04. Give a day from 0 to 99.'],
  ])('refuses %s with BAD_USER_INPUT naming the field and what to do, recording nothing', async (_case, change, field, message) => {
    const before = await count(`SELECT count(*) AS n FROM events`);
    const { errors } = await api.gql(CREATE, { input: { ...input, ...change } }, AS_PLANNER);
    expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(errors![0]!.message).toBe(message);
    expect(await count(`SELECT count(*) AS n FROM events`)).toBe(before);
  });

  it('refuses a scheduler, who neither creates nor reads scenarios', async () => {
    const { errors } = await api.gql(CREATE, { input }, AS_SCHEDULER);
    expect(errors![0]!.extensions.code).toBe('FORBIDDEN');
    expect((await api.gql(`{ scenarios { edges { node { id } } } }`, {}, AS_SCHEDULER)).errors![0]!.extensions.code).toBe('FORBIDDEN');
  });
});
