import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { CapacityCommitmentsProjection, type CommitmentEvent } from '@bedside/capacity';
import { AS_PLANNER, AS_SCHEDULER, startTestApi, type TestApi, type Persona, testInstant } from '../support/test-api';

const today = DateTime.fromJSDate(testInstant()).setZone('Europe/London').toISODate()!;
const inDays = (n: number) => DateTime.fromISO(today).plus({ days: n }).toISODate()!;

const process = (overrides: Record<string, unknown> = {}) => ({
  productCode: 'POC-CAR19',
  name: 'Point-of-care anti-CD19 CAR-T (fresh, 7-day)',
  startingMaterial: 'FRESH',
  maxFreshHoldHours: 36,
  apheresisSessions: 1,
  apheresisHoursPerSession: 4,
  manufactureDays: 7,
  qcMethod: 'RAPID',
  qcReleaseDays: 0,
  shelfLifeHours: 6,
  conditioningRegimen: 'Fludarabine + cyclophosphamide',
  conditioningDays: [-5, -4, -3],
  infusionWindowMinDays: 3,
  infusionWindowMaxDays: 3,
  conditioningGate: 'CONDITIONING_DURING_MANUFACTURE',
  reconditionAfterDays: 14,
  monitoringInpatientDays: 7,
  stayWithinReachDays: 28,
  stayWithinReachMinutes: 120,
  icuReserveProbability: 0.3,
  ...overrides,
});

const PUBLISH = `mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { productCode version reason publishedBy designation { siteCodes unitIds } process { startingMaterial maxFreshHoldHours conditioningDays } } }`;
const CAPACITY = `query($filter: CapacityFilter!, $from: LocalDate!, $to: LocalDate!, $first: Int, $after: String) {
  capacity(filter: $filter, from: $from, to: $to, first: $first, after: $after) {
    edges { node { siteCode unitId resource day session startsAt endsAt nominal capacity committed tentative free closedReason } }
    pageInfo { hasNextPage endCursor }
  } }`;

