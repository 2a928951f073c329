import { DateTime } from 'luxon';
import { addDays } from '@bedside/shared';
import { DataSource } from 'typeorm';
import { CapacityReads } from '@bedside/capacity';
import { EVENT_STORE, type EventStore } from '@bedside/event-store';
import { ProjectionEngine } from '@bedside/read-model';
import { HoldExpiry, normaliseCoi } from '@bedside/pathways';
import { AS_PLANNER, AS_SCHEDULER, eventually, startTestApi, type TestApi, testInstant } from '../support/test-api';
import { createTestDatabase } from '../support/test-database';

const today = DateTime.fromJSDate(testInstant()).setZone('Europe/London').toISODate()!;
const inDays = (n: number) => DateTime.fromISO(today).plus({ days: n }).toISODate()!;

const process = {
  productCode: 'POC-CAR19', name: 'Fresh POC CAR-T', startingMaterial: 'FRESH', maxFreshHoldHours: 36, apheresisSessions: 1, apheresisHoursPerSession: 4,
  manufactureDays: 7, qcMethod: 'RAPID', qcReleaseDays: 0, shelfLifeHours: 6, conditioningRegimen: 'Flu/Cy', conditioningDays: [-5, -4, -3],
  infusionWindowMinDays: 3, infusionWindowMaxDays: 3, conditioningGate: 'CONDITIONING_DURING_MANUFACTURE', reconditionAfterDays: 14,
  monitoringInpatientDays: 7, stayWithinReachDays: 28, stayWithinReachMinutes: 120, icuReserveProbability: 0.3,
};

const REFER = `mutation($input: ReferralInput!) { referPatient(input: $input) { coi patientRef referringTrust productCode dmmfVersion status earliestCollectionDate washout { drugClass lastDoseDate days } } }`;
const HOLD = `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id coi status expiresAt slots { resourceKey day session } } }`;
const CONFIRM = `mutation($holdId: ID!, $key: String!) { confirmHold(holdId: $holdId, idempotencyKey: $key) { coi status holdId } }`;

/** A small network: one centre with two apheresis chairs, beds and chairs for treatment, ICU beds for the cover each plan reserves, a one-batch unit, and a product made on it. */
async function buildNetwork(api: TestApi): Promise<void> {
  const ok = async (query: string, variables?: Record<string, unknown>) => {
    const result = await api.gql(query, variables);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  };
  await ok(`mutation { registerSite(input: { code: "RBV01", name: "The Christie", kind: HOSPITAL, location: { latitude: 53.43, longitude: -2.23 }, region: NW, trustCode: "RBV" }) { code } }`);
  await ok(`mutation { onboardSite(code: "RBV01") { code } }`);
  await ok(`mutation { activateSite(code: "RBV01") { code } }`);
  await ok(`mutation($d: LocalDate!) { setResourceCalendar(input: { siteCode: "RBV01", resource: APHERESIS_CHAIR, count: 2, openingDays: [MON, TUE, WED, THU, FRI, SAT, SUN], sessions: [{ name: "AM", start: "08:00", end: "13:00" }], effectiveFrom: $d }) { siteCode } }`, { d: today });
  for (const resource of ['CONDITIONING_CHAIR', 'INFUSION_BED', 'MONITORING_BED', 'ICU_BED']) {
    const sessions = resource === 'CONDITIONING_CHAIR' ? '[{ name: "AM", start: "08:30", end: "12:30" }]' : '[]';
    await ok(`mutation($d: LocalDate!) { setResourceCalendar(input: { siteCode: "RBV01", resource: ${resource}, count: 4, openingDays: [MON, TUE, WED, THU, FRI, SAT, SUN], sessions: ${sessions}, effectiveFrom: $d }) { siteCode } }`, { d: today });
  }
  // Patients in M20 live a quarter of an hour from The Christie: within reach for the monitoring stay (issue 14 §4).
  await ok(`mutation { setDistrictTravelTimes(input: { siteCode: "RBV01", times: [{ district: "M20", minutes: 15 }] }) { minutes } }`);
  await ok(`mutation { registerUnit(input: { id: "MU-1", name: "Cocoon 1", kind: CELL_THERAPY, mobility: FIXED, batchCapacity: 1, homeSiteCode: "RBV01" }) { id } }`);
  await ok(`mutation { setUnitQualification(id: "MU-1", state: QUALIFIED, reason: "PQ passed") { id } }`);
  await ok(`mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { version } }`, { input: { process, designation: { siteCodes: ['RBV01'], unitIds: ['MU-1'] }, reason: 'v1' } });
}

