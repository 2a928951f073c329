import { addDays, localDateOf } from '@bedside/shared';
import { plannedSteps, recordAt, referAndBook, regimenOf, step, walkThePlan, type BookedPathway } from '../support/pathway-steps';
import { AS_QA, AS_SCHEDULER, startDemoApi, type GraphQLResponse, type TestApi } from '../support/test-api';

/**
 * Issue 14 §1, as a regulator would read it. The rule: every batch is traceable from the unit and the
 * days it was made to the patient it reached, with its whole history (who released it, with a
 * signature), so a recall or a safety report can start from "batches made on this unit between these
 * days". Control Site QA sees every batch; a trust sees its own patients' batches.
 */
const BATCH = 'batchId issued productCode unitId siteCode startedAt releasedAt infusedAt status adverseEventCount coi referringTrust';
const OTHER_TRUST = { ...AS_SCHEDULER, trusts: ['RRK'], actor: 'coordinator@rrk' };

interface Batch {
  batchId: string;
  issued: boolean;
  unitId: string;
  siteCode: string;
  startedAt: string;
  releasedAt: string | null;
  infusedAt: string | null;
  status: string;
  adverseEventCount: number;
  coi: string;
}

describe('issue 14 §1: batches and the safety lookback', () => {
  let api: TestApi;
  const errorOf = (result: GraphQLResponse) => result.errors?.[0];
  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  const batchIdOf = async (coi: string) => (await step<{ pathway: { batchId: string | null } }>(api, `query($coi: ID!) { pathway(coi: $coi) { batchId } }`, { coi })).pathway.batchId;
  const lookback = (filter: Record<string, unknown>, as = AS_QA) =>
    api.gql<{ batchLookback: { edges: { node: Batch }[] } }>(`query($filter: BatchFilterInput) { batchLookback(filter: $filter) { edges { node { ${BATCH} } } } }`, { filter }, as);
  const manufactureOf = async (booked: BookedPathway) => plannedSteps(booked, await regimenOf(api, booked.coi)).find((s) => s.name === 'MANUFACTURE_STARTED')!;

  let walked: BookedPathway;
  let issued: string;

  it('issues a batch id as manufacture starts, names the batch at every later step, and shows its whole history with the releasing signature and an adverse event', async () => {
    walked = await referAndBook(api, 'BATCH-1');
    expect(await batchIdOf(walked.coi)).toBeNull();
    await walkThePlan(api, walked);
    issued = (await batchIdOf(walked.coi))!;
    const year = localDateOf(new Date((await manufactureOf(walked)).at), 'Europe/London').slice(0, 4);
    expect(issued).toMatch(new RegExp(`^${walked.plan.unitId}-${year}-\\d{4}$`));

    const onset = new Date(api.clock.now().getTime() - 3_600_000).toISOString();
    const reported = await api.gql(`mutation($input: AdverseEventInput!) { reportAdverseEvent(input: $input) { batchId } }`, {
      input: { coi: walked.coi, occurredAt: onset, seriousness: 'SERIOUS', description: 'Grade 3 cytokine release syndrome, tocilizumab given' },
    }, AS_SCHEDULER);
    expect(reported.errors).toBeUndefined();

    const { batch } = await step<{ batch: Batch & { history: { type: string; occurredAt: string; actor: string; signer: string | null; signedInAt: string | null; data: Record<string, unknown> }[] } }>(
      api,
      `query($id: ID!) { batch(batchId: $id) { ${BATCH} history { type occurredAt actor signer signedInAt data } } }`,
      { id: issued.toLowerCase() },
    );
    expect(batch).toMatchObject({ batchId: issued, issued: true, unitId: walked.plan.unitId, siteCode: walked.plan.unitSiteCode, status: 'RELEASED', adverseEventCount: 1, coi: walked.coi, infusedAt: expect.any(String) });
    // Fresh product may be infused before its QC release (domain.md step 7), so those two come in either order.
    expect(batch.history[0]!.type).toBe('ManufactureStarted');
    expect(new Set(batch.history.map((h) => h.type))).toEqual(new Set(['ManufactureStarted', 'ManufactureCompleted', 'ProductReleased', 'PatientInfused', 'AdverseEventReported']));
    const release = batch.history.find((h) => h.type === 'ProductReleased')!;
    expect(release).toMatchObject({ signer: AS_SCHEDULER.actor, signedInAt: expect.any(String) });
    expect(batch.history.at(-1)).toMatchObject({ type: 'AdverseEventReported', occurredAt: onset, data: { seriousness: 'SERIOUS', batchId: issued } });
  });

  it('takes the site’s own batch id, refuses it a second time and a label that is not the patient’s, and records nothing then', async () => {
    const first = await referAndBook(api, 'BATCH-SITE-1');
    await walkThePlan(api, first, { through: 'RECEIVED' });
    const start = await manufactureOf(first);
    const query = `mutation($coi: ID!, $input: ManufactureStartInput!) { startManufacture(coi: $coi, input: $input) { batchId status } }`;
    const input = { siteCode: first.plan.unitSiteCode, unitId: first.plan.unitId };
    if (api.clock.now() < start.at) api.clock.set(start.at);

    const wrongLabel = await api.gql(query, { coi: first.coi, input: { ...input, labelCoi: 'B000126900001J' } }, AS_SCHEDULER);
    expect(errorOf(wrongLabel)).toMatchObject({ extensions: { code: 'CONFLICT', scanned: 'B000126900001J' }, message: expect.stringMatching(/Chain of Identity mismatch at the start of manufacture.*Stop/) });
    const badId = await api.gql(query, { coi: first.coi, input: { ...input, batchId: 'no spaces please' } }, AS_SCHEDULER);
    expect(errorOf(badId)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'batchId' } });

    const siteId = `RBV-CAR19-${first.coi.slice(-6)}`;
    const made = await api.gql<{ startManufacture: { batchId: string; status: string } }>(query, { coi: first.coi, input: { ...input, batchId: siteId.toLowerCase(), labelCoi: first.coi } }, AS_SCHEDULER);
    expect(made.data!.startManufacture).toEqual({ batchId: siteId, status: 'IN_MANUFACTURE' });
    const { batch } = await step<{ batch: Batch }>(api, `query($id: ID!) { batch(batchId: $id) { ${BATCH} } }`, { id: siteId });
    expect(batch).toMatchObject({ issued: false, status: 'IN_MANUFACTURE', coi: first.coi });

    // A second batch cannot take the same id: the second start of manufacture is refused whole.
    const second = await referAndBook(api, 'BATCH-SITE-2');
    await walkThePlan(api, second, { through: 'RECEIVED' });
    const secondStart = await manufactureOf(second);
    if (api.clock.now() < secondStart.at) api.clock.set(secondStart.at);
    const again = await api.gql(query, { coi: second.coi, input: { siteCode: second.plan.unitSiteCode, unitId: second.plan.unitId, batchId: siteId } }, AS_SCHEDULER);
    expect(errorOf(again)).toMatchObject({ extensions: { code: 'CONFLICT', batchId: siteId }, message: expect.stringMatching(/already recorded/) });
    expect(await batchIdOf(second.coi)).toBeNull();
  });

  it('gives two starts of manufacture on one unit, raced, two numbers of its register in turn', async () => {
    // The cryopreserved comparator is made on one 16-batch unit (MU-RRK01-SHU1), so both batches are made there.
    const pair = [await referAndBook(api, 'BATCH-RACE-1', 'CRYO-CAR19'), await referAndBook(api, 'BATCH-RACE-2', 'CRYO-CAR19')];
    expect(pair[1]!.plan.unitId).toBe(pair[0]!.plan.unitId);
    // Both walked to receipt at their plans' own instants, interleaved in time; both started at once, when the later is due (no fresh hold binds frozen-bound material).
    const steps = (await Promise.all(pair.map(async (b) => plannedSteps(b, await regimenOf(api, b.coi)).slice(0, 3)))).flat().sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const s of steps) await recordAt(api, s.at, s.query, s.variables);
    const starts = await Promise.all(pair.map(manufactureOf));
    api.clock.set(new Date(Math.max(api.clock.now().getTime(), ...starts.map((s) => s.at.getTime()))));
    const query = `mutation($coi: ID!, $input: ManufactureStartInput!) { startManufacture(coi: $coi, input: $input) { batchId } }`;
    const raced = await Promise.all(
      pair.map((b) =>
        api.gql<{ startManufacture: { batchId: string } }>(
          query,
          { coi: b.coi, input: { siteCode: b.plan.unitSiteCode, unitId: b.plan.unitId } },
          AS_SCHEDULER,
        ),
      ),
    );
    expect(raced.map((r) => r.errors)).toEqual([undefined, undefined]);
    const sequences = raced.map((r) => Number(r.data!.startManufacture.batchId.split('-').at(-1))).sort((a, b) => a - b);
    expect(sequences[1]).toBe(sequences[0]! + 1);
  });

  it('finds the batches made on a unit between two days with the patients they reached; a trust sees only its own patients’ batches', async () => {
    const madeOn = localDateOf(new Date((await manufactureOf(walked)).at), 'Europe/London');
    const onTheUnit = await lookback({ unitId: walked.plan.unitId, from: madeOn, to: madeOn });
    expect(onTheUnit.errors).toBeUndefined();
    expect(onTheUnit.data!.batchLookback.edges.map((e) => e.node)).toContainEqual(expect.objectContaining({ batchId: issued, coi: walked.coi, infusedAt: expect.any(String) }));
    const dayAfter = await lookback({ unitId: walked.plan.unitId, from: addDays(madeOn, 1), to: addDays(madeOn, 30) });
    expect(dayAfter.data!.batchLookback.edges.map((e) => e.node.batchId)).not.toContain(issued);
    const bySite = await lookback({ siteCode: walked.plan.unitSiteCode, productCode: 'POC-CAR19' });
    expect(bySite.data!.batchLookback.edges.map((e) => e.node.batchId)).toContain(issued);

    expect((await lookback({ unitId: walked.plan.unitId }, AS_SCHEDULER)).data!.batchLookback.edges.map((e) => e.node.batchId)).toContain(issued);
    expect((await lookback({ unitId: walked.plan.unitId }, OTHER_TRUST)).data!.batchLookback.edges).toEqual([]);
    const notTheirs = await api.gql(`query($id: ID!) { batch(batchId: $id) { batchId } }`, { id: issued }, OTHER_TRUST);
    expect(errorOf(notTheirs)!.extensions.code).toBe('FORBIDDEN');

    const backwards = await lookback({ from: madeOn, to: addDays(madeOn, -1) });
    expect(errorOf(backwards)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'to' } });
    const unknown = await api.gql(`{ batch(batchId: "NO-SUCH-BATCH") { batchId } }`);
    expect(errorOf(unknown)!.extensions.code).toBe('NOT_FOUND');
  });

  it('refuses an adverse event dated in the future, without a description, or before any treatment, recording nothing', async () => {
    const booked = await referAndBook(api, 'BATCH-AE');
    const mutation = `mutation($input: AdverseEventInput!) { reportAdverseEvent(input: $input) { batchId } }`;
    const now = api.clock.now().getTime();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ occurredAt: new Date(now + 3_600_000).toISOString(), description: 'Fever' }, 'BAD_USER_INPUT', /after now/],
      [{ occurredAt: new Date(now - 3_600_000).toISOString(), description: ' ' }, 'BAD_USER_INPUT', /Describe the adverse event/],
      [{ occurredAt: new Date(now - 3_600_000).toISOString(), description: 'Fever' }, 'CONFLICT', /no collection, conditioning or product yet/],
    ];
    for (const [input, code, message] of cases) {
      const refused = await api.gql(mutation, { input: { coi: booked.coi, seriousness: 'NON_SERIOUS', ...input } }, AS_SCHEDULER);
      expect({ code: errorOf(refused)?.extensions.code, message: errorOf(refused)?.message }).toEqual({ code, message: expect.stringMatching(message) });
    }
    const trail = await step<{ auditTrail: { edges: { node: { type: string } }[] } }>(api, `query($s: ID!) { auditTrail(streamId: $s) { edges { node { type } } } }`, { s: `pathway-${booked.coi}` });
    expect(trail.auditTrail.edges.map((e) => e.node.type)).not.toContain('AdverseEventReported');
  });
});
