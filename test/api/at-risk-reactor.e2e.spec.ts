import type { Client as WsClient } from 'graphql-ws';
import { Client } from 'pg';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@bedside/event-store';
import { AtRiskDetection } from '@bedside/pathways';
import { addDays, instantAt, localDateOf } from '@bedside/shared';
import { referAndBook, step, walkThePlan, type BookedPathway } from '../support/pathway-steps';
import { connect, subscribe, type Subscriber } from '../support/subscriptions';
import { AS_DASHBOARD, AS_SCHEDULER, startDemoApi, startTestApi, type Persona, type TestApi } from '../support/test-api';
import { createTestDatabase } from '../support/test-database';

/**
 * At-risk detection as a reactor (issue 12 §5): flags are recorded in the log by the system, once,
 * also when raised while no server ran, by two servers at once, or by time alone, and subscribers are
 * told from what is recorded.
 */
const AT_RISK_CHANGED = `subscription { atRiskChanged { flagged reasons pathway { coi referringTrust } } }`;
const AUDIT = `query($id: ID!) { auditTrail(streamId: $id) { edges { node { type actor reason causationId data } } } }`;
const OTHER_TRUST: Persona = { role: 'scheduler', trusts: ['RRV'], actor: 'coordinator@rrv' };

const unitOf = (booked: BookedPathway) => booked.plan.slots.find((s) => s.resourceKey.startsWith('unit:'))!.resourceKey.slice('unit:'.length);
const setUnit = (api: TestApi, unitId: string, state: string, reason: string) =>
  api.gql(`mutation($id: ID!, $state: QualificationState!, $reason: String!) { setUnitQualification(id: $id, state: $state, reason: $reason) { qualification } }`, { id: unitId, state, reason });

async function lastEventOf(api: TestApi, streamId: string, type: string): Promise<RecordedEvent> {
  const events = await api.app.get<EventStore>(EVENT_STORE).readStream(streamId);
  return events.filter((e) => e.type === type).at(-1)!;
}

const flagsOf = async (api: TestApi, coi: string) => (await api.app.get<EventStore>(EVENT_STORE).readStream(`at-risk-${coi}`)).map((e) => e.type);

/** A fresh product like the demo's, keeping `hours` after manufacture. */
async function publishShelfLife(api: TestApi, productCode: string, hours: number): Promise<void> {
  const { dmmf } = (await api.gql(`{ dmmf(productCode: "POC-CAR19") { designation { siteCodes unitIds } } }`)).data!;
  const full = (
    await api.gql(
      `{ dmmf(productCode: "POC-CAR19") { process { productCode name startingMaterial maxFreshHoldHours apheresisSessions apheresisHoursPerSession manufactureDays qcMethod qcReleaseDays shelfLifeHours conditioningRegimen conditioningDays infusionWindowMinDays infusionWindowMaxDays conditioningGate reconditionAfterDays monitoringInpatientDays stayWithinReachDays stayWithinReachMinutes icuReserveProbability } } }`,
    )
  ).data!.dmmf.process;
  const published = await api.gql(`mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { version } }`, {
    input: { process: { ...full, productCode, shelfLifeHours: hours }, designation: dmmf.designation, reason: `Test product keeping ${hours} h` },
  });
  expect(published.errors).toBeUndefined();
}