async function refer(api: TestApi, patientRef: string): Promise<string> {
  const result = await api.gql(REFER, { input: { patientRef, homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'URGENT' } }, AS_SCHEDULER);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.referPatient.coi;
}

const PLAN = `query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { slots { resourceKey day session } } }`;

/** The best plan's slots for a referral: a hold holds a whole plan (issue 11 §4). */
async function planFor(api: TestApi, coi: string): Promise<Slot[]> {
  const result = await api.gql(PLAN, { coi }, AS_SCHEDULER);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.planOptions[0].slots;
}

interface Slot {
  resourceKey: string;
  day: string;
  session: string;
}
const bayOf = (slots: Slot[]) => slots.find((s) => s.resourceKey === 'unit:MU-1')!;
const chairOf = (slots: Slot[]) => slots.find((s) => s.resourceKey.endsWith(':APHERESIS_CHAIR'))!;

const bay = (day: string) => ({ resourceKey: 'unit:MU-1', day, session: '' });
const chair = (day: string) => ({ resourceKey: 'site:RBV01:APHERESIS_CHAIR', day, session: 'AM' });

describe('referrals, holds and bookings', () => {
  let api: TestApi;
  /** Places held and booked on a resource's day, over its sessions, as live capacity counts them. */
  const commitments = async (resourceKey: string, day: string) => {
    const { slots } = await api.app.get(CapacityReads).placed(['', 'AM', 'PM'].map((session) => ({ resourceKey, day, session })));
    return [...slots.values()].reduce((sum, s) => ({ committed: sum.committed + s.committed, tentative: sum.tentative + s.tentative }), { committed: 0, tentative: 0 });
  };

  beforeAll(async () => {
    api = await startTestApi();
    await buildNetwork(api);
  });
  afterAll(() => api.close());

  it('refers a patient with a new, checkable Chain of Identity and the washout applied', async () => {
    const lastDose = inDays(-3);
    const { data, errors } = await api.gql(
      REFER,
      { input: { patientRef: 'RBV-PSEUDO-0001', homeDistrict: 'M20', productCode: 'poc-car19', washout: { drugClass: 'CYTOTOXIC_CHEMOTHERAPY', lastDoseDate: lastDose }, priority: 'ROUTINE' } },
      AS_SCHEDULER,
    );
    expect(errors).toBeUndefined();
    const pathway = data!.referPatient;
    expect(normaliseCoi(pathway.coi)).toBe(pathway.coi);
    expect(pathway).toMatchObject({ referringTrust: 'RBV', productCode: 'POC-CAR19', dmmfVersion: 1, status: 'REFERRED', earliestCollectionDate: inDays(11) });
    expect(pathway.washout).toEqual({ drugClass: 'CYTOTOXIC_CHEMOTHERAPY', lastDoseDate: lastDose, days: 14 });
    const second = await refer(api, 'RBV-PSEUDO-0002');
    expect(second).not.toBe(pathway.coi);
  });

  it('rejects a mistyped Chain of Identity, an unknown one, and a product without a DMMF', async () => {
    const coi = await refer(api, 'RBV-PSEUDO-0003');
    const typo = coi.slice(0, 7) + (coi[7] === '1' ? '2' : '1') + coi.slice(8);
    const mistyped = await api.gql(REFER, { input: { coi: typo, patientRef: 'x', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'URGENT' } }, AS_SCHEDULER);
    expect(mistyped.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'coi' });
    const unknown = await api.gql(HOLD, { input: { coi: 'B000126999999' + 'X', slots: [chair(inDays(2))], idempotencyKey: 'k' } }, AS_SCHEDULER);
    expect(unknown.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    const noProduct = await api.gql(REFER, { input: { patientRef: 'x', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'NOPE-1', washout: { drugClass: 'NONE' }, priority: 'URGENT' } }, AS_SCHEDULER);
    expect(noProduct.errors![0]!.extensions.code).toBe('NOT_FOUND');
  });

  it('holds a whole plan at once, books it, and books nothing twice on a retried confirm', async () => {
    const coi = await refer(api, 'RBV-PSEUDO-0010');
    const slots = await planFor(api, coi);
    const bayDay = bayOf(slots).day;
    const chairDay = chairOf(slots).day;
    const held = await api.gql(HOLD, { input: { coi, slots, idempotencyKey: 'plan-0010' } }, AS_SCHEDULER);
    expect(held.errors).toBeUndefined();
    expect(held.data!.holdPlan).toMatchObject({ coi, status: 'HELD', slots });
    const retried = await api.gql(HOLD, { input: { coi, slots, idempotencyKey: 'plan-0010' } }, AS_SCHEDULER);
    expect(retried.data!.holdPlan.id).toBe(held.data!.holdPlan.id);
    expect(await commitments('unit:MU-1', bayDay)).toEqual({ committed: 0, tentative: 1 });

    const holdId = held.data!.holdPlan.id;
    const booked = await api.gql(CONFIRM, { holdId, key: 'confirm-0010' }, AS_SCHEDULER);
    expect(booked.data!.confirmHold).toEqual({ coi, status: 'BOOKED', holdId });
    const again = await api.gql(CONFIRM, { holdId, key: 'confirm-0010' }, AS_SCHEDULER);
    expect(again.data!.confirmHold.status).toBe('BOOKED');
    expect(await commitments('unit:MU-1', bayDay)).toEqual({ committed: 1, tentative: 0 });
    expect(await commitments('site:RBV01:APHERESIS_CHAIR', chairDay)).toEqual({ committed: 1, tentative: 0 });
    const other = await api.gql(CONFIRM, { holdId, key: 'someone-else' }, AS_SCHEDULER);
    expect(other.errors![0]!.extensions.code).toBe('CONFLICT');

    // The unit's only batch slot is now taken on those days.
    const { data } = await api.gql(`{ capacity(filter: { unitIds: ["MU-1"] }, from: "${bayDay}", to: "${bayDay}") { edges { node { committed free } } } }`);
    expect(data!.capacity.edges[0].node).toEqual({ committed: 1, free: 0 });
  });

  it('gives the last manufacturing slot to exactly one of 50 racing schedulers; the other 49 get SLOT_TAKEN', async () => {
    const cois: string[] = [];
    for (let i = 0; i < 50; i++) cois.push(await refer(api, `RACE-${i}`));
    // Every one of them wants the same best plan, whose unit takes one batch at a time.
    const slots = await planFor(api, cois[0]!);
    const day = bayOf(slots).day;
    const chairDay = chairOf(slots).day;
    const attempts = await Promise.all(cois.map((coi, i) => api.gql(HOLD, { input: { coi, slots, idempotencyKey: `race-${i}` } }, AS_SCHEDULER)));
    const winners = attempts.filter((a) => !a.errors);
    const losers = attempts.filter((a) => a.errors);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(49);
    for (const loser of losers) {
      expect(loser.errors![0]!.extensions.code).toBe('SLOT_TAKEN');
      expect(loser.errors![0]!.message).toMatch(/MU-1 on .* was taken by another scheduler/);
    }
    // Capacity intact: one place held on the bay, one on a chair of two; nothing half-written for the losers.
    expect(await commitments('unit:MU-1', day)).toEqual({ committed: 0, tentative: 1 });
    expect(await commitments('site:RBV01:APHERESIS_CHAIR', chairDay)).toEqual({ committed: 0, tentative: 1 });
    const store = api.app.get<EventStore>(EVENT_STORE);
    const bayLog = await store.readStream(`slot-unit:MU-1-${day}-day`);
    expect(bayLog.map((e) => e.type)).toEqual(['SlotHeld']);
    const loserPathways = await Promise.all(losers.slice(0, 5).map((_, i) => api.gql(`{ pathway(coi: "${cois[attempts.indexOf(losers[i]!)]}") { status holdId } }`)));
    for (const p of loserPathways) expect(p.data!.pathway).toEqual({ status: 'REFERRED', holdId: null });
  });

  it('releases a hold on request and restores the capacity', async () => {
    const coi = await refer(api, 'RBV-PSEUDO-0030');
    const slots = await planFor(api, coi);
    const held = await api.gql(HOLD, { input: { coi, slots, idempotencyKey: 'plan-0030' } }, AS_SCHEDULER);
    expect(await commitments('unit:MU-1', bayOf(slots).day)).toEqual({ committed: 0, tentative: 1 });
    const released = await api.gql(`mutation($id: ID!) { releaseHold(holdId: $id, reason: "Consultant declined") { status holdId } }`, { id: held.data!.holdPlan.id }, AS_SCHEDULER);
    expect(released.data!.releaseHold).toEqual({ status: 'REFERRED', holdId: null });
    expect(await commitments('unit:MU-1', bayOf(slots).day)).toEqual({ committed: 0, tentative: 0 });
  });

  it('books on what the log says, not on what it remembers: a hold released elsewhere meanwhile is not booked', async () => {
    const coi = await refer(api, 'RBV-PSEUDO-0040');
    const slots = await planFor(api, coi);
    const held = await api.gql(HOLD, { input: { coi, slots, idempotencyKey: 'plan-0040' } }, AS_SCHEDULER);
    const holdId = held.data!.holdPlan.id;
    // Another Bedside server releases the hold (as its expiry sweep would) before this one confirms it.
    const store = api.app.get<EventStore>(EVENT_STORE);
    const versionOf = async (streamId: string) => (await store.readStream(streamId)).length;
    const pathwayStream = `pathway-${normaliseCoi(coi)}`;
    const slotStream = (slot: Slot) => `slot-${slot.resourceKey}-${slot.day}-${slot.session || 'day'}`;
    const reason = 'Released by another server';
    await store.append(
      [
        { streamId: `hold-${holdId}`, expectedVersion: 1, events: [{ type: 'HoldReleased', data: { holdId, coi, reason, expired: false } }] },
        { streamId: pathwayStream, expectedVersion: await versionOf(pathwayStream), events: [{ type: 'PlanReleased', data: { coi, holdId, reason, expired: false } }] },
        ...(await Promise.all(
          slots.map(async (slot) => ({
            streamId: slotStream(slot),
            expectedVersion: await versionOf(slotStream(slot)),
            // The slot as the hold took it: ICU cover is the product's 0.3 of a bed (issue 14 §4).
            events: [{ type: 'SlotReleased', data: { slot: slot.resourceKey.endsWith(':ICU_BED') ? { ...slot, share: process.icuReserveProbability } : slot, holdId, coi, wasBooked: false, reason } }],
          })),
        )),
      ],
      { actor: 'other-server', correlationId: 'release-0040' },
    );
    const confirmed = await api.gql(CONFIRM, { holdId, key: 'confirm-0040' }, AS_SCHEDULER);
    expect(confirmed.errors![0]!.extensions.code).toBe('CONFLICT');
    expect(confirmed.errors![0]!.message).toMatch(/was released/);
    expect((await store.readStream(`hold-${holdId}`)).map((e) => e.type)).toEqual(['HoldPlaced', 'HoldReleased']);
    await eventually(async () => expect(await commitments('unit:MU-1', bayOf(slots).day)).toEqual({ committed: 0, tentative: 0 }));
  });

  it('refuses a plan that collects during the washout or manufactures on an undesignated unit', async () => {
    const { data } = await api.gql(
      REFER,
      { input: { patientRef: 'RBV-PSEUDO-0050', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'CYTOTOXIC_CHEMOTHERAPY', lastDoseDate: today }, priority: 'URGENT' } },
      AS_SCHEDULER,
    );
    const coi = data!.referPatient.coi;
    const duringWashout = await api.gql(HOLD, { input: { coi, slots: [chair(inDays(5))], idempotencyKey: 'w1' } }, AS_SCHEDULER);
    expect(duringWashout.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slots' });
    expect(duringWashout.errors![0]!.message).toMatch(/before the end of the washout/);

    // A unit at a site the DMMF does not designate (RRK01), itself not designated either.
    await api.gql(`mutation { registerSite(input: { code: "RRK01", name: "QE Birmingham", kind: HOSPITAL, location: { latitude: 52.45, longitude: -1.94 }, region: MID }) { code } }`);
    await api.gql(`mutation { onboardSite(code: "RRK01") { code } }`);
    await api.gql(`mutation { activateSite(code: "RRK01") { code } }`);
    await api.gql(`mutation { registerUnit(input: { id: "MU-2", name: "Cocoon 2", kind: CELL_THERAPY, mobility: FIXED, batchCapacity: 1, homeSiteCode: "RRK01" }) { id } }`);
    await api.gql(`mutation { setUnitQualification(id: "MU-2", state: QUALIFIED, reason: "PQ passed") { id } }`);
    const other = await refer(api, 'RBV-PSEUDO-0051');
    const undesignated = await api.gql(HOLD, { input: { coi: other, slots: [{ resourceKey: 'unit:MU-2', day: inDays(6), session: '' }], idempotencyKey: 'd1' } }, AS_SCHEDULER);
    expect(undesignated.errors![0]!.message).toMatch(/MU-2 is not designated/);
  });

  it('holds only a whole, feasible plan, and names the rule a set of slots breaks (issue 11 §4)', async () => {
    const coi = await refer(api, 'RBV-PSEUDO-0060');
    const slots = await planFor(api, coi);
    const refusal = async (tried: Slot[], key: string) => {
      const { errors } = await api.gql(HOLD, { input: { coi, slots: tried, idempotencyKey: key } }, AS_SCHEDULER);
      expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slots' });
      return errors![0]!;
    };
    // Collection and manufacture only, as holds were made before: no treatment is held, so none is booked.
    const partial = await refusal(slots.filter((s) => s.resourceKey === 'unit:MU-1' || s.resourceKey.endsWith(':APHERESIS_CHAIR')), 'p1');
    expect(partial.extensions.rule).toBe('R7 treatment');
    expect(partial.message).toMatch(/^These slots are not a plan Bedside can book \(R7 treatment\): a held plan covers every step from collection to monitoring, and these slots have no conditioning chair session/);
    // The infusion bed a day late: the product is infused three days after the last conditioning dose.
    const lateBed = slots.map((s) => (s.resourceKey.endsWith(':INFUSION_BED') ? { ...s, day: addDays(s.day, 1) } : s));
    const late = await refusal(lateBed, 'p2');
    expect(late.extensions.rule).toBe('R7 treatment');
    expect(late.message).toMatch(/monitoring beds run from the infusion day|is 4 day\(s\) after the last conditioning day/);
    // Manufacture a day before collection's material could reach it.
    const early = slots.map((s) => (s.resourceKey === 'unit:MU-1' ? { ...s, day: addDays(s.day, -1) } : s));
    const beforeMaterial = await refusal(early, 'p3');
    expect(beforeMaterial.extensions.rule).toMatch(/^R[3-8]/);
    // Nothing was held by any of them; the plan itself still holds.
    expect(await commitments('unit:MU-1', bayOf(slots).day)).toEqual({ committed: 0, tentative: 0 });
    const held = await api.gql(HOLD, { input: { coi, slots, idempotencyKey: 'p4' } }, AS_SCHEDULER);
    expect(held.errors).toBeUndefined();
  });

  it('holds a plan as long as asked up to the ceiling (HOLD_MAX_MINUTES, 24 h by default), and refuses a longer hold, holding nothing (issue 11 §4)', async () => {
    const coi = await refer(api, 'RBV-PSEUDO-0070');
    const slots = await planFor(api, coi);
    const tooLong = await api.gql(HOLD, { input: { coi, slots, idempotencyKey: 'c1', holdMinutes: 24 * 60 + 1 } }, AS_SCHEDULER);
    expect(tooLong.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'holdMinutes' });
    expect(await commitments('unit:MU-1', bayOf(slots).day)).toEqual({ committed: 0, tentative: 0 });
    const before = api.clock.now().getTime();
    const held = await api.gql(HOLD, { input: { coi, slots, idempotencyKey: 'c2', holdMinutes: 90 } }, AS_SCHEDULER);
    expect(held.errors).toBeUndefined();
    const lasts = new Date(held.data!.holdPlan.expiresAt).getTime() - before;
    // Ninety minutes from when it was placed, give or take the request's own time.
    expect(lasts).toBeGreaterThanOrEqual(90 * 60_000);
    expect(lasts).toBeLessThan(91 * 60_000);
    const released = await api.gql(`mutation($id: ID!) { releaseHold(holdId: $id, reason: "Test done") { status } }`, { id: held.data!.holdPlan.id }, AS_SCHEDULER);
    expect(released.errors).toBeUndefined();
  });

  it('refuses slots that do not exist or are closed, holding nothing', async () => {
    const coi = await refer(api, 'RBV-PSEUDO-0040');
    const before = await commitments('unit:MU-1', inDays(2));
    const beyond = await api.gql(HOLD, { input: { coi, slots: [bay(inDays(2)), bay(inDays(900))], idempotencyKey: 'k1' } }, AS_SCHEDULER);
    expect(beyond.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slots' });
    expect(await commitments('unit:MU-1', inDays(2))).toEqual(before);
    const planner = await api.gql(HOLD, { input: { coi, slots: [bay(inDays(2))], idempotencyKey: 'k2' } }, AS_PLANNER);
    expect(planner.errors![0]!.extensions.code).toBe('FORBIDDEN');
  });
});

