import { CapacityReads } from '@bedside/capacity';
import { EVENT_STORE, retryOnConflict, type EventStore } from '@bedside/event-store';
import { holdSlot, slotEvolver, slotStreamId, SlotTakenError, type SlotRef } from '@bedside/pathways';
import { addDays, replay } from '@bedside/shared';
import { demoHomeDistrict } from '@bedside/network';
import { AS_PLANNER, AS_SCHEDULER, eventually, startDemoApi, type GraphQLResponse, type TestApi } from '../support/test-api';
import { step } from '../support/pathway-steps';

/**
 * Issue 14 §4, ICU cover: 27 to 35% of CAR-T patients need intensive care, typically on day 5 or 6 after
 * infusion. Each plan reserves the product's icuReserveProbability (0.3 in the demo) of an ICU bed at its
 * treatment centre on those two days, so the cover reserved never exceeds the ICU beds open. These tests
 * are the scheduler's and the planner's view of it, on the demo network.
 */
type PlanSlot = { resourceKey: string; day: string; session: string; share: number | null };
type Plan = { treatmentCentre: string; infusionDay: string; slots: PlanSlot[]; steps: { kind: string; siteCode: string; slots: PlanSlot[] }[] };

const REFER = `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`;
const PLANS = `query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { treatmentCentre infusionDay slots { resourceKey day session share } steps { kind siteCode slots { resourceKey day session share } } } }`;
const HOLD = `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`;
const ICU_DAY = `query($site: String!, $day: LocalDate!) { capacity(filter: { siteCodes: [$site], resources: [ICU_BED] }, from: $day, to: $day) { edges { node { capacity committed tentative free } } } }`;

/** A slot as holdPlan takes it: the share is the product's, set by Bedside, never sent. */
const asInput = ({ resourceKey, day, session }: PlanSlot) => ({ resourceKey, day, session });

