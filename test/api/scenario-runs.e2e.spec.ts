import { DataSource } from 'typeorm';
import { addDays, localDateOf, NETWORK_TIME_ZONE } from '@bedside/shared';
import { AS_PLANNER, AS_QA, AS_SCHEDULER, eventually, startDemoApi, type TestApi } from '../support/test-api';
import { connect, subscribe } from '../support/subscriptions';

/** Issue 13 §3, §6: a scenario run through the surge optimiser, off the request, on the live network's units. */
const CREATE = `mutation($input: ScenarioInput!) { createScenario(input: $input) { id version } }`;
const RUN = `mutation($id: ID!, $input: RunOptionsInput) { runScenario(id: $id, input: $input) { id scenarioId scenarioVersion status progress options { timeLimitSeconds seed relativeGap } requestedBy } }`;
const RESULT = `query($id: ID!) { scenarioRun(id: $id) { id status stage progress failure finishedAt result {
  source gainOverBestBaseline solverStatus gap solverSeconds solverVersion solverPeriodDays marginalUnitSaves
  proposed { weightedUnmetDoseDays utilisation regions { region wanted released unmetAtEnd missedDeadline } }
  proportional { weightedUnmetDoseDays } greedy { weightedUnmetDoseDays }
  unitTimelines { unitId startRegion utilisation segments { kind region fromDay toDay } } } } }`;

/** A winter wave: London first, the North West three weeks later, the Midlands by day 45; the demo's four mobile fill-finish units stand at the Control Site (East of England). */
const wave = (asOf: string) => ({
  name: 'Winter wave',
  asOf,
  days: 60,
  vaccineDemand: [
    { region: 'LON', day: 0, doses: 3_000_000, weight: 2 },
    { region: 'NW', day: 21, doses: 2_000_000 },
    { region: 'MID', day: 30, doses: 1_000_000, deadline: 45 },
  ],
  fillFinish: { vialsPerHour: 1500, dosesPerVial: 10, shiftsPerDay: 2, hoursPerShift: 8, effectiveOutputFactor: 0.7 },
  teardownDays: 1,
  setupDays: 2,
  requalificationDays: 7,
  releaseDays: 3,
});

interface Run {
  id: string;
  status: string;
  stage: string;
  progress: number;
  failure: string | null;
  result: {
    source: string;
    gainOverBestBaseline: number;
    solverStatus: string;
    gap: number | null;
    solverVersion: string;
    solverPeriodDays: number;
    marginalUnitSaves: number | null;
    proposed: { weightedUnmetDoseDays: number; utilisation: number; regions: { region: string; wanted: number[]; released: number[]; unmetAtEnd: number; missedDeadline: number }[] };
    proportional: { weightedUnmetDoseDays: number };
    greedy: { weightedUnmetDoseDays: number };
    unitTimelines: { unitId: string; startRegion: string; segments: { kind: string; region: string; fromDay: number; toDay: number }[] }[];
  } | null;
}