describe('hold expiry', () => {
  it('releases each lapsed hold exactly once when two servers fire their timers at the same moment', async () => {
    const database = await createTestDatabase();
    try {
      // Neither fires on its own: the test fires both at once, many times over, on one shared clock.
      const a = await startTestApi({ database, holdSeconds: 60, holdExpirySweepMs: 0 });
      const b = await startTestApi({ database, holdSeconds: 60, holdExpirySweepMs: 0, clock: a.clock });
      try {
        await buildNetwork(a);
        const holdIds: string[] = [];
        for (const ref of ['RACE-1', 'RACE-2', 'RACE-3']) {
          const coi = await refer(a, ref);
          const held = await a.gql(HOLD, { input: { coi, slots: await planFor(a, coi), idempotencyKey: `race-${ref}` } }, AS_SCHEDULER);
          holdIds.push(held.data!.holdPlan.id);
        }
        // The reactor (which both servers run, taking turns) has set every hold's timer before time moves on.
        const store = a.app.get<EventStore>(EVENT_STORE);
        expect(await a.app.get(ProjectionEngine).waitFor(['hold-expiry'], await store.lastRecordedPosition(), 10_000)).toBe(true);
        expect(await b.app.get(HoldExpiry).sweep()).toBe(0);
        a.clock.advance(61_000);
        // Each server fires again and again while the other does: every timer fires once in all.
        const fireRepeatedly = async (api: TestApi) => {
          let fired = 0;
          for (let round = 0; round < 4; round++) fired += await api.app.get(HoldExpiry).sweep();
          return fired;
        };
        const fired = await Promise.all([fireRepeatedly(a), fireRepeatedly(b)]);
        expect(fired.reduce((sum, n) => sum + n, 0)).toBe(holdIds.length);
        for (const holdId of holdIds) {
          const events = await store.readStream(`hold-${holdId}`);
          expect(events.map((e) => e.type)).toEqual(['HoldPlaced', 'HoldReleased']);
          expect(events[1]!.data).toMatchObject({ expired: true });
        }
      } finally {
        await b.close();
        await a.close();
      }
    } finally {
      await database.drop();
    }
  });

  it('never expires a confirmed hold, and a confirmation cancels its timer', async () => {
    const api = await startTestApi({ holdSeconds: 60, holdExpirySweepMs: 0 });
    try {
      await buildNetwork(api);
      const coi = await refer(api, 'KEEP-1');
      const held = await api.gql(HOLD, { input: { coi, slots: await planFor(api, coi), idempotencyKey: 'keep-1' } }, AS_SCHEDULER);
      const holdId = held.data!.holdPlan.id;
      expect((await api.gql(CONFIRM, { holdId, key: 'keep-1' }, AS_SCHEDULER)).errors).toBeUndefined();
      const store = api.app.get<EventStore>(EVENT_STORE);
      expect(await api.app.get(ProjectionEngine).waitFor(['hold-expiry'], await store.lastRecordedPosition(), 10_000)).toBe(true);
      api.clock.advance(61_000);
      expect(await api.app.get(HoldExpiry).sweep()).toBe(0);
      const { data } = await api.gql(`{ pathway(coi: "${coi}") { status holdId } }`);
      expect(data!.pathway).toEqual({ status: 'BOOKED', holdId });
    } finally {
      await api.close();
    }
  });

  it('releases a lapsed hold by itself, also when it was placed before a restart, and refuses to confirm it', async () => {
    const database = await createTestDatabase();
    try {
      // The first API never sweeps: it stops with the hold still in place.
      const first = await startTestApi({ database, holdSeconds: 1, holdExpirySweepMs: 0 });
      await buildNetwork(first);
      const coi = await refer(first, 'EXPIRY-1');
      const held = await first.gql(HOLD, { input: { coi, slots: await planFor(first, coi), idempotencyKey: 'exp-1' } }, AS_SCHEDULER);
      const holdId = held.data!.holdPlan.id;
      const expiresAt = new Date(held.data!.holdPlan.expiresAt).getTime();
      await first.close();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - first.clock.now().getTime() + 50)));

      // The restarted API's clock carries on from the first's (one clock, stopped and started).
      const second = await startTestApi({ database, holdSeconds: 1, holdExpirySweepMs: 100, clock: first.clock });
      try {
        const late = await second.gql(CONFIRM, { holdId, key: 'late' }, AS_SCHEDULER);
        expect(late.errors![0]!.extensions).toMatchObject({ code: 'HOLD_EXPIRED', holdId });
        await eventually(async () => {
          const { data } = await second.gql(`{ pathway(coi: "${coi}") { status holdId } }`);
          expect(data!.pathway).toEqual({ status: 'REFERRED', holdId: null });
          const [row] = await second.app.get(DataSource).query(`SELECT status FROM holds WHERE hold_id = $1`, [holdId]);
          expect(row.status).toBe('EXPIRED');
        });
        const audit = await second.gql(`{ auditTrail(streamId: "hold-${holdId}") { edges { node { eventId type actor reason causationId } } } }`);
        const [placed, released] = audit.data!.auditTrail.edges.map((e: { node: Record<string, unknown> }) => e.node);
        expect(placed).toMatchObject({ type: 'HoldPlaced', actor: 'coordinator@rbv', reason: null, causationId: null });
        // Recorded as Bedside, not as the scheduler, and caused by the placing of the hold (issue 14 §3).
        expect(released).toMatchObject({ type: 'HoldReleased', actor: 'bedside:hold-expiry', reason: 'Hold expired', causationId: placed.eventId });
      } finally {
        await second.close();
      }
    } finally {
      await database.drop();
    }
  });
});