describe('issue 14 §4: each plan reserves ICU cover on days 5 and 6 after infusion', () => {
  let api: TestApi;
  const errorOf = (result: GraphQLResponse) => result.errors?.[0];

  const referAndPlan = async (patientRef: string): Promise<{ coi: string; plan: Plan }> => {
    const input = { patientRef, homeDistrict: demoHomeDistrict('RBV01'), referringTrust: 'RBV', productCode: 'POC-CAR19', treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'URGENT' };
    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, REFER, { input });
    const { planOptions } = await step<{ planOptions: Plan[] }>(api, PLANS, { coi: referPatient.coi });
    return { coi: referPatient.coi, plan: planOptions[0]! };
  };
  /** A planner closes ICU beds: only planners and Control Site QA change calendars. */
  const closeIcu = async (input: Record<string, unknown>) => {
    const result = await api.gql(`mutation($input: CalendarExceptionInput!) { addCalendarException(input: $input) { siteCode } }`, { input: { resource: 'ICU_BED', ...input } }, AS_PLANNER);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  };
  const icuDay = async (site: string, day: string) => {
    const result = await api.gql(ICU_DAY, { site, day }, AS_PLANNER);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.capacity.edges[0].node as { capacity: number; committed: number; tentative: number; free: number };
  };

  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('offers plans whose ICU step reserves 0.3 of a bed at the centre on days 5 and 6, and shows the share held, then booked, in capacity', async () => {
    const { coi, plan } = await referAndPlan('ICU-1');
    const icu = plan.steps.find((s) => s.kind === 'ICU')!;
    const days = [addDays(plan.infusionDay, 5), addDays(plan.infusionDay, 6)];
    expect(icu.siteCode).toBe(plan.treatmentCentre);
    expect(icu.slots).toEqual(days.map((day) => ({ resourceKey: `site:${plan.treatmentCentre}:ICU_BED`, day, session: '', share: 0.3 })));
    // Every other place is a whole one.
    expect(plan.slots.filter((s) => !s.resourceKey.endsWith(':ICU_BED')).every((s) => s.share === null)).toBe(true);

    const before = await icuDay(plan.treatmentCentre, days[0]!);
    const { holdPlan } = await step<{ holdPlan: { id: string } }>(api, HOLD, { input: { coi, slots: plan.slots.map(asInput), idempotencyKey: 'icu-1' } });
    await eventually(async () => expect(await icuDay(plan.treatmentCentre, days[0]!)).toEqual({ ...before, tentative: before.tentative + 0.3, free: Math.round((before.free - 0.3) * 100) / 100 }));
    await step(api, `mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "confirm") { status } }`, { id: holdPlan.id });
    await eventually(async () => expect(await icuDay(plan.treatmentCentre, days[1]!)).toMatchObject({ committed: Math.round((before.committed + 0.3) * 100) / 100 }));
  });

  it('refuses to hold a plan without its ICU cover, or with the cover on other days, saying what is needed; nothing is held', async () => {
    const { coi, plan } = await referAndPlan('ICU-2');
    const withoutCover = plan.slots.filter((s) => !s.resourceKey.endsWith(':ICU_BED')).map(asInput);
    const refused = await api.gql(HOLD, { input: { coi, slots: withoutCover, idempotencyKey: 'icu-2' } }, AS_SCHEDULER);
    expect(errorOf(refused)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', rule: 'R10 ICU cover' } });
    const [d5, d6] = [addDays(plan.infusionDay, 5), addDays(plan.infusionDay, 6)];
    expect(errorOf(refused)!.message).toBe(
      `These slots are not a plan Bedside can book (R10 ICU cover): 30% of an ICU bed at ${plan.treatmentCentre} must be reserved on ${d5} and ${d6} (days 5 and 6 after infusion), as 30% of patients given this product need intensive care then; ` +
        'these slots hold no ICU bed. Hold the slots of a plan from planOptions, which include the cover.',
    );
    const dayLate = plan.slots.map((s) => (s.resourceKey.endsWith(':ICU_BED') ? { ...asInput(s), day: addDays(s.day, 1) } : asInput(s)));
    const late = await api.gql(HOLD, { input: { coi, slots: dayLate, idempotencyKey: 'icu-2b' } }, AS_SCHEDULER);
    expect(errorOf(late)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', rule: 'R10 ICU cover' } });
    const { pathway } = await step<{ pathway: { status: string; holdId: string | null } }>(api, `query($coi: ID!) { pathway(coi: $coi) { status holdId } }`, { coi });
    expect(pathway).toEqual({ status: 'REFERRED', holdId: null });
  });

  it('gives the last shares of an ICU bed to exactly three of ten racing holds of 0.3: the others get SLOT_TAKEN, and the bed is never over-reserved', async () => {
    // A day no demo plan reaches, with one of The Christie's two ICU beds out: one bed, 0.3 a plan.
    const day = addDays(new Date(api.clock.now()).toISOString().slice(0, 10), 200);
    await closeIcu({ siteCode: 'RBV01', kind: 'STAFF_SHORTAGE', from: day, to: day, unavailable: 1, reason: 'ICU nurse vacancy' });
    const icu: SlotRef = { resourceKey: 'site:RBV01:ICU_BED', day, session: '', share: 0.3 };
    await eventually(async () => expect(await icuDay('RBV01', day)).toMatchObject({ capacity: 1, free: 1 }));
    const store = api.app.get<EventStore>(EVENT_STORE);
    const capacity = [...(await api.app.get(CapacityReads).placed([icu])).slots.values()][0]!.capacity;
    // Each racer decides as the hold handler does (holdSlot on the slot stream as read) and appends at the version it read.
    const race = (i: number) =>
      retryOnConflict(async () => {
        const events = await store.readStream(slotStreamId(icu));
        const decided = holdSlot(replay(slotEvolver, events.map((e) => ({ type: e.type, data: e.data })) as never), icu, capacity, `race-hold-${i}`, `RACE-${i}`);
        await store.append([{ streamId: slotStreamId(icu), expectedVersion: events.length === 0 ? 'no_stream' : events.length, events: decided.map((e) => ({ type: e.type, data: { ...e.data } })) }], { actor: `scheduler-${i}`, correlationId: `icu-race-${i}` });
        return 'held';
      }).catch((error: unknown) => (error instanceof SlotTakenError ? error.code : Promise.reject(error)));
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => race(i)));
    expect(outcomes.filter((o) => o === 'held')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'SLOT_TAKEN')).toHaveLength(7);
    expect((await store.readStream(slotStreamId(icu))).map((e) => e.type)).toEqual(['SlotHeld', 'SlotHeld', 'SlotHeld']);
    await eventually(async () => expect(await icuDay('RBV01', day)).toEqual({ capacity: 1, committed: 0, tentative: 0.9, free: 0.1 }));
  });

  it('puts a booking at risk when an ICU bed closes below the cover reserved on it, proposing a repair with cover that fits', async () => {
    const { coi, plan } = await referAndPlan('ICU-4');
    const { holdPlan } = await step<{ holdPlan: { id: string } }>(api, HOLD, { input: { coi, slots: plan.slots.map(asInput), idempotencyKey: 'icu-4' } });
    await step(api, `mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "confirm") { status } }`, { id: holdPlan.id });
    const d5 = addDays(plan.infusionDay, 5);
    await closeIcu({ siteCode: plan.treatmentCentre, kind: 'OUTAGE', from: d5, to: d5, reason: 'ICU closed for deep clean' });
    const AT_RISK = `{ atRiskPathways { edges { node { pathway { coi } reasons proposal { treatmentCentre infusionDay slots { resourceKey day session share } } } } } }`;
    const entry = await eventually(async () => {
      const { data } = await api.gql(AT_RISK, {}, AS_PLANNER);
      const found = data!.atRiskPathways.edges.map((e: { node: { pathway: { coi: string } } }) => e.node).find((n: { pathway: { coi: string } }) => n.pathway.coi === coi);
      expect(found).toBeDefined();
      return found as { reasons: string[]; proposal: { slots: PlanSlot[] } | null };
    });
    expect(entry.reasons.join(' ')).toContain(`site:${plan.treatmentCentre}:ICU_BED, ${d5}`);
    // The repair reserves its cover elsewhere than the closed day.
    const cover = entry.proposal!.slots.filter((s) => s.resourceKey.endsWith(':ICU_BED'));
    expect(cover).toHaveLength(2);
    expect(cover.every((s) => s.share === 0.3)).toBe(true);
    expect(cover.some((s) => s.resourceKey === `site:${plan.treatmentCentre}:ICU_BED` && s.day === d5)).toBe(false);
  });
});
