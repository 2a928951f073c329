import { Client } from 'pg';
import { EVENT_STORE, type EventStore } from '@bedside/event-store';
import { holdStreamId, pathwayStreamId, WaitlistOffers } from '@bedside/pathways';
import { addDays, daysBetween, localDateOf, PinnedClock } from '@bedside/shared';
import { AS_SCHEDULER, eventually, startTestApi, type TestApi, type Persona, testInstant } from '../support/test-api';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const process = {
  productCode: 'POC-CAR19', name: 'Fresh POC CAR-T', startingMaterial: 'FRESH', maxFreshHoldHours: 36, apheresisSessions: 1, apheresisHoursPerSession: 4,
  manufactureDays: 7, qcMethod: 'RAPID', qcReleaseDays: 0, shelfLifeHours: 6, conditioningRegimen: 'Flu/Cy', conditioningDays: [-5, -4, -3],
  infusionWindowMinDays: 3, infusionWindowMaxDays: 3, conditioningGate: 'CONDITIONING_DURING_MANUFACTURE', reconditionAfterDays: 14,
  monitoringInpatientDays: 7, stayWithinReachDays: 28, stayWithinReachMinutes: 120, icuReserveProbability: 0.3,
};
/** The same product collected over two sessions on consecutive days: one plan takes two days of the chair. */
const twoSessionProcess = { ...process, productCode: 'POC-CAR2S', name: 'Fresh POC CAR-T, two collections', apheresisSessions: 2, maxFreshHoldHours: 72 };

interface Plan {
  infusionDay: string;
  slots: { resourceKey: string; day: string; session: string }[];
}

