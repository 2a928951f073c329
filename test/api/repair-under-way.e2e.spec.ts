import { DataSource } from 'typeorm';
import { CapacityReads, slotKey } from '@bedside/capacity';
import { addDays, localDateOf } from '@bedside/shared';
import { atEndOf, collectAndDeliver, referAndBook, startManufacture, step, type Slot } from '../support/pathway-steps';
import { AS_SCHEDULER, startDemoApi, type TestApi, testInstant } from '../support/test-api';

interface Entry {
  pathway: { coi: string; status: string; productState: string };
  reasons: string[];
  proposalId: string | null;
  note: string | null;
  recollection: boolean;
  keptSlots: Slot[];
  proposal: { unitId: string; collectionDays: string[]; infusionDay: string; treatmentCentre: string; steps: { kind: string; start: string }[]; slots: (Slot & { share?: number | null })[] } | null;
}

const AT_RISK = `{ atRiskPathways(first: 100) { edges { node {
  pathway { coi status productState } reasons proposalId note recollection keptSlots { resourceKey day session }
  proposal { unitId collectionDays infusionDay treatmentCentre steps { kind start } slots { resourceKey day session share } } } } } }`;

const isChair = (s: Slot) => s.resourceKey.endsWith(':APHERESIS_CHAIR');
const isBay = (s: Slot) => s.resourceKey.startsWith('unit:');

