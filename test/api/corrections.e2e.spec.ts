import { randomUUID } from 'node:crypto';
import { plannedSteps, recordAt, referAndBook, regimenOf, step, walkThePlan, type BookedPathway } from '../support/pathway-steps';
import { AS_DASHBOARD, AS_SCHEDULER, startDemoApi, type GraphQLResponse, type TestApi } from '../support/test-api';

/**
 * Issue 14 §3, as a regulator would read it. The rule: a recorded clinical fact is never overwritten; a
 * correction is a new entry naming the one it corrects, with the reason and who made it, and a step
 * recorded on the wrong pathway is marked entered in error. Reads show the corrected facts, the audit
 * trail shows both, and the rules judge the corrected facts (the fresh hold counts from the corrected
 * first session).
 */
const HOUR = 3_600_000;
const STEPS = 'recordedSteps { eventId step occurredAt firstSessionStartedAt sessions corrections { reason occurredAtWas } enteredInError }';

interface RecordedStep {
  eventId: string;
  step: string;
  occurredAt: string;
  firstSessionStartedAt: string | null;
  sessions: number | null;
  corrections: { reason: string; occurredAtWas: string | null }[];
  enteredInError: string | null;
}
interface PathwayRead {
  status: string;
  productState: string;
  version: number;
  recordedSteps: RecordedStep[];
}