describe('network model over GraphQL', () => {
  let api: TestApi;
  const ok = async (query: string, variables?: Record<string, unknown>, headers?: Persona) => {
    const result = await api.gql(query, variables, headers);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const site = (code: string, name: string) =>
    ok(`mutation($input: RegisterSiteInput!) { registerSite(input: $input) { code } }`, {
      input: { code, name, kind: 'HOSPITAL', location: { latitude: 53.4, longitude: -2.2 }, region: 'NW', trustCode: code.slice(0, 3) },
    });
  const activate = async (code: string) => {
    await ok(`mutation { onboardSite(code: "${code}") { status } }`);
    await ok(`mutation { activateSite(code: "${code}") { status } }`);
  };
  const capacity = async (filter: Record<string, unknown>, from = today, to = inDays(6)) =>
    (await ok(CAPACITY, { filter, from, to, first: 500 })).capacity.edges.map((e: { node: Record<string, unknown> }) => e.node);

  beforeAll(async () => {
    api = await startTestApi();
    await site('RBV02', 'The Christie');
    await site('RRK02', 'Queen Elizabeth Birmingham');
    await activate('RBV02');
    await activate('RRK02');
    await ok(`mutation($input: RegisterUnitInput!) { registerUnit(input: $input) { id } }`, {
      input: { id: 'MU-COC-01', name: 'Cocoon 1', kind: 'CELL_THERAPY', mobility: 'FIXED', batchCapacity: 1, homeSiteCode: 'RBV02' },
    });
    await ok(`mutation($input: RegisterUnitInput!) { registerUnit(input: $input) { id } }`, {
      input: { id: 'MU-SHU-01', name: 'Shuttle 1', kind: 'CELL_THERAPY', mobility: 'FIXED', batchCapacity: 16, homeSiteCode: 'RRK02' },
    });
  });
  afterAll(() => api.close());

  describe('DMMFs', () => {
    it('lets only Control Site QA publish, and records nothing otherwise', async () => {
      const input = { process: process(), designation: { siteCodes: ['RBV02'], unitIds: ['MU-COC-01'] }, reason: 'First version' };
      const denied = await api.gql(PUBLISH, { input }, AS_PLANNER);
      expect(denied.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', requiredRoles: ['control_site_qa'] });
      expect(denied.errors![0]!.message).toMatch(/^Only control site qa may use publishDmmfVersion; you are acting as planner\.$/);
      const none = await api.gql(PUBLISH, { input }, {});
      expect(none.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
      expect((await ok(`{ dmmf(productCode: "POC-CAR19") { version } }`)).dmmf).toBeNull();
    });

    it('versions a DMMF without rewriting earlier versions', async () => {
      const v1 = await ok(PUBLISH, { input: { process: process(), designation: { siteCodes: ['RBV02'], unitIds: ['mu-coc-01'] }, reason: 'First version', basedOnVersion: 0 } });
      expect(v1.publishDmmfVersion).toMatchObject({ productCode: 'POC-CAR19', version: 1, publishedBy: 'qa.lead@control-site', designation: { siteCodes: ['RBV02'], unitIds: ['MU-COC-01'] } });
      const v2 = await ok(PUBLISH, {
        input: { process: process({ maxFreshHoldHours: 48 }), designation: { siteCodes: ['RBV02', 'RRK02'], unitIds: ['MU-COC-01', 'MU-SHU-01'] }, reason: 'Validated 48 h hold; add Birmingham', basedOnVersion: 1 },
      });
      expect(v2.publishDmmfVersion.version).toBe(2);
      const read = await ok(`{ latest: dmmf(productCode: "POC-CAR19") { version process { maxFreshHoldHours } } first: dmmf(productCode: "poc-car19", version: 1) { version process { maxFreshHoldHours } } dmmfVersions(productCode: "POC-CAR19") { edges { node { version reason } } } network { products { productCode version } } }`);
      expect(read.latest).toEqual({ version: 2, process: { maxFreshHoldHours: 48 } });
      expect(read.first).toEqual({ version: 1, process: { maxFreshHoldHours: 36 } });
      expect(read.dmmfVersions.edges.map((e: { node: { version: number } }) => e.node.version)).toEqual([1, 2]);
      expect(read.network.products).toEqual([{ productCode: 'POC-CAR19', version: 2 }]);
    });

    it('refuses a stale basedOnVersion with CONFLICT', async () => {
      const stale = await api.gql(PUBLISH, { input: { process: process(), designation: { siteCodes: ['RBV02'], unitIds: [] }, reason: 'Late edit', basedOnVersion: 1 } });
      expect(stale.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', latestVersion: 2 });
    });

    it.each([
      ['a designation naming a ceased site', async () => {
        await site('RXX99', 'Closed site');
        await ok(`mutation { ceaseSite(code: "RXX99", reason: "Programme ended") { status } }`);
        return { process: process({ productCode: 'CRYO-X' , startingMaterial: 'CRYOPRESERVED', maxFreshHoldHours: null, conditioningGate: 'RELEASE_BEFORE_CONDITIONING' }), designation: { siteCodes: ['RXX99'], unitIds: [] }, reason: 'x' };
      }, 'BAD_USER_INPUT', /RXX99 has ceased/],
      ['an unknown unit', async () => ({ process: process({ productCode: 'CRYO-Y' }), designation: { siteCodes: [], unitIds: ['MU-NOPE-1'] }, reason: 'x' }), 'NOT_FOUND', /MU-NOPE-1/],
      ['fresh material without a hold', async () => ({ process: process({ productCode: 'CRYO-Z', maxFreshHoldHours: null }), designation: { siteCodes: ['RBV02'], unitIds: [] }, reason: 'x' }), 'BAD_USER_INPUT', /maximum hold/],
      ['a window that excludes day 0 of its template', async () => ({ process: process({ productCode: 'CRYO-W', infusionWindowMinDays: 5, infusionWindowMaxDays: 9 }), designation: { siteCodes: ['RBV02'], unitIds: [] }, reason: 'x' }), 'BAD_USER_INPUT', /outside the infusion window/],
    ])('rejects %s, writing nothing', async (_what, makeInput, code, message) => {
      const input = await makeInput();
      const result = await api.gql(PUBLISH, { input });
      expect(result.errors![0]!.extensions.code).toBe(code);
      expect(result.errors![0]!.message).toMatch(message);
      const productCode = (input.process as { productCode: string }).productCode;
      expect((await ok(`{ dmmf(productCode: "${productCode}") { version } }`)).dmmf).toBeNull();
    });
  });

  describe('calendars and live capacity', () => {
    beforeAll(async () => {
      await ok(`mutation($input: ResourceCalendarInput!) { setResourceCalendar(input: $input) { siteCode } }`, {
        input: {
          siteCode: 'RBV02',
          resource: 'APHERESIS_CHAIR',
          count: 2,
          openingDays: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'],
          sessions: [
            { name: 'AM', start: '08:00', end: '13:00' },
            { name: 'PM', start: '13:30', end: '18:00' },
          ],
          openOnBankHolidays: true,
          effectiveFrom: today,
        },
      });
    });

    it('lays out sessions per day in the site’s time zone', async () => {
      const slots = await capacity({ siteCodes: ['RBV02'], resources: ['APHERESIS_CHAIR'] });
      expect(slots).toHaveLength(14);
      // Tomorrow's: a session of today's that began before the site was activated (a test run after
      // 08:00) is closed for the whole session, as any closure in force during a slot is.
      const tomorrowAm = slots.find((s: { day: string; session: string }) => s.day === inDays(1) && s.session === 'AM');
      expect(tomorrowAm).toMatchObject({ siteCode: 'RBV02', day: inDays(1), session: 'AM', nominal: 2, capacity: 2, committed: 0, free: 2, closedReason: null });
      const start = DateTime.fromISO(tomorrowAm.startsAt).setZone('Europe/London');
      expect(start.toFormat('HH:mm')).toBe('08:00');
    });

    it('shows no free capacity while the site is paused, and restores it on reactivation', async () => {
      const pausedAt = new Date();
      await ok(`mutation { pauseSite(code: "RBV02", reason: "Cleanroom deep clean") { status } }`);
      // From that moment: slots already over keep what they had; every later one is closed.
      const paused = (await capacity({ siteCodes: ['RBV02'] })).filter((s: { endsAt: string }) => new Date(s.endsAt) > pausedAt);
      expect(paused.length).toBeGreaterThan(10);
      expect(paused.filter((s: { free: number }) => s.free !== 0)).toEqual([]);
      // A session of today's may also have begun before the site was activated: the pause is the reason from tomorrow on.
      expect(paused.find((s: { resource: string; day: string }) => s.resource === 'APHERESIS_CHAIR' && s.day !== today).closedReason).toBe('Site RBV02 is PAUSED: Cleanroom deep clean');
      // The unit at the paused site has no manufacturing capacity either.
      await ok(`mutation { activateSite(code: "RBV02") { status } }`);
      const future = await capacity({ siteCodes: ['RBV02'], resources: ['APHERESIS_CHAIR'] }, inDays(1), inDays(2));
      expect(future.map((s: { free: number }) => s.free)).toEqual([2, 2, 2, 2]);
    });

    it('gives a unit batch slots only while it is qualified', async () => {
      const before = await capacity({ unitIds: ['MU-SHU-01'] }, inDays(1), inDays(1));
      expect(before).toMatchObject([{ resource: 'MANUFACTURING_BAY', nominal: 16, capacity: 0, closedReason: 'Unit MU-SHU-01 is REQUALIFYING: newly registered' }]);
      const qualified = await ok(`mutation { setUnitQualification(id: "MU-SHU-01", state: QUALIFIED, reason: "PQ runs passed") { qualification qualificationReason } }`);
      expect(qualified.setUnitQualification).toEqual({ qualification: 'QUALIFIED', qualificationReason: 'PQ runs passed' });
      expect((await capacity({ unitIds: ['MU-SHU-01'] }, inDays(1), inDays(1)))[0]).toMatchObject({ capacity: 16, free: 16 });
      await ok(`mutation { setUnitQualification(id: "MU-SHU-01", state: OUT_OF_SERVICE, reason: "Incubator fault") { qualification } }`);
      expect((await capacity({ unitIds: ['MU-SHU-01'] }, inDays(1), inDays(1)))[0]).toMatchObject({ free: 0, closedReason: 'Unit MU-SHU-01 is OUT_OF_SERVICE: Incubator fault' });
      await ok(`mutation { setUnitQualification(id: "MU-SHU-01", state: QUALIFIED, reason: "Repaired, requalified") { qualification } }`);
    });

    it('filters manufacturing capacity to the units a product’s DMMF designates', async () => {
      await ok(`mutation { setUnitQualification(id: "MU-COC-01", state: QUALIFIED, reason: "PQ passed") { qualification } }`);
      await ok(PUBLISH, { input: { process: process({ productCode: 'ONLY-COC' }), designation: { siteCodes: [], unitIds: ['MU-COC-01'] }, reason: 'Cocoon only' } });
      const bays = await capacity({ productCode: 'ONLY-COC', resources: ['MANUFACTURING_BAY'] }, inDays(1), inDays(1));
      expect(bays.map((s: { unitId: string }) => s.unitId)).toEqual(['MU-COC-01']);
    });

    it('takes exceptions off capacity, refuses overlapping ones, and restores capacity when withdrawn', async () => {
      const add = (input: Record<string, unknown>) =>
        api.gql(`mutation($input: CalendarExceptionInput!) { addCalendarException(input: $input) { siteCode exceptions { exceptionId kind from to unavailable reason } } }`, { input });
      const added = await add({ exceptionId: 'svc-1', siteCode: 'RBV02', resource: 'APHERESIS_CHAIR', kind: 'MAINTENANCE', from: inDays(2), to: inDays(3), unavailable: 1, reason: 'Cell separator service' });
      expect(added.errors).toBeUndefined();
      expect(added.data!.addCalendarException.exceptions).toEqual([{ exceptionId: 'svc-1', kind: 'MAINTENANCE', from: inDays(2), to: inDays(3), unavailable: 1, reason: 'Cell separator service' }]);
      const reduced = await capacity({ siteCodes: ['RBV02'], resources: ['APHERESIS_CHAIR'] }, inDays(2), inDays(2));
      expect(reduced.map((s: { capacity: number }) => s.capacity)).toEqual([1, 1]);
      expect(reduced[0].closedReason).toBe('maintenance: Cell separator service');

      const overlap = await add({ siteCode: 'RBV02', kind: 'STAFF_SHORTAGE', from: inDays(3), to: inDays(4), reason: 'Strike' });
      expect(overlap.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', overlapsWith: 'svc-1' });

      const withdrawn = await api.gql(`mutation { withdrawCalendarException(siteCode: "RBV02", exceptionId: "svc-1", reason: "Service moved") { exceptions { exceptionId } } }`);
      expect(withdrawn.data!.withdrawCalendarException.exceptions).toEqual([]);
      expect((await capacity({ siteCodes: ['RBV02'], resources: ['APHERESIS_CHAIR'] }, inDays(2), inDays(2))).map((s: { capacity: number }) => s.capacity)).toEqual([2, 2]);
    });

    it('never shows negative free capacity, even when bookings exceed what a closure left', async () => {
      // Bookings (the scheduling issue) count in the capacity slice's commitments; a closure can land after them.
      const [slot] = await capacity({ siteCodes: ['RBV02'], resources: ['APHERESIS_CHAIR'] }, inDays(5), inDays(5));
      expect(slot).toMatchObject({ capacity: 2, free: 2 });
      const place = { resourceKey: 'site:RBV02:APHERESIS_CHAIR', day: inDays(5), session: 'AM' };
      // Three places held and two of them booked, as the commitments projection adds them up (no holds
      // are recorded: the network here has no pathways to hold them for).
      const commit = (events: readonly CommitmentEvent[]) => new CapacityCommitmentsProjection().apply(events as never, api.app.get(DataSource).manager);
      await commit([
        ...['h1', 'h2', 'h3'].map((holdId): CommitmentEvent => ({ type: 'SlotHeld', data: { slot: place, holdId } })),
        { type: 'HoldConfirmed', data: { slots: [place, place] } },
      ]);
      const [overbooked] = await capacity({ siteCodes: ['RBV02'], resources: ['APHERESIS_CHAIR'] }, inDays(5), inDays(5));
      expect(overbooked).toMatchObject({ capacity: 2, committed: 2, tentative: 1, free: 0 });
      await commit([
        { type: 'SlotReleased', data: { slot: place, holdId: 'h1', wasBooked: true } },
        { type: 'SlotReleased', data: { slot: place, holdId: 'h2', wasBooked: true } },
        { type: 'SlotReleased', data: { slot: place, holdId: 'h3', wasBooked: false } },
      ]);
      expect((await capacity({ siteCodes: ['RBV02'], resources: ['APHERESIS_CHAIR'] }, inDays(5), inDays(5)))[0]).toMatchObject({ committed: 0, tentative: 0, free: 2 });
    });

    it('reports utilisation per resource', async () => {
      const { utilisation } = await ok(`query($from: LocalDate!, $to: LocalDate!) { utilisation(filter: { siteCodes: ["RBV02"] }, from: $from, to: $to) { siteCode unitId resource capacity committed utilisation } }`, {
        from: inDays(1),
        to: inDays(2),
      });
      expect(utilisation).toEqual([
        { siteCode: 'RBV02', unitId: null, resource: 'APHERESIS_CHAIR', capacity: 8, committed: 0, utilisation: 0 },
        { siteCode: 'RBV02', unitId: 'MU-COC-01', resource: 'MANUFACTURING_BAY', capacity: 2, committed: 0, utilisation: 0 },
      ]);
    });
  });

  describe('bad input', () => {
    it.each([
      ['a session ending before it starts', `mutation { setResourceCalendar(input: { siteCode: "RRK02", resource: APHERESIS_CHAIR, count: 1, openingDays: [MON], sessions: [{ name: "AM", start: "13:00", end: "08:00" }], effectiveFrom: "${today}" }) { siteCode } }`, 'sessions[0].end'],
      ['sessions on a bed', `mutation { setResourceCalendar(input: { siteCode: "RRK02", resource: ICU_BED, count: 1, openingDays: [MON], sessions: [{ name: "AM", start: "08:00", end: "13:00" }], effectiveFrom: "${today}" }) { siteCode } }`, 'sessions'],
      ['a negative fill rate', `mutation { registerUnit(input: { id: "FF-01", name: "Filler", kind: FILL_FINISH, mobility: MOBILE, batchCapacity: 1, homeSiteCode: "RRK02", fillFinish: { vialsPerHour: -5, dosesPerVial: 10, effectiveOutputFactor: 0.8, shiftsPerDay: 2, hoursPerShift: 8, setupDays: 3, batchReleaseDays: 7 } }) { id } }`, 'fillFinish.vialsPerHour'],
      ['an unknown time zone', `mutation { registerSite(input: { code: "TZ001", name: "Nowhere", kind: HOSPITAL, timeZone: "Europe/Atlantis", location: { latitude: 50, longitude: 0 }, region: SE }) { code } }`, 'timeZone'],
      ['a capacity range over 400 days', `{ capacity(filter: {}, from: "2027-01-01", to: "2028-06-01") { edges { cursor } } }`, 'to'],
      ['a range ending before it starts', `{ capacity(filter: {}, from: "2027-01-05", to: "2027-01-01") { edges { cursor } } }`, 'to'],
    ])('rejects %s with BAD_USER_INPUT naming the field', async (_what, query, field) => {
      const result = await api.gql(query);
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    });

    it('rejects a malformed date before it reaches the application', async () => {
      const result = await api.gql(`{ capacity(filter: {}, from: "2027-02-30", to: "2027-03-01") { edges { cursor } } }`);
      expect(result.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    });

    it('needs the planner or QA role for calendars, and QA for sites', async () => {
      const calendar = await api.gql(
        `mutation { setResourceCalendar(input: { siteCode: "RRK02", resource: ICU_BED, count: 1, openingDays: [MON], effectiveFrom: "${today}" }) { siteCode } }`,
        {},
        AS_SCHEDULER,
      );
      expect(calendar.errors![0]!.extensions.code).toBe('FORBIDDEN');
      const siteChange = await api.gql(`mutation { pauseSite(code: "RRK02", reason: "x") { status } }`, {}, AS_PLANNER);
      expect(siteChange.errors![0]!.extensions.code).toBe('FORBIDDEN');
      const asPlanner = await api.gql(
        `mutation { setResourceCalendar(input: { siteCode: "RRK02", resource: ICU_BED, count: 1, openingDays: [MON], effectiveFrom: "${today}" }) { resources { resource count } } }`,
        {},
        AS_PLANNER,
      );
      expect(asPlanner.data!.setResourceCalendar.resources).toEqual([{ resource: 'ICU_BED', count: 1 }]);
    });
  });
});