describe('at-risk detection as a reactor', () => {
  const clients: WsClient[] = [];
  const subscribers: Subscriber[] = [];
  const watch = async (api: TestApi, persona: Persona = AS_SCHEDULER) => {
    const client = await connect(api, persona);
    clients.push(client);
    const subscriber = subscribe(client, AT_RISK_CHANGED);
    subscribers.push(subscriber);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the subscription is registered before the first change
    return subscriber;
  };
  const about = (coi: string, flag: boolean) => (m: { data?: Record<string, any> | null }) => m.data?.atRiskChanged.pathway.coi === coi && m.data?.atRiskChanged.flagged === flag;

  afterEach(async () => {
    for (const s of subscribers.splice(0)) await s.close();
    for (const c of clients.splice(0)) await c.dispose();
  });

  describe('on one server', () => {
    let api: TestApi;
    beforeAll(async () => {
      // Timers fire only when a test fires them.
      api = await startDemoApi({ holdExpirySweepMs: 0 });
      // The demo network's calendars are events it looks at: they are behind it before a test begins.
      await api.app.get(AtRiskDetection).settled();
    });
    afterAll(async () => {
      await api.close();
    });

    it('records the flag and its clearing in the pathway’s at-risk trail, by the system, caused by the events that raised and cleared it', async () => {
      const booked = await referAndBook(api, 'FLAG-TRAIL');
      const unitId = unitOf(booked);
      expect((await setUnit(api, unitId, 'OUT_OF_SERVICE', 'Incubator alarm')).errors).toBeUndefined();
      const out = await lastEventOf(api, `unit-${unitId}`, 'UnitQualificationChanged');
      await api.app.get(AtRiskDetection).settled();
      expect((await setUnit(api, unitId, 'QUALIFIED', 'Alarm was a sensor fault')).errors).toBeUndefined();
      const back = await lastEventOf(api, `unit-${unitId}`, 'UnitQualificationChanged');
      await api.app.get(AtRiskDetection).settled();

      const trail = await api.gql(AUDIT, { id: `at-risk-${booked.coi}` }, AS_SCHEDULER);
      expect(trail.errors).toBeUndefined();
      const entries = trail.data!.auditTrail.edges.map((e: { node: unknown }) => e.node);
      expect(entries).toEqual([
        {
          type: 'PathwayFlaggedAtRisk',
          actor: 'bedside:at-risk',
          reason: expect.stringMatching(/^At risk: .*Incubator alarm/),
          causationId: out.eventId,
          data: { coi: booked.coi, reasons: [expect.stringMatching(new RegExp(`Unit ${unitId} is OUT_OF_SERVICE: Incubator alarm`))] },
        },
        { type: 'PathwayAtRiskCleared', actor: 'bedside:at-risk', reason: 'Its booking holds again', causationId: back.eventId, data: { coi: booked.coi } },
      ]);
      // The trail is the patient's: another trust's scheduler and dashboards may not read it.
      expect((await api.gql(AUDIT, { id: `at-risk-${booked.coi}` }, OTHER_TRUST)).errors![0]!.extensions.code).toBe('FORBIDDEN');
      expect((await api.gql(AUDIT, { id: `at-risk-${booked.coi}` }, AS_DASHBOARD)).errors![0]!.extensions.code).toBe('FORBIDDEN');
    });

    it('flags a plan confirmed on places it lost while on hold, caused by the confirmation', async () => {
      const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
        input: { patientRef: 'HELD-LOST', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
      });
      const coi = referPatient.coi;
      const { planOptions } = await step<{ planOptions: BookedPathway['plan'][] }>(api, `query($coi: ID!) { planOptions(input: { coi: $coi }) { slots { resourceKey day session } } }`, { coi });
      const slots = planOptions[0]!.slots;
      const { holdPlan } = await step<{ holdPlan: { id: string } }>(api, `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, { input: { coi, slots, idempotencyKey: 'held-lost' } });
      const unitId = slots.find((s) => s.resourceKey.startsWith('unit:'))!.resourceKey.slice('unit:'.length);
      const mine = await watch(api);
      expect((await setUnit(api, unitId, 'OUT_OF_SERVICE', 'Door seal failed')).errors).toBeUndefined();
      await api.app.get(AtRiskDetection).settled();
      // On hold, not booked: not at risk yet.
      expect(await flagsOf(api, coi)).toEqual([]);

      await step(api, `mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "confirm") { status } }`, { id: holdPlan.id });
      const flagged = (await mine.until(about(coi, true))).data!.atRiskChanged;
      expect(flagged.reasons.join()).toMatch(/Door seal failed/);
      const confirmed = await lastEventOf(api, `hold-${holdPlan.id}`, 'HoldConfirmed');
      const [flag] = await api.app.get<EventStore>(EVENT_STORE).readStream(`at-risk-${coi}`);
      expect(flag).toMatchObject({ type: 'PathwayFlaggedAtRisk', metadata: { actor: 'bedside:at-risk', causationId: confirmed.eventId } });
      await setUnit(api, unitId, 'QUALIFIED', 'Seal replaced');
      await mine.until(about(coi, false));
    });

    it('flags fresh product when its shelf life passes with nothing else recorded, once the clock passes it and the timers fire', async () => {
      await publishShelfLife(api, 'POC-SHELF2H', 2);
      const booked = await referAndBook(api, 'SHELF-TIMER', 'POC-SHELF2H');
      await walkThePlan(api, booked, { through: 'MANUFACTURED' });
      const made = await lastEventOf(api, `pathway-${booked.coi}`, 'ManufactureCompleted');
      const detection = api.app.get(AtRiskDetection);
      await detection.settled();
      const mine = await watch(api);
      // Made and in date: nothing to flag, and no timer due yet.
      expect(await detection.fireDue()).toBe(0);
      expect(await flagsOf(api, booked.coi)).toEqual([]);

      api.clock.set(new Date(Date.parse((made.data as { at: string }).at) + 2 * 3_600_000 + 1_000));
      expect(await detection.fireDue()).toBe(1);
      const flagged = (await mine.until(about(booked.coi, true))).data!.atRiskChanged;
      expect(flagged.reasons).toEqual([expect.stringMatching(/passed its 2 h shelf life at .*: it can no longer be infused/)]);
      const [flag] = await api.app.get<EventStore>(EVENT_STORE).readStream(`at-risk-${booked.coi}`);
      expect(flag).toMatchObject({ type: 'PathwayFlaggedAtRisk', metadata: { actor: 'bedside:at-risk', causationId: made.eventId } });
      expect(await detection.fireDue()).toBe(0);
    });

    it('flags a conditioning course that lapses with no infusion, on the day a new course may start, by time alone (issue 14 §4)', async () => {
      // The frozen comparator: infused 2 to 14 days after the last dose; after 14 days the course has lapsed.
      const booked = await referAndBook(api, 'LAPSE-TIMER', 'CRYO-CAR19');
      const walked = await walkThePlan(api, booked, { through: 'DOSE' });
      const detection = api.app.get(AtRiskDetection);
      await detection.settled();
      const mine = await watch(api);
      const lastDoseOn = localDateOf(walked.at(-1)!.at, 'Europe/London');
      const lapsesOn = addDays(lastDoseOn, 15);

      api.clock.set(new Date(instantAt(lapsesOn, '00:00', 'Europe/London').getTime() - 60_000));
      await detection.fireDue();
      expect(await flagsOf(api, booked.coi)).toEqual([]);
      api.clock.set(instantAt(lapsesOn, '00:00', 'Europe/London'));
      expect(await detection.fireDue()).toBeGreaterThanOrEqual(1);
      const flagged = (await mine.until(about(booked.coi, true))).data!.atRiskChanged;
      expect(flagged.reasons).toContainEqual(
        `the conditioning course lapsed with no infusion: its last dose was given on ${lastDoseOn}, more than 14 days ago. The treating consultant decides on a new course, which may start from ${lapsesOn} (startConditioning)`,
      );
      const lastDose = await lastEventOf(api, `pathway-${booked.coi}`, 'ConditioningDoseGiven');
      const [flag] = await api.app.get<EventStore>(EVENT_STORE).readStream(`at-risk-${booked.coi}`);
      expect(flag).toMatchObject({ type: 'PathwayFlaggedAtRisk', metadata: { actor: 'bedside:at-risk', causationId: lastDose.eventId } });
    });
  });

  it('records and tells a flag raised while no server ran reactors, once, when one starts', async () => {
    const database = await createTestDatabase();
    try {
      const first = await startDemoApi({ database, holdExpirySweepMs: 0 });
      const booked = await referAndBook(first, 'WHILE-DOWN');
      await first.app.get(AtRiskDetection).settled();
      await first.close();
      // A process that runs no projections nor reactors (a one-off command) takes the unit out of service.
      const command = await startCommandProcess(database);
      expect((await setUnit(command, unitOf(booked), 'OUT_OF_SERVICE', 'Power failure overnight')).errors).toBeUndefined();
      expect(await flagsOf(command, booked.coi)).toEqual([]);
      await command.close();

      // The reactor is held back (its lock taken here) until a subscriber of the restarted server listens.
      const lock = new Client({ connectionString: database.url });
      await lock.connect();
      try {
        await lock.query('BEGIN');
        await lock.query(`SELECT pg_advisory_xact_lock(hashtext('bedside-reactor:at-risk'))`);
        const second = await startTestApiOn(database);
        try {
          const mine = await watch(second);
          await lock.query('COMMIT');
          const flagged = (await mine.until(about(booked.coi, true))).data!.atRiskChanged;
          expect(flagged.reasons.join()).toMatch(/Power failure overnight/);
          await second.app.get(AtRiskDetection).settled();
          const out = await lastEventOf(second, `unit-${unitOf(booked)}`, 'UnitQualificationChanged');
          const recorded = await second.app.get<EventStore>(EVENT_STORE).readStream(`at-risk-${booked.coi}`);
          expect(recorded.map((e) => [e.type, e.metadata.causationId])).toEqual([['PathwayFlaggedAtRisk', out.eventId]]);
        } finally {
          await second.close();
        }
      } finally {
        await lock.end();
      }
    } finally {
      await database.drop();
    }
  });

  it('records each flag once when two servers look at the same moment', async () => {
    const database = await createTestDatabase();
    try {
      const a = await startDemoApi({ database, holdExpirySweepMs: 0 });
      const b = await startTestApiOn(database, a);
      try {
        // Two products made a while apart, each with a timer for when its shelf life ends.
        await publishShelfLife(a, 'POC-SHELF60D', 24 * 60);
        const made: { coi: string; at: number }[] = [];
        for (const ref of ['RACE-SHELF-1', 'RACE-SHELF-2']) {
          const booked = await referAndBook(a, ref, 'POC-SHELF60D');
          await walkThePlan(a, booked, { through: 'MANUFACTURED' });
          made.push({ coi: booked.coi, at: Date.parse((await lastEventOf(a, `pathway-${booked.coi}`, 'ManufactureCompleted')).data.at as string) });
        }
        await a.app.get(AtRiskDetection).settled();
        const onA = await watch(a);
        const onB = await watch(b);
        for (const { coi } of made) expect(await flagsOf(a, coi)).toEqual([]);

        // Both shelf lives have ended: each server fires a timer while the other does, and each look finds both
        // products expired. Both looks are held at the flags table until both are there, then go on together.
        a.clock.set(new Date(Math.max(...made.map((m) => m.at)) + 60 * 86_400_000 + 1_000));
        const gate = new Client({ connectionString: database.url });
        await gate.connect();
        let fired: number[];
        try {
          await gate.query('BEGIN');
          await gate.query('LOCK TABLE at_risk_flags IN ACCESS EXCLUSIVE MODE');
          const firing = Promise.all([a, b].map((api) => api.app.get(AtRiskDetection).fireDue()));
          for (;;) {
            const [{ waiting }] = (await gate.query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE relation = 'at_risk_flags'::regclass AND NOT granted`)).rows;
            if (waiting >= 2) break;
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          await gate.query('COMMIT');
          fired = await firing;
        } finally {
          await gate.end();
        }
        // Each pathway's two timers, each fired once: its shelf life, and its conditioning course (given during manufacture) lapsing.
        expect(fired.reduce((sum, n) => sum + n, 0)).toBe(2 * made.length);
        for (const { coi } of made) {
          expect(await flagsOf(a, coi)).toEqual(['PathwayFlaggedAtRisk']);
          // Subscribers of both servers are told, from the one flag recorded.
          for (const subscriber of [onA, onB]) expect((await subscriber.until(about(coi, true))).data!.atRiskChanged.reasons.join()).toMatch(/shelf life/);
        }
      } finally {
        await b.close();
        await a.close();
      }
    } finally {
      await database.drop();
    }
  });
});

type Database = Awaited<ReturnType<typeof createTestDatabase>>;

/** A process on the database that runs no projections or reactors (as a one-off command does). */
const startCommandProcess = (database: Database) => startTestApi({ database, runProjections: false, holdExpirySweepMs: 0 });

/** The API (re)started on a database that already holds the demo network; `beside` shares its clock. */
async function startTestApiOn(database: Database, beside?: TestApi): Promise<TestApi> {
  const api = await startTestApi({ database, holdExpirySweepMs: 0, clock: beside?.clock });
  await api.caughtUp();
  return api;
}