describe('scenario runs', () => {
  let api: TestApi;
  let scenarioId: string;
  const liveEvents = async () => Number((await api.app.get(DataSource).query(`SELECT count(*) AS n FROM events WHERE stream_id NOT LIKE 'scenario-%'`))[0].n);
  const ended = (id: string) =>
    eventually(async () => {
      const run = (await api.gql<{ scenarioRun: Run }>(RESULT, { id }, AS_PLANNER)).data!.scenarioRun;
      if (run.status === 'RUNNING') throw new Error(`run ${id} still ${run.stage}`);
      return run;
    }, 120_000);

  beforeAll(async () => {
    api = await startDemoApi();
    const today = new Date(api.clock.now()).toISOString().slice(0, 10);
    const created = await api.gql(CREATE, { input: wave(today) }, AS_PLANNER);
    expect(created.errors).toBeUndefined();
    scenarioId = created.data!.createScenario.id;
  });
  afterAll(() => api.close());

  it('answers at once, works off the request while schedulers are answered, tells its progress, and records a plan no worse than either baseline', async () => {
    const before = await liveEvents();
    const client = await connect(api, AS_PLANNER);
    try {
      const started = await api.gql<{ runScenario: { id: string; status: string; scenarioVersion: number; options: { timeLimitSeconds: number; seed: number; relativeGap: number }; requestedBy: string } }>(
        RUN,
        { id: scenarioId, input: { timeLimitSeconds: 20, marginalUnit: true } },
        AS_PLANNER,
      );
      expect(started.errors).toBeUndefined();
      const run = started.data!.runScenario;
      expect(run).toMatchObject({ status: 'RUNNING', scenarioVersion: 1, options: { timeLimitSeconds: 20, seed: 1, relativeGap: 0.01 }, requestedBy: AS_PLANNER.actor });
      const progress = subscribe(client, `subscription($id: ID!) { scenarioRunProgress(runId: $id) { runId status stage progress } }`, { id: run.id });

      // A scheduler is answered while the run works.
      const sites = await api.gql(`{ network { sites(first: 5) { edges { node { code } } } } }`, {}, AS_SCHEDULER);
      expect(sites.errors).toBeUndefined();
      const whileAnswered = (await api.gql<{ scenarioRun: Run }>(RESULT, { id: run.id }, AS_PLANNER)).data!.scenarioRun;
      expect(whileAnswered.status).toBe('RUNNING');

      const last = await progress.until((m) => m.data?.scenarioRunProgress.status !== 'RUNNING', 120_000);
      expect(last.data!.scenarioRunProgress).toMatchObject({ runId: run.id, status: 'FINISHED', progress: 1 });
      await progress.close();
    } finally {
      await client.dispose();
    }
    const [runId] = (await api.app.get(DataSource).query(`SELECT run_id FROM scenario_runs ORDER BY requested_at DESC LIMIT 1`)).map((r: { run_id: string }) => r.run_id);
    const done = await ended(runId);
    expect(done.failure).toBeNull();
    const result = done.result!;
    expect(result.proposed.weightedUnmetDoseDays).toBeLessThanOrEqual(result.proportional.weightedUnmetDoseDays);
    expect(result.proposed.weightedUnmetDoseDays).toBeLessThanOrEqual(result.greedy.weightedUnmetDoseDays);
    expect(result.gainOverBestBaseline).toBeGreaterThanOrEqual(0);
    expect(result.solverVersion).toMatch(/\d+\.\d+/);
    // Ten regions over 60 days are planned day by day.
    expect(result.solverPeriodDays).toBe(1);
    expect(result.marginalUnitSaves).toBeGreaterThanOrEqual(0);
    // The live network's four mobile fill-finish units, each starting where it stands (the Control Site, East of England).
    expect(result.unitTimelines.map((t) => t.unitId).sort()).toEqual(['MFF-01', 'MFF-02', 'MFF-03', 'MFF-04']);
    for (const t of result.unitTimelines) {
      expect(t.startRegion).toBe('EOE');
      expect(t.segments[0]!.fromDay).toBe(0);
      expect(t.segments.at(-1)!.toDay).toBe(60);
    }
    const london = result.proposed.regions.find((r) => r.region === 'LON')!;
    expect(london.wanted.at(-1)).toBe(3_000_000);
    expect(london.released.at(-1)! + london.unmetAtEnd).toBeGreaterThanOrEqual(3_000_000 - 1);
    // The Midlands' million doses are due by day 45: what the plan had not released there by then missed it.
    const midlands = result.proposed.regions.find((r) => r.region === 'MID')!;
    expect(midlands.missedDeadline).toBeCloseTo(Math.max(0, 1_000_000 - midlands.released[45]!), 3);
    expect(midlands.unmetAtEnd).toBeGreaterThanOrEqual(midlands.missedDeadline - 1e-6);
    // Every move goes where doses are wanted: once its work is done a unit stays put (committed, a move
    // to a region that wants nothing would take it down, put it on the road and requalify it for nothing).
    const wants = new Set(result.proposed.regions.filter((r) => r.wanted.at(-1)! > 0).map((r) => r.region));
    const idle = result.unitTimelines.flatMap((t) => t.segments.filter((g) => g.kind === 'MOVING' && !wants.has(g.region)).map((g) => `${t.unitId} to ${g.region} on day ${g.fromDay}`));
    expect(idle).toEqual([]);
    // A run reads the live network and writes only its own stream.
    expect(await liveEvents()).toBe(before);
    // Its end is recorded by Bedside's planner, in the request's correlation, caused by the request (issue 14 §3).
    const trail = (await api.gql(`{ auditTrail(streamId: "scenario-run-${runId}") { edges { node { eventId type actor correlationId causationId } } } }`, {}, AS_PLANNER)).data!.auditTrail.edges.map(
      (e: { node: Record<string, unknown> }) => e.node,
    );
    expect(trail.map((n: { type: unknown }) => n.type)).toEqual(['ScenarioRunRequested', 'ScenarioRunFinished']);
    expect(trail[1]).toMatchObject({ actor: 'bedside:surge-planner', correlationId: trail[0].correlationId, causationId: trail[0].eventId });
  });

  it('gives the same result for the same scenario and seed, and compares runs side by side', async () => {
    const first = (await api.gql<{ runScenario: { id: string } }>(RUN, { id: scenarioId, input: { timeLimitSeconds: 20 } }, AS_PLANNER)).data!.runScenario.id;
    const second = (await api.gql<{ runScenario: { id: string } }>(RUN, { id: scenarioId, input: { timeLimitSeconds: 20 } }, AS_PLANNER)).data!.runScenario.id;
    const [a, b] = [await ended(first), await ended(second)];
    expect(a.result!.proposed.weightedUnmetDoseDays).toBe(b.result!.proposed.weightedUnmetDoseDays);
    expect(a.result!.unitTimelines).toEqual(b.result!.unitTimelines);
    const compared = await api.gql(`query($ids: [ID!]!) { compareRuns(ids: $ids) { runs { id status } bestRunId } }`, { ids: [first, second] }, AS_QA);
    expect(compared.errors).toBeUndefined();
    expect(compared.data!.compareRuns.runs.map((r: { id: string }) => r.id)).toEqual([first, second]);
    expect([first, second]).toContain(compared.data!.compareRuns.bestRunId);
    // The scenario lists its runs, the latest asked for first, for planners and Control Site QA alike.
    const listed = await api.gql<{ scenario: { runs: { id: string }[] } }>(`query($id: ID!) { scenario(id: $id) { runs(first: 2) { id status } } }`, { id: scenarioId }, AS_QA);
    expect(listed.data!.scenario.runs).toEqual([{ id: second, status: 'FINISHED' }, { id: first, status: 'FINISHED' }]);
    const tooMany = await api.gql(`query($id: ID!) { scenario(id: $id) { runs(first: 500) { id } } }`, { id: scenarioId }, AS_PLANNER);
    expect(tooMany.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it.each([
    ['a time limit of 0', { timeLimitSeconds: 0 }, 'BAD_USER_INPUT', 'timeLimitSeconds'],
    ['a version that does not exist', { version: 9 }, 'BAD_USER_INPUT', 'version'],
  ])('refuses %s with a typed error, recording nothing', async (_, input, code, field) => {
    const before = Number((await api.app.get(DataSource).query(`SELECT count(*) AS n FROM events`))[0].n);
    const { errors } = await api.gql(RUN, { id: scenarioId, input }, AS_PLANNER);
    expect(errors![0]!.extensions).toMatchObject({ code, field });
    expect(Number((await api.app.get(DataSource).query(`SELECT count(*) AS n FROM events`))[0].n)).toBe(before);
  });

  it('refuses to run CAR-T referrals from a day that has passed, saying what to set, and records no run', async () => {
    // Days as the network counts them (UK time), whatever the instant the suite is pinned to.
    const today = localDateOf(api.clock.now(), NETWORK_TIME_ZONE);
    const yesterday = addDays(today, -1);
    const past = { ...wave(yesterday), name: 'CAR-T from yesterday', vaccineDemand: [], referralsPerWeek: [{ region: 'NW', productCode: 'POC-CAR19', perWeek: 4 }] };
    const { id } = (await api.gql<{ createScenario: { id: string } }>(CREATE, { input: past }, AS_PLANNER)).data!.createScenario;
    const before = Number((await api.app.get(DataSource).query(`SELECT count(*) AS n FROM events`))[0].n);
    const { errors } = await api.gql(RUN, { id }, AS_PLANNER);
    expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
    expect(errors![0]!.message).toContain(`set asOf to today (${today}) or later`);
    expect(Number((await api.app.get(DataSource).query(`SELECT count(*) AS n FROM events`))[0].n)).toBe(before);
  });

  it('refuses an unknown scenario, and a scheduler or Control Site QA running one', async () => {
    expect((await api.gql(RUN, { id: 'no-such-scenario' }, AS_PLANNER)).errors![0]!.extensions.code).toBe('NOT_FOUND');
    for (const persona of [AS_SCHEDULER, AS_QA]) expect((await api.gql(RUN, { id: scenarioId }, persona)).errors![0]!.extensions.code).toBe('FORBIDDEN');
    expect((await api.gql(RESULT, { id: 'x' }, AS_SCHEDULER)).errors![0]!.extensions.code).toBe('FORBIDDEN');
  });

  it('runs CAR-T referrals through the real plan search on a copy of the network, repeatably, leaving the live network untouched', async () => {
    const today = new Date(api.clock.now()).toISOString().slice(0, 10);
    const cart = {
      ...wave(today),
      name: 'CAR-T demand doubles in the North West',
      days: 56,
      vaccineDemand: [],
      referralsPerWeek: [
        { region: 'NW', productCode: 'POC-CAR19', perWeek: 4 },
        { region: 'LON', productCode: 'POC-CAR19', perWeek: 3 },
      ],
    };
    const { id } = (await api.gql<{ createScenario: { id: string } }>(CREATE, { input: cart }, AS_PLANNER)).data!.createScenario;
    const CART = `query($id: ID!) { scenarioRun(id: $id) { status failure options { attrition batchFailure seed } carT {
      referred infused lostAfterCollection failedBatches stillWaiting bottleneck waitlistByWeek
      veinToVein { count mean p10 p50 p90 } referralToInfusion { p50 } waitForManufacture { mean }
      utilisation { siteCode unitId resource booked capacity share } } result { source } } }`;
    const counts = async () =>
      (await api.app.get(DataSource).query(`SELECT (SELECT count(*) FROM events WHERE stream_id NOT LIKE 'scenario-%') AS events, (SELECT count(*) FROM holds) AS holds, (SELECT count(*) FROM pathways) AS pathways`))[0];
    const before = await counts();
    const runOnce = async () => {
      const started = await api.gql<{ runScenario: { id: string } }>(RUN, { id, input: { seed: 5, attrition: 0.2, batchFailure: 0.05 } }, AS_PLANNER);
      expect(started.errors).toBeUndefined();
      await ended(started.data!.runScenario.id);
      return (await api.gql(CART, { id: started.data!.runScenario.id }, AS_PLANNER)).data!.scenarioRun;
    };
    const first = await runOnce();
    expect(first).toMatchObject({ status: 'FINISHED', failure: null, options: { attrition: 0.2, batchFailure: 0.05, seed: 5 }, result: null });
    const carT = first.carT;
    expect(carT.referred).toBeGreaterThan(20);
    expect(carT.infused + carT.lostAfterCollection + carT.stillWaiting).toBe(carT.referred);
    expect(carT.veinToVein.count).toBe(carT.infused);
    // The demo's fresh product is made in 7 days and infused the day it is ready.
    expect(carT.veinToVein.p50).toBeGreaterThanOrEqual(7);
    expect(carT.waitlistByWeek).toHaveLength(8);
    expect(carT.bottleneck).toMatch(/% of plans were limited by .*; the busiest resource was /);
    expect(carT.utilisation.some((u: { unitId: string | null; booked: number }) => u.unitId && u.booked > 0)).toBe(true);
    // The same scenario and seed, the same answer; and the live network as it was.
    expect((await runOnce()).carT).toEqual(carT);
    expect(await counts()).toEqual(before);
  });

  // Last: committing changes the live network the runs above start from.
  it('commits a finished run’s plan as deployments, all at once and once only, for Control Site QA', async () => {
    const runId = (await api.gql<{ runScenario: { id: string } }>(RUN, { id: scenarioId, input: { timeLimitSeconds: 20 } }, AS_PLANNER)).data!.runScenario.id;
    const run = await ended(runId);
    const moves = run.result!.unitTimelines.flatMap((t) => t.segments.filter((s) => s.kind === 'MOVING').map((s) => ({ unitId: t.unitId, region: s.region })));
    expect(moves.length).toBeGreaterThan(0);
    const COMMIT = `mutation($runId: ID!, $reason: String) { commitScenarioPlan(runId: $runId, reason: $reason) { id unitId toSiteCode leavesOn reason status } }`;
    expect((await api.gql(COMMIT, { runId }, AS_PLANNER)).errors![0]!.extensions.code).toBe('FORBIDDEN');

    const committed = await api.gql<{ commitScenarioPlan: { id: string; unitId: string; toSiteCode: string; reason: string }[] }>(COMMIT, { runId, reason: 'Approved by the surge cell' }, AS_QA);
    expect(committed.errors).toBeUndefined();
    const deployments = committed.data!.commitScenarioPlan;
    expect(deployments.map((d) => d.unitId)).toEqual(moves.map((m) => m.unitId).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const d of deployments) expect(d.reason).toBe(`Scenario "Winter wave" v1, run ${runId}: Approved by the surge cell`);
    const listed = await api.gql(`{ deployments { edges { node { id } } } }`, {}, AS_SCHEDULER);
    expect(listed.data!.deployments.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(expect.arrayContaining(deployments.map((d) => d.id)));
    const shown = await api.gql(`query($id: ID!) { scenarioRun(id: $id) { committedAt committedBy } }`, { id: runId }, AS_PLANNER);
    expect(shown.data!.scenarioRun).toMatchObject({ committedAt: expect.any(String), committedBy: AS_QA.actor });

    const before = Number((await api.app.get(DataSource).query(`SELECT count(*) AS n FROM events`))[0].n);
    const again = await api.gql(COMMIT, { runId }, AS_QA);
    expect(again.errors![0]!).toMatchObject({ message: expect.stringMatching(/already been committed/), extensions: { code: 'CONFLICT' } });
    expect(Number((await api.app.get(DataSource).query(`SELECT count(*) AS n FROM events`))[0].n)).toBe(before);
  });
});