/** One centre whose single apheresis chair takes one patient a day, and the units given. */
async function smallNetwork(api: TestApi, units: { id: string; batchCapacity: number; product: 'POC-CAR19' | 'POC-CAR2S' }[]) {
  const today = localDateOf(api.clock.now(), 'Europe/London');
  const ok = async (query: string, variables?: Record<string, unknown>, headers?: Persona) => {
    const result = await api.gql(query, variables, headers);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  await ok(`mutation { registerSite(input: { code: "RBV01", name: "The Christie", kind: HOSPITAL, location: { latitude: 53.43, longitude: -2.23 }, region: NW, trustCode: "RBV" }) { code } }`);
  const everyDay = '[MON, TUE, WED, THU, FRI, SAT, SUN]';
  for (const [resource, count, sessions] of [
    ['APHERESIS_CHAIR', 1, '[{ name: "AM", start: "08:00", end: "12:00" }]'],
    ['CONDITIONING_CHAIR', 4, '[{ name: "AM", start: "09:00", end: "13:00" }]'],
    ['INFUSION_BED', 4, '[]'],
    ['MONITORING_BED', 20, '[]'],
    ['ICU_BED', 2, '[]'], // each plan reserves 0.3 of an ICU bed on days 5 and 6 after infusion (issue 14 §4)
  ] as const) {
    await ok(`mutation($d: LocalDate!) { setResourceCalendar(input: { siteCode: "RBV01", resource: ${resource}, count: ${count}, openingDays: ${everyDay}, sessions: ${sessions}, openOnBankHolidays: true, effectiveFrom: $d }) { siteCode } }`, { d: today });
  }
  await ok(`mutation { onboardSite(code: "RBV01") { code } }`);
  await ok(`mutation { activateSite(code: "RBV01") { code } }`);
  // Patients in M20 live a quarter of an hour from The Christie: within reach for the monitoring stay (issue 14 §4).
  await ok(`mutation { setDistrictTravelTimes(input: { siteCode: "RBV01", times: [{ district: "M20", minutes: 15 }] }) { minutes } }`);
  for (const unit of units) {
    await ok(`mutation { registerUnit(input: { id: "${unit.id}", name: "Cocoon ${unit.id}", kind: CELL_THERAPY, mobility: FIXED, batchCapacity: ${unit.batchCapacity}, homeSiteCode: "RBV01" }) { id } }`);
    await ok(`mutation { setUnitQualification(id: "${unit.id}", state: QUALIFIED, reason: "PQ passed") { id } }`);
  }
  for (const p of [process, twoSessionProcess]) {
    const unitIds = units.filter((u) => u.product === p.productCode).map((u) => u.id);
    if (unitIds.length > 0) await ok(`mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { version } }`, { input: { process: p, designation: { siteCodes: ['RBV01'], unitIds }, reason: 'v1' } });
  }
}

/** What a scheduler at The Christie does, against whichever API is given. */
function clinic(api: () => TestApi) {
  const ok = async (query: string, variables?: Record<string, unknown>, headers?: Persona) => {
    const result = await api().gql(query, variables, headers);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const refer = async (ref: string, clinicalDeadline: string | null, productCode = 'POC-CAR19') =>
    (await ok(`mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: ref, homeDistrict: 'M20', referringTrust: 'RBV', productCode, washout: { drugClass: 'NONE' }, priority: 'URGENT', clinicalDeadline },
    }, AS_SCHEDULER)).referPatient.coi as string;
  const bestPlan = async (coi: string): Promise<Plan> => (await ok(`query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { infusionDay slots { resourceKey day session } } }`, { coi }, AS_SCHEDULER)).planOptions[0];
  const hold = async (coi: string, plan: Plan) => (await ok(`mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, { input: { coi, slots: plan.slots, idempotencyKey: `hold-${coi}` } }, AS_SCHEDULER)).holdPlan.id as string;
  const join = (coi: string) => ok(`mutation($coi: ID!) { joinWaitlist(coi: $coi) { place } }`, { coi }, AS_SCHEDULER);
  const pathway = async (coi: string) => (await ok(`query($coi: ID!) { pathway(coi: $coi) { status holdId } }`, { coi })).pathway as { status: string; holdId: string | null };
  const heldPlan = async (coi: string) => {
    const { pathway: p } = await ok(`query($coi: ID!) { pathway(coi: $coi) { holdId timeline { slots { resourceKey day session } } } }`, { coi });
    return p.timeline.flatMap((step: { slots: Plan['slots'] }) => step.slots) as Plan['slots'];
  };
  /** The audit trail's record of how a hold was placed: by whom, and why. */
  const placedBy = async (holdId: string) =>
    (await ok(`{ auditTrail(streamId: "${holdStreamId(holdId)}") { edges { node { type actor reason } } } }`)).auditTrail.edges[0].node as { type: string; actor: string; reason: string };
  const waitlist = async () => (await ok(`{ waitlist { edges { node { pathway { coi } } } } }`)).waitlist.edges.map((e: { node: { pathway: { coi: string } } }) => e.node.pathway.coi) as string[];
  const settled = () => api().app.get(WaitlistOffers).settled();
  return { ok, refer, bestPlan, hold, join, pathway, heldPlan, placedBy, waitlist, settled };
}

const chairDays = (slots: Plan['slots']) => slots.filter((s) => s.resourceKey.endsWith(':APHERESIS_CHAIR')).map((s) => s.day).sort();

/** One centre, one apheresis chair a day, one single-batch unit: capacity two patients must share. */
describe('freed capacity offered to the waitlist', () => {
  let api: TestApi;
  const { ok, refer, bestPlan, settled } = clinic(() => api);

  beforeAll(async () => {
    api = await startTestApi();
    await smallNetwork(api, [{ id: 'MU-1', batchCapacity: 1, product: 'POC-CAR19' }]);
  });
  afterAll(() => api.close());

  it('holds the released plan for the first waiting referral it now serves in time', async () => {
    const first = await refer('FIRST', null);
    const firstPlan = await bestPlan(first);
    const held = await ok(`mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, { input: { coi: first, slots: firstPlan.slots, idempotencyKey: 'f' } }, AS_SCHEDULER);

    // The second patient needs infusion by the first patient's infusion day, which only that plan reaches.
    const second = await refer('SECOND', firstPlan.infusionDay);
    const secondBest = await bestPlan(second);
    expect(daysBetween(firstPlan.infusionDay, secondBest.infusionDay)).toBeGreaterThan(0);
    await ok(`mutation($coi: ID!) { joinWaitlist(coi: $coi) { place } }`, { coi: second }, AS_SCHEDULER);

    await ok(`mutation($id: ID!) { releaseHold(holdId: $id, reason: "Patient declined") { status } }`, { id: held.holdPlan.id }, AS_SCHEDULER);
    await settled();
    await eventually(async () => {
      const { pathway } = await ok(`query($coi: ID!) { pathway(coi: $coi) { status holdId } }`, { coi: second });
      expect(pathway.status).toBe('PLAN_HELD');
      const audit = await ok(`{ auditTrail(streamId: "hold-${pathway.holdId}") { edges { node { type actor reason } } } }`);
      expect(audit.auditTrail.edges[0].node).toMatchObject({ type: 'HoldPlaced', actor: 'bedside:waitlist', reason: expect.stringMatching(/Offered from the waitlist .* because hold \w+ was released \(Patient declined\)/) });
    });
    const { waitlist } = await ok(`{ waitlist { edges { node { pathway { coi } } } } }`);
    expect(waitlist.edges).toEqual([]);
  });
});

/**
 * One release, two offers (issue 11 §8): a plan collected over two sessions holds the chair on two
 * days; two urgent patients each need one of those days to meet their deadline.
 */
describe('freed capacity offered down the list', () => {
  let api: TestApi;
  const { ok, refer, bestPlan, hold, join, pathway, heldPlan, placedBy, waitlist, settled } = clinic(() => api);

  beforeAll(async () => {
    api = await startTestApi();
    await smallNetwork(api, [
      { id: 'MU-1', batchCapacity: 1, product: 'POC-CAR19' },
      { id: 'MU-2', batchCapacity: 1, product: 'POC-CAR19' },
      { id: 'MU-9', batchCapacity: 1, product: 'POC-CAR2S' },
    ]);
  });
  afterAll(() => api.close());

  it('offers one release to every waiting referral it now serves in time, in priority order, skipping one it cannot', async () => {
    const twoDays = await refer('TWO-DAYS', null, 'POC-CAR2S');
    const twoDaysPlan = await bestPlan(twoDays);
    const [day1, day2] = chairDays(twoDaysPlan.slots);
    expect(daysBetween(day1!, day2!)).toBe(1);
    // Collected on day 1, a one-session patient is infused on `infusionDay`; on day 2, the day after.
    const probe = await bestPlan(await refer('PROBE', null));
    expect(chairDays(probe.slots)).toEqual([day1]);
    const released = await hold(twoDays, twoDaysPlan);
    // With both chair days held, the next plan collects after them: the deadline is the day before it
    // infuses. (Not simply the probe's day after: at 00:30 today's bay day has begun, so a collection
    // today starts manufacture tomorrow, and day 1 and day 2 both infuse on the same day.)
    const blocked = await bestPlan(await refer('PROBE-AFTER', null));
    const deadline = addDays(blocked.infusionDay, -1);
    expect(deadline >= probe.infusionDay).toBe(true);

    const first = await refer('URGENT-1', deadline);
    const second = await refer('URGENT-2', deadline);
    // No plan this product can make meets a deadline three days out: it stays listed.
    const tooLate = await refer('URGENT-3', addDays(localDateOf(api.clock.now(), 'Europe/London'), 3));
    expect(daysBetween(deadline, (await bestPlan(first)).infusionDay)).toBeGreaterThan(0);
    for (const coi of [first, second, tooLate]) await join(coi);

    await ok(`mutation($id: ID!) { releaseHold(holdId: $id, reason: "Patient declined") { status } }`, { id: released }, AS_SCHEDULER);
    await settled();
    for (const coi of [first, second]) {
      const p = await pathway(coi);
      expect(p.status).toBe('PLAN_HELD');
      expect(await placedBy(p.holdId!)).toMatchObject({ type: 'HoldPlaced', actor: 'bedside:waitlist', reason: expect.stringMatching(/because hold \w+ was released \(Patient declined\)/) });
    }
    // First in line gets the earlier day.
    expect(chairDays(await heldPlan(first))).toEqual([day1]);
    expect(chairDays(await heldPlan(second))).toEqual([day2]);
    expect(await waitlist()).toEqual([tooLate]);
  });
});

describe('reopened capacity offered to the waitlist', () => {
  let api: TestApi;
  const { ok, refer, bestPlan, join, pathway, heldPlan, placedBy, waitlist, settled } = clinic(() => api);

  beforeAll(async () => {
    api = await startTestApi();
    await smallNetwork(api, [{ id: 'MU-1', batchCapacity: 2, product: 'POC-CAR19' }]);
  });
  afterAll(() => api.close());

  it('offers a unit back in service to a referral that waited for it', async () => {
    const probe = await bestPlan(await refer('PROBE', null));
    await ok(`mutation { setUnitQualification(id: "MU-1", state: OUT_OF_SERVICE, reason: "Incubator fault") { id } }`);
    const waiting = await refer('WAITS-FOR-UNIT', probe.infusionDay);
    const none = await api.gql(`query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { infusionDay } }`, { coi: waiting }, AS_SCHEDULER);
    expect(none.errors![0]!.message).toMatch(/No plan fits/);
    await join(waiting);

    await ok(`mutation { setUnitQualification(id: "MU-1", state: QUALIFIED, reason: "Incubator repaired, PQ passed") { id } }`);
    await settled();
    const p = await pathway(waiting);
    expect(p.status).toBe('PLAN_HELD');
    expect(await placedBy(p.holdId!)).toMatchObject({ actor: 'bedside:waitlist', reason: expect.stringMatching(/because unit MU-1 was requalified \(Incubator repaired, PQ passed\)/) });
    expect(chairDays(await heldPlan(waiting))).toEqual(chairDays(probe.slots));
  });

  it('offers chair sessions given back when a calendar exception is withdrawn', async () => {
    // The chair's next free day, and the infusion a patient collected then gets.
    const next = await bestPlan(await refer('PROBE-2', null));
    const [day] = chairDays(next.slots);
    await ok(`mutation($from: LocalDate!, $to: LocalDate!) { addCalendarException(input: { exceptionId: "EX-CHAIR", siteCode: "RBV01", resource: APHERESIS_CHAIR, kind: STAFF_SHORTAGE, from: $from, to: $to, reason: "No apheresis nurse" }) { siteCode } }`, {
      from: day,
      to: addDays(day!, 10),
    });
    const waiting = await refer('WAITS-FOR-CHAIR', next.infusionDay);
    expect(daysBetween(next.infusionDay, (await bestPlan(waiting)).infusionDay)).toBeGreaterThan(0);
    await join(waiting);

    await ok(`mutation { withdrawCalendarException(exceptionId: "EX-CHAIR", siteCode: "RBV01", reason: "Bank nurse found") { siteCode } }`);
    await settled();
    const p = await pathway(waiting);
    expect(p.status).toBe('PLAN_HELD');
    expect(await placedBy(p.holdId!)).toMatchObject({ actor: 'bedside:waitlist', reason: expect.stringMatching(/because calendar exception EX-CHAIR of site RBV01 was withdrawn \(Bank nurse found\)/) });
    expect(chairDays(await heldPlan(waiting))).toEqual([day]);
    expect(await waitlist()).toEqual([]);
  });
});

/**
 * Offers survive a stop (issue 11 §8): the release is recorded by a server that runs no reactors (as
 * if it stopped before offering), the next server on the database makes the offer, and servers after
 * it make none again, also when the reactor's checkpoint is found behind the offer (a crash after the
 * offer, before its checkpoint was stored).
 */
describe('waitlist offers across restarts', () => {
  let database: TestDatabase;
  let api: TestApi;
  let open = false;
  const clock = new PinnedClock(testInstant());
  const { ok, refer, bestPlan, hold, join, pathway, placedBy, settled } = clinic(() => api);
  const start = async (runProjections = true) => {
    api = await startTestApi({ database, clock, runProjections });
    open = true;
  };
  const stop = async () => {
    open = false;
    await api.close();
  };
  /** A statement on the test database, with no server running. */
  const sql = async <T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  };
  /** The holds placed for a pathway, from the log itself. */
  const holdsPlacedFor = async (coi: string) => (await api.app.get<EventStore>(EVENT_STORE).readStream(pathwayStreamId(coi))).filter((e) => e.type === 'PlanHeld').length;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    if (open) await stop();
    await database.drop();
  });

  it('makes the offer a stopped server did not, exactly once', async () => {
    await start();
    await smallNetwork(api, [{ id: 'MU-1', batchCapacity: 1, product: 'POC-CAR19' }]);
    const booked = await refer('BOOKED', null);
    const bookedPlan = await bestPlan(booked);
    const released = await hold(booked, bookedPlan);
    const waiting = await refer('WAITING', bookedPlan.infusionDay);
    await join(waiting);
    await stop();

    // A server that follows no log: it records the release and offers nothing.
    await start(false);
    await ok(`mutation($id: ID!) { releaseHold(holdId: $id, reason: "Patient declined") { coi } }`, { id: released }, AS_SCHEDULER);
    expect(await holdsPlacedFor(waiting)).toBe(0);
    await stop();

    await start();
    await settled();
    const p = await pathway(waiting);
    expect(p.status).toBe('PLAN_HELD');
    expect(await placedBy(p.holdId!)).toMatchObject({ actor: 'bedside:waitlist', reason: expect.stringMatching(/because hold \w+ was released/) });
    expect(await holdsPlacedFor(waiting)).toBe(1);
    const releasedAt = (await api.app.get<EventStore>(EVENT_STORE).readStream(holdStreamId(released))).find((e) => e.type === 'HoldReleased')!.globalPosition;
    await stop();

    // As a crash after the offer, before its checkpoint, leaves it: the release still to be offered.
    const reacted = await sql<{ events_applied: string }>(`SELECT events_applied FROM projection_checkpoints WHERE name = 'waitlist-offers'`);
    await sql(`UPDATE projection_checkpoints SET transaction_id = $1, global_position = $2 WHERE name = 'waitlist-offers'`, [
      releasedAt.transactionId.toString(),
      (releasedAt.position - 1n).toString(),
    ]);
    await start();
    await settled();
    // It reacted to the release again, and placed nothing twice.
    expect(await sql(`SELECT events_applied FROM projection_checkpoints WHERE name = 'waitlist-offers'`)).toEqual([{ events_applied: String(Number(reacted[0]!.events_applied) + 1) }]);
    expect(await holdsPlacedFor(waiting)).toBe(1);
    expect((await pathway(waiting)).holdId).toBe(p.holdId);
    await stop();

    await start();
    await settled();
    expect(await holdsPlacedFor(waiting)).toBe(1);
  });
});