describe('repairing pathways under way, and postponed patients', () => {
  let api: TestApi;
  let db: DataSource;
  const atRisk = async (coi: string): Promise<Entry | undefined> =>
    (await step<{ atRiskPathways: { edges: { node: Entry }[] } }>(api, AT_RISK)).atRiskPathways.edges.map((e) => e.node).find((e) => e.pathway.coi === coi);
  const committed = async (slot: Slot) =>
    (await api.app.get(CapacityReads).placed([slot])).slots.get(slotKey(slot))?.committed ?? 0;
  const setQualification = (id: string, state: string) =>
    api.gql(`mutation($id: ID!, $state: QualificationState!) { setUnitQualification(id: $id, state: $state, reason: "Incubator fault under investigation") { qualification } }`, { id, state });

  beforeAll(async () => {
    api = await startDemoApi();
    db = api.app.get(DataSource);
  });
  afterAll(() => api.close());

  it('keeps a collection already made: the fresh material goes to another unit within its hold, and the collection is not booked again', async () => {
    // The Christie conditions every day here, bank holidays too, so that a repair starting manufacture the
    // day after collection (all the fresh hold allows) can always keep its course: the demo's chairs close on
    // Sundays, and a course falling on one has no repair (found at the spring clock change, 2027-03-28).
    // The demo's calendar (libs/network/src/demo/demo-network.ts) comes back when the test ends.
    const today = localDateOf(api.clock.now(), 'Europe/London');
    const conditioning = (days: string, bankHolidays: boolean) =>
      api.gql(
        `mutation($d: LocalDate!) { setResourceCalendar(input: { siteCode: "RBV01", resource: CONDITIONING_CHAIR, count: 3, openingDays: ${days}, sessions: [{ name: "AM", start: "09:00", end: "13:00" }, { name: "PM", start: "13:30", end: "17:30" }], openOnBankHolidays: ${bankHolidays}, effectiveFrom: $d }) { siteCode } }`,
        { d: today },
      );
    expect((await conditioning('[MON, TUE, WED, THU, FRI, SAT, SUN]', true)).errors).toBeUndefined();
    try {
      await keepsTheCollection();
    } finally {
      expect((await conditioning('[MON, TUE, WED, THU, FRI, SAT]', false)).errors).toBeUndefined();
    }
  });

  const keepsTheCollection = async () => {
    const booked = await referAndBook(api, 'UNDERWAY-1');
    // The collection is made as booked: the clock moves to the end of its session.
    const collectedAt = atEndOf(api, booked, 'APHERESIS').getTime();
    await step(api, `mutation($coi: ID!, $site: String!) { recordCollection(input: { coi: $coi, siteCode: $site, sessions: 1 }) { status } }`, { coi: booked.coi, site: booked.plan.apheresisCentre });
    await setQualification(booked.plan.unitId, 'OUT_OF_SERVICE');
    try {
      const entry = (await atRisk(booked.coi))!;
      expect(entry.reasons).toEqual([expect.stringMatching(new RegExp(`Unit ${booked.plan.unitId} is OUT_OF_SERVICE`))]);
      expect(entry.note).toBeNull();
      expect(entry.recollection).toBe(false);
      const chair = booked.plan.slots.find(isChair)!;
      expect(entry.keptSlots).toEqual([chair]);
      const proposal = entry.proposal!;
      expect(proposal.unitId).not.toBe(booked.plan.unitId);
      expect(proposal.collectionDays).toEqual([localDateOf(new Date(collectedAt), 'Europe/London')]);
      expect(proposal.slots.filter(isChair)).toEqual([]);
      // Fresh material: manufacture starts within the 36 h hold of the recorded collection (domain.md step 4).
      const manufacture = proposal.steps.find((s) => s.kind === 'MANUFACTURE')!;
      expect(Date.parse(manufacture.start) - collectedAt).toBeLessThanOrEqual(36 * 3_600_000);

      const { acceptRepair } = await step<{ acceptRepair: { status: string; productState: string; holdId: string } }>(
        api,
        `mutation($coi: ID!, $id: ID!) { acceptRepair(coi: $coi, proposalId: $id) { status productState holdId } }`,
        { coi: booked.coi, id: entry.proposalId },
      );
      expect(acceptRepair).toMatchObject({ status: 'COLLECTED', productState: 'COLLECTED' });
      expect(await atRisk(booked.coi)).toBeUndefined();
      // The chair session moved to the new booking (still one place), the old bays are free, the new ones booked.
      expect(await committed(chair)).toBe(1);
      for (const bay of booked.plan.slots.filter(isBay)) expect(await committed(bay)).toBe(0);
      for (const bay of proposal.slots.filter(isBay)) expect(await committed(bay)).toBe(1);
      const [hold] = await db.query('SELECT status, slots FROM holds WHERE hold_id = $1', [acceptRepair.holdId]);
      expect(hold.status).toBe('CONFIRMED');
      // The hold keeps each slot as the plan takes it: ICU cover with its share of a bed (issue 14 §4).
      expect(hold.slots).toEqual([chair, ...proposal.slots.map(({ share, ...slot }) => (share === null || share === undefined ? slot : { ...slot, share }))]);
    } finally {
      await setQualification(booked.plan.unitId, 'QUALIFIED');
    }
  };

  it('says plainly when collected fresh material can no longer start manufacture within its hold', async () => {
    const booked = await referAndBook(api, 'UNDERWAY-2');
    await step(api, `mutation($coi: ID!, $site: String!) { recordCollection(input: { coi: $coi, siteCode: $site, sessions: 1 }) { status } }`, { coi: booked.coi, site: booked.plan.apheresisCentre });
    const units: { unit_id: string }[] = await db.query(`SELECT unit_id FROM modular_units WHERE kind = 'CELL_THERAPY' AND qualification = 'QUALIFIED'`);
    for (const { unit_id } of units) await setQualification(unit_id, 'OUT_OF_SERVICE');
    try {
      const entry = (await atRisk(booked.coi))!;
      expect(entry.proposal).toBeNull();
      expect(entry.proposalId).toBeNull();
      expect(entry.note).toMatch(/cannot reach a designated unit and start manufacture within its 36 h hold: do not manufacture from it; record the deviation and plan a new collection\.$/);
      const refused = await api.gql(`mutation($coi: ID!) { acceptRepair(coi: $coi, proposalId: "anything") { status } }`, { coi: booked.coi }, AS_SCHEDULER);
      expect(refused.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentProposalId: null });
    } finally {
      for (const { unit_id } of units) await setQualification(unit_id, 'QUALIFIED');
    }
  });

  it('keeps a batch under way on its unit and moves the patient to a treatment centre with a bed on the day it is ready', async () => {
    // A patient living in central London (WC1E), within reach of five London centres (issue 14 §4).
    const booked = await referAndBook(api, 'UNDERWAY-3', 'POC-CAR19', 'RRV01');
    await collectAndDeliver(api, booked);
    await startManufacture(api, booked);
    // The treatment centre's infusion beds close on the infusion day.
    const closed = await api.gql(`mutation($input: CalendarExceptionInput!) { addCalendarException(input: $input) { siteCode } }`, {
      input: { siteCode: booked.plan.treatmentCentre, resource: 'INFUSION_BED', kind: 'OUTAGE', from: booked.plan.infusionDay, to: booked.plan.infusionDay, reason: 'Ward closed: norovirus' },
    });
    expect(closed.errors).toBeUndefined();
    const entry = (await atRisk(booked.coi))!;
    expect(entry.reasons.join()).toMatch(/Ward closed: norovirus|OUTAGE/);
    const kept = booked.plan.slots.filter((s) => isChair(s) || isBay(s));
    expect(new Set(entry.keptSlots.map((s) => JSON.stringify(s)))).toEqual(new Set(kept.map((s) => JSON.stringify(s))));
    // Every centre keeps the same opening days, so a centre within the 6 h shelf life of the unit can take the patient on the same days.
    expect(entry.proposal).not.toBeNull();
    // Fresh point-of-care product is infused on the day it is ready (domain.md step 7), so the day stays and the centre moves.
    expect(entry.proposal).toMatchObject({ unitId: booked.plan.unitId, infusionDay: booked.plan.infusionDay });
    expect(entry.proposal!.treatmentCentre).not.toBe(booked.plan.treatmentCentre);
    expect(entry.proposal!.slots.some((s) => isChair(s) || isBay(s))).toBe(false);
    await step(api, `mutation($coi: ID!, $id: ID!) { acceptRepair(coi: $coi, proposalId: $id) { status } }`, { coi: booked.coi, id: entry.proposalId });
    for (const bay of booked.plan.slots.filter(isBay)) expect(await committed(bay)).toBe(1);
    expect(await atRisk(booked.coi)).toBeUndefined();
  });

  it('postpones a patient: a booked pathway is flagged and repaired to collect and condition no earlier than the day given', async () => {
    const booked = await referAndBook(api, 'POSTPONE-1');
    const until = addDays(booked.plan.collectionDays[0]!, 14);
    const { postponePatient } = await step<{ postponePatient: { postponedUntil: string; postponementReason: string; earliestCollectionDate: string; status: string } }>(
      api,
      `mutation($coi: ID!, $until: LocalDate!) { postponePatient(coi: $coi, until: $until, reason: "Chest infection: antibiotics first") { postponedUntil postponementReason earliestCollectionDate status } }`,
      { coi: booked.coi, until },
    );
    expect(postponePatient).toEqual({ postponedUntil: until, postponementReason: 'Chest infection: antibiotics first', earliestCollectionDate: until, status: 'BOOKED' });
    const entry = (await atRisk(booked.coi))!;
    expect(entry.reasons).toEqual([`the patient is postponed until ${until} (Chest infection: antibiotics first) but is booked in on ${booked.plan.collectionDays[0]}`]);
    expect(entry.proposal!.collectionDays[0]! >= until).toBe(true);
    await step(api, `mutation($coi: ID!, $id: ID!) { acceptRepair(coi: $coi, proposalId: $id) { status } }`, { coi: booked.coi, id: entry.proposalId });
    expect(await atRisk(booked.coi)).toBeUndefined();
    for (const slot of booked.plan.slots.filter(isChair)) expect(await committed(slot)).toBe(0);
  });

  it('refuses postponements that make no sense, with a message saying what to do, and records nothing', async () => {
    const booked = await referAndBook(api, 'POSTPONE-2');
    const postpone = (coi: string, until: string, reason = 'Unwell') =>
      api.gql(`mutation($coi: ID!, $until: LocalDate!, $reason: String!) { postponePatient(coi: $coi, until: $until, reason: $reason) { status } }`, { coi, until, reason }, AS_SCHEDULER);
    const today = localDateOf(testInstant(), 'Europe/London');
    const past = await postpone(booked.coi, addDays(today, -1));
    expect(past.errors![0]).toMatchObject({ message: expect.stringMatching(/Postpone to a day after today/), extensions: { code: 'BAD_USER_INPUT', field: 'until' } });
    expect((await postpone(booked.coi, addDays(today, 5), '  ')).errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect((await postpone('ZZZZ9999999999Q', addDays(today, 5))).errors![0]!.extensions!.code).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
    const audit = await api.gql(`{ auditTrail(streamId: "pathway-${booked.coi}") { edges { node { type } } } }`);
    expect(audit.data!.auditTrail.edges.map((e: { node: { type: string } }) => e.node.type)).not.toContain('PatientPostponed');
    expect(await atRisk(booked.coi)).toBeUndefined();
  });

  it('after a failed batch proposes a new collection, and accepting it starts the product track again', async () => {
    const booked = await referAndBook(api, 'FAILED-1');
    await collectAndDeliver(api, booked);
    await startManufacture(api, booked);
    await step(api, `mutation($coi: ID!, $site: String!) { failManufacture(coi: $coi, siteCode: $site, reason: "Transduction failed: low viability") { status } }`, {
      coi: booked.coi,
      site: booked.plan.unitSiteCode,
    });
    const entry = (await atRisk(booked.coi))!;
    expect(entry.reasons).toEqual(['the product failed manufacture or QC']);
    expect(entry.recollection).toBe(true);
    expect(entry.keptSlots).toEqual([]);
    expect(entry.proposal!.slots.filter(isChair)).toHaveLength(1);
    const { acceptRepair } = await step<{ acceptRepair: { status: string; productState: string } }>(
      api,
      `mutation($coi: ID!, $id: ID!) { acceptRepair(coi: $coi, proposalId: $id) { status productState } }`,
      { coi: booked.coi, id: entry.proposalId },
    );
    expect(acceptRepair).toEqual({ status: 'BOOKED', productState: 'NOT_COLLECTED' });
    expect(await atRisk(booked.coi)).toBeUndefined();
    await step(api, `mutation($coi: ID!, $site: String!) { recordCollection(input: { coi: $coi, siteCode: $site, sessions: 1 }) { productState } }`, { coi: booked.coi, site: booked.plan.apheresisCentre });
    const audit = await api.gql(`{ auditTrail(streamId: "pathway-${booked.coi}") { edges { node { type } } } }`);
    expect(audit.data!.auditTrail.edges.map((e: { node: { type: string } }) => e.node.type).slice(-3)).toEqual(['ManufactureFailed', 'PlanRepaired', 'CollectionRecorded']);
  });
});