describe('issue 14 §3: corrections, never overwrites', () => {
  let api: TestApi;
  const errorOf = (result: GraphQLResponse) => result.errors?.[0];

  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  const read = async (coi: string) => (await step<{ pathway: PathwayRead }>(api, `query($coi: ID!) { pathway(coi: $coi) { status productState version ${STEPS} } }`, { coi })).pathway;
  const stepOf = async (coi: string, type: string) => (await read(coi)).recordedSteps.find((s) => s.step === type)!;
  const correct = (input: Record<string, unknown>, as = AS_SCHEDULER) =>
    api.gql<{ correctStep: PathwayRead }>(`mutation($input: StepCorrectionInput!) { correctStep(input: $input) { status productState version ${STEPS} } }`, { input }, as);
  const markInError = (input: Record<string, unknown>, as = AS_SCHEDULER) =>
    api.gql<{ markEnteredInError: PathwayRead }>(`mutation($input: EnteredInErrorInput!) { markEnteredInError(input: $input) { status productState version ${STEPS} } }`, { input }, as);
  const trail = async (coi: string) =>
    (await step<{ auditTrail: { edges: { node: { eventId: string; type: string; actor: string; reason: string | null; data: Record<string, unknown> } }[] } }>(
      api,
      `query($s: ID!) { auditTrail(streamId: $s) { edges { node { eventId type actor reason data } } } }`,
      { s: `pathway-${coi}` },
    )).auditTrail.edges.map((e) => e.node);

  /** The instant that makes the fresh hold end an hour before the plan's manufacture starts, from the booked plan itself. */
  const firstSessionThatLapses = (booked: BookedPathway) => {
    const manufacture = booked.plan.steps.find((s) => s.kind === 'MANUFACTURE')!;
    return new Date(Date.parse(manufacture.start) - 37 * HOUR);
  };

  it('moves the fresh hold with a corrected first session: the original stays in the audit trail, reads and the start of manufacture use the correction', async () => {
    const booked = await referAndBook(api, 'CORRECT-HOLD');
    await walkThePlan(api, booked, { through: 'RECEIVED' });
    const collection = await stepOf(booked.coi, 'CollectionRecorded');
    const firstSession = firstSessionThatLapses(booked);

    const corrected = await correct({ coi: booked.coi, eventId: collection.eventId, firstSessionStartedAt: firstSession.toISOString(), sessions: 2, reason: 'First session was the evening before; the apheresis log shows two sessions' });
    expect(corrected.errors).toBeUndefined();
    const after = corrected.data!.correctStep.recordedSteps.find((s) => s.eventId === collection.eventId)!;
    expect(after).toMatchObject({ firstSessionStartedAt: firstSession.toISOString(), sessions: 2, corrections: [{ reason: expect.stringMatching(/evening before/), occurredAtWas: null }], enteredInError: null });

    // The audit trail: the collection as first recorded, and the correction naming it, with who and why.
    const entries = await trail(booked.coi);
    const original = entries.find((e) => e.eventId === collection.eventId)!;
    expect(original.data).toMatchObject({ sessions: collection.sessions, firstSessionStartedAt: collection.firstSessionStartedAt });
    expect(entries.at(-1)).toMatchObject({
      type: 'StepCorrected',
      actor: AS_SCHEDULER.actor,
      reason: expect.stringMatching(/evening before/),
      data: { eventId: collection.eventId, step: 'CollectionRecorded', was: { firstSessionStartedAt: collection.firstSessionStartedAt, sessions: collection.sessions }, now: { firstSessionStartedAt: firstSession.toISOString(), sessions: 2 }, deviations: [] },
    });

    // At the plan's start of manufacture the corrected hold has ended: refused, naming the corrected first session.
    const manufacture = plannedSteps(booked, await regimenOf(api, booked.coi)).find((s) => s.name === 'MANUFACTURE_STARTED')!;
    if (api.clock.now() < manufacture.at) api.clock.set(manufacture.at);
    const started = await api.gql(manufacture.query, manufacture.variables, AS_SCHEDULER);
    expect(errorOf(started)!.extensions.code).toBe('STEP_OUT_OF_ORDER');
    expect(errorOf(started)!.message).toContain(`held 37.0 h since its first collection session began (${firstSession.toISOString()}), beyond its 36 h hold`);
  });

  it('names the rule a recorded step now breaks when a correction shows it, and keeps the record', async () => {
    const booked = await referAndBook(api, 'CORRECT-LATE');
    await walkThePlan(api, booked, { through: 'MANUFACTURE_STARTED' });
    const collection = await stepOf(booked.coi, 'CollectionRecorded');
    const result = await correct({ coi: booked.coi, eventId: collection.eventId, firstSessionStartedAt: firstSessionThatLapses(booked).toISOString(), reason: 'Apheresis log reviewed' });
    expect(result.data!.correctStep.productState).toBe('IN_MANUFACTURE');
    const correction = (await trail(booked.coi)).at(-1)!;
    expect(correction.data.deviations).toEqual([expect.stringMatching(/^Manufacture started at .*, after the 36 h fresh hold that ran from the first session \(.*\) ended at /)]);
  });

  it('marks the latest step entered in error: the pathway stands as before it, the trail keeps it, and the step can be recorded again', async () => {
    const booked = await referAndBook(api, 'IN-ERROR');
    const walked = await walkThePlan(api, booked, { through: 'RECEIVED' });
    const collection = await stepOf(booked.coi, 'CollectionRecorded');
    const receipt = (await read(booked.coi)).recordedSteps.at(-1)!;
    expect(receipt.step).toBe('MaterialHandedOver');

    // Later steps were recorded on the collection: they are marked first.
    const tooEarly = await markInError({ coi: booked.coi, eventId: collection.eventId, reason: 'Wrong patient' });
    expect(errorOf(tooEarly)).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/^Steps were recorded after this CollectionRecorded: MaterialHandedOver .*Mark those entered in error first/) });

    const marked = await markInError({ coi: booked.coi, eventId: receipt.eventId, reason: 'Scanned at the wrong unit' });
    expect(marked.errors).toBeUndefined();
    expect(marked.data!.markEnteredInError).toMatchObject({ status: 'IN_TRANSIT', productState: 'IN_TRANSIT' });
    expect(marked.data!.markEnteredInError.recordedSteps.at(-1)).toMatchObject({ eventId: receipt.eventId, enteredInError: 'Scanned at the wrong unit' });
    const entries = await trail(booked.coi);
    expect(entries.filter((e) => e.eventId === receipt.eventId)).toHaveLength(1);
    expect(entries.at(-1)).toMatchObject({ type: 'StepEnteredInError', reason: 'Scanned at the wrong unit', data: { eventId: receipt.eventId } });

    const received = walked.at(-1)!;
    await recordAt(api, new Date(api.clock.now().getTime() + 60_000), received.query, received.variables);
    expect((await read(booked.coi)).productState).toBe('RECEIVED');
  });

  it('refuses a correction with no reason, out of order, of a fact the step does not have, of an unknown event, or by someone who may not: nothing is recorded', async () => {
    const booked = await referAndBook(api, 'CORRECT-BAD');
    await walkThePlan(api, booked, { through: 'SHIPPED' });
    const { version, recordedSteps } = await read(booked.coi);
    const [collection, shipped] = recordedSteps as [RecordedStep, RecordedStep];
    const afterShipping = new Date(Date.parse(shipped.occurredAt) + 60_000).toISOString();
    api.clock.set(new Date(Date.parse(shipped.occurredAt) + HOUR));
    const cases: [Record<string, unknown>, typeof AS_SCHEDULER, string, RegExp][] = [
      [{ eventId: collection.eventId, sessions: 2, reason: '  ' }, AS_SCHEDULER, 'BAD_USER_INPUT', /Say why the step is corrected/],
      [{ eventId: collection.eventId, occurredAt: afterShipping, reason: 'Clock drift' }, AS_SCHEDULER, 'BAD_USER_INPUT', /is after the step recorded after it \(MaterialHandedOver/],
      [{ eventId: shipped.eventId, sessions: 2, reason: 'Typo' }, AS_SCHEDULER, 'BAD_USER_INPUT', /Only a collection has sessions/],
      [{ eventId: collection.eventId, sessions: collection.sessions, reason: 'Checked' }, AS_SCHEDULER, 'BAD_USER_INPUT', /Nothing to correct/],
      [{ eventId: randomUUID(), sessions: 2, reason: 'Typo' }, AS_SCHEDULER, 'NOT_FOUND', /take the event id from the pathway's audit trail/],
      [{ eventId: collection.eventId, sessions: 2, reason: 'Typo' }, { ...AS_SCHEDULER, trusts: ['RRK'] }, 'FORBIDDEN', /only for RRK/],
      [{ eventId: collection.eventId, sessions: 2, reason: 'Typo' }, AS_DASHBOARD, 'FORBIDDEN', /correctStep/],
    ];
    for (const [input, as, code, message] of cases) {
      const refused = await correct({ coi: booked.coi, ...input }, as);
      expect({ code: errorOf(refused)?.extensions.code, message: errorOf(refused)?.message }).toEqual({ code, message: expect.stringMatching(message) });
    }
    expect((await read(booked.coi)).version).toBe(version);
  });
});
