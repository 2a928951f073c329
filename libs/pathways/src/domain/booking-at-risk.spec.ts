import type { SlotRef } from '@bedside/capacity/domain';
import { bookingsLost, conditioningLapsed, icuCoverMissing, outOfReach, slotsAhead, strandedBy, withdrawnBy, type LatestDesignation, type SlotNow, type UnitMoveMade } from './booking-at-risk';
import { NOT_STARTED } from './lifecycle';

const chair = (day: string): SlotRef => ({ resourceKey: 'site:RBV01:APHERESIS_CHAIR', day, session: 'AM' });
const bed = (day: string): SlotRef => ({ resourceKey: 'site:RBV01:INFUSION_BED', day, session: '' });
const bay = (unit: string, day: string): SlotRef => ({ resourceKey: `unit:${unit}`, day, session: '' });
const now = new Date('2027-03-03T12:00:00Z');
const open = (endsAt = '2027-03-10T00:00:00Z'): SlotNow => ({ endsAt: new Date(endsAt), capacity: 2, closedReason: null, used: 1 });

describe('which booked slots a pathway still needs', () => {
  const booked = [chair('2027-03-01'), bay('MU-1', '2027-03-02'), bay('MU-1', '2027-03-04'), bed('2027-03-20')];

  it('before collection: every one', () => {
    expect(slotsAhead(NOT_STARTED, booked, () => open(), now).map((a) => a.slot)).toEqual(booked);
  });

  it('once collected: not the apheresis chairs', () => {
    expect(slotsAhead({ ...NOT_STARTED, product: 'COLLECTED' }, booked, () => open(), now).map((a) => a.slot)).toEqual(booked.slice(1));
  });

  it('with the batch under way: its own unit for the days it has left, marked as the batch, and no other unit', () => {
    const under = { ...NOT_STARTED, product: 'IN_MANUFACTURE' as const, manufactureUnitId: 'MU-1' };
    const layout = (slot: SlotRef) => open(slot.day === '2027-03-02' ? '2027-03-03T00:00:00Z' : '2027-03-05T00:00:00Z');
    expect(slotsAhead(under, [...booked, bay('MU-2', '2027-03-04')], layout, now)).toEqual([
      { slot: bay('MU-1', '2027-03-04'), batch: true },
      { slot: bed('2027-03-20'), batch: false },
    ]);
  });

  it('once made: no bays at all', () => {
    expect(slotsAhead({ ...NOT_STARTED, product: 'RELEASED' }, booked, () => open(), now).map((a) => a.slot)).toEqual([bed('2027-03-20')]);
  });
});

describe('the places live capacity can no longer give', () => {
  it('names each resource and cause once, over the days it spans, and whether the batch is hit', () => {
    const closed: SlotNow = { endsAt: new Date('2027-03-05T00:00:00Z'), capacity: 0, closedReason: 'Unit MU-1 is OUT_OF_SERVICE: fault', used: 1 };
    const layout = (slot: SlotRef) => (slot.resourceKey === 'unit:MU-1' ? closed : slot.day === '2027-03-21' ? undefined : open());
    const ahead = [
      { slot: bay('MU-1', '2027-03-04'), batch: true },
      { slot: bay('MU-1', '2027-03-06'), batch: true },
      { slot: bed('2027-03-20'), batch: false },
      { slot: bed('2027-03-21'), batch: false },
    ];
    expect(bookingsLost(ahead, layout)).toEqual([
      { reason: 'Unit MU-1 is OUT_OF_SERVICE: fault (unit:MU-1, 2027-03-04 to 2027-03-06)', batch: true },
      { reason: 'no longer in the calendar (site:RBV01:INFUSION_BED, 2027-03-21)', batch: false },
    ]);
  });

  it('finds nothing while every place still fits its slot', () => {
    expect(bookingsLost([{ slot: bed('2027-03-20'), batch: false }], () => ({ ...open(), capacity: 1, used: 1 }))).toEqual([]);
  });
});

describe('the batch slots a deployment made anyway took away', () => {
  const move: UnitMoveMade = { deploymentId: 'MCT-01-D1', unitId: 'MCT-01', toSiteCode: 'RRK01', leavesOn: '2027-03-10', strandedCois: ['COI-1'] };
  const bay = (day: string, batch = false) => ({ slot: { resourceKey: 'unit:MCT-01', day, session: '' }, batch });

  it('names the unit, where it went and the days lost, for a pathway the move stranded', () => {
    const lost = strandedBy('COI-1', [bay('2027-03-08'), bay('2027-03-10'), bay('2027-03-12')], [move]);
    expect(lost).toEqual([{ reason: 'Unit MCT-01 leaves for RRK01 on 2027-03-10 (MCT-01-D1) (unit:MCT-01, 2027-03-10 to 2027-03-12)', batch: false }]);
  });

  it('says a batch under way is stopped when its days are among them', () => {
    expect(strandedBy('COI-1', [bay('2027-03-11', true)], [move])[0]!.batch).toBe(true);
  });

  it('leaves alone pathways it did not strand, and bookings that end before the unit leaves or are on other resources', () => {
    expect(strandedBy('COI-2', [bay('2027-03-12')], [move])).toEqual([]);
    expect(strandedBy('COI-1', [bay('2027-03-09')], [move])).toEqual([]);
    expect(strandedBy('COI-1', [{ slot: { resourceKey: 'site:RBV01:INFUSION_BED', day: '2027-03-20', session: '' }, batch: false }], [move])).toEqual([]);
  });
});

describe('the batch slots a later DMMF version withdrew (issue 11 §5), judged where the unit stands each day', () => {
  // MCT-01 stands at home (CTL01) until it leaves for RBV01 on 10 March.
  const siteOn = (unitId: string, day: string) => (unitId === 'MCT-01' ? (day < '2027-03-10' ? 'CTL01' : 'RBV01') : 'RRK01');
  const latest = (siteCodes: string[], unitIds: string[] = []): LatestDesignation => ({ productCode: 'POC-CAR19', version: 3, reason: 'CAPA', siteCodes, unitIds });
  const bay = (day: string, batch = false) => ({ slot: { resourceKey: 'unit:MCT-01', day, session: '' }, batch });

  it('flags the days the unit stands where the latest version does not designate it, naming the version and why', () => {
    expect(withdrawnBy(2, latest(['CTL01']), [bay('2027-03-08'), bay('2027-03-10'), bay('2027-03-12', true)], siteOn)).toEqual([
      { reason: 'Unit MCT-01 is no longer designated to make POC-CAR19: DMMF version 3 does not list it (CAPA) (unit:MCT-01, 2027-03-10 to 2027-03-12)', batch: true },
    ]);
  });

  it('leaves a booking alone while the unit, or the site it stands at, is designated, and when no later version was published', () => {
    expect(withdrawnBy(2, latest(['CTL01', 'RBV01']), [bay('2027-03-08'), bay('2027-03-12')], siteOn)).toEqual([]);
    expect(withdrawnBy(2, latest([], ['MCT-01']), [bay('2027-03-12')], siteOn)).toEqual([]);
    expect(withdrawnBy(3, latest([]), [bay('2027-03-12')], siteOn)).toEqual([]);
    expect(withdrawnBy(2, undefined, [bay('2027-03-12')], siteOn)).toEqual([]);
  });
});

describe('a conditioning course that lapses with no infusion (issue 14 §4)', () => {
  // The rule: more than reconditionAfterDays after the last dose, with no infusion, the course has lapsed and a new one is needed.
  const conditioning = { ...NOT_STARTED, patient: 'CONDITIONING' as const, doseTimes: ['2027-03-04T09:30:00Z', '2027-03-05T09:30:00Z', '2027-03-06T09:30:00Z'] };

  it('puts the pathway at risk from the day a new course may start, and not before', () => {
    expect(conditioningLapsed(conditioning, { reconditionAfterDays: 14 }, '2027-03-20')).toBeNull();
    expect(conditioningLapsed(conditioning, { reconditionAfterDays: 14 }, '2027-03-21')).toEqual({
      reason: 'the conditioning course lapsed with no infusion: its last dose was given on 2027-03-06, more than 14 days ago. The treating consultant decides on a new course, which may start from 2027-03-21 (startConditioning)',
      batch: false,
    });
  });

  it('leaves it alone once infused, before conditioning, or when the process sets no lapse', () => {
    expect(conditioningLapsed({ ...conditioning, patient: 'INFUSED' }, { reconditionAfterDays: 14 }, '2027-04-30')).toBeNull();
    expect(conditioningLapsed({ ...NOT_STARTED }, { reconditionAfterDays: 14 }, '2027-04-30')).toBeNull();
    expect(conditioningLapsed(conditioning, { reconditionAfterDays: null }, '2027-04-30')).toBeNull();
  });
});

describe('a booked centre the patient can no longer stay within reach of (issue 14 §4)', () => {
  // The rule: the booked infusion's centre within stayWithinReachMinutes of where the patient will stay (staysWithinReach).
  const process = { stayWithinReachDays: 28, stayWithinReachMinutes: 120 };
  const booked: SlotRef[] = [
    { resourceKey: 'site:RBV01:APHERESIS_CHAIR', day: '2027-03-01', session: 'AM' },
    { resourceKey: 'unit:MU-1', day: '2027-03-01', session: '' },
    { resourceKey: 'site:RBV01:INFUSION_BED', day: '2027-03-08', session: '' },
  ];
  const staying = (minutes: number | undefined) => ({ district: 'M20', minutesTo: (centre: string) => (centre === 'RBV01' ? minutes : undefined) });

  it('puts the pathway at risk when the district is recorded further than the process allows, or not at all, naming both', () => {
    expect(outOfReach(NOT_STARTED, process, staying(120), booked)).toBeNull();
    expect(outOfReach(NOT_STARTED, process, staying(150), booked)).toEqual({
      reason: 'the patient can no longer stay within reach of RBV01: M20 is 150 min from RBV01, and the patient must stay within 120 min of the centre for 28 days after infusion',
      batch: false,
    });
    expect(outOfReach({ ...NOT_STARTED, patient: 'CONDITIONING' }, process, staying(undefined), booked)?.reason).toMatch(/no travel time is recorded from M20 to RBV01/);
  });

  it('leaves it alone once infused, without a district, or for a process with no stay to keep', () => {
    expect(outOfReach({ ...NOT_STARTED, patient: 'INFUSED' }, process, staying(150), booked)).toBeNull();
    expect(outOfReach(NOT_STARTED, process, null, booked)).toBeNull();
    expect(outOfReach(NOT_STARTED, { ...process, stayWithinReachDays: 0 }, staying(150), booked)).toBeNull();
  });
});

describe('a booking without the ICU cover its infusion needs (issue 14 §4)', () => {
  // The rule: icuReserveProbability of an ICU bed at the infusion's centre on days 5 and 6 after it (icuCover).
  const process = { icuReserveProbability: 0.3 };
  const icu = (day: string): SlotRef => ({ resourceKey: 'site:RBV01:ICU_BED', day, session: '', share: 0.3 });
  const booked = [chair('2027-03-01'), bay('MU-1', '2027-03-02'), bed('2027-03-08')];

  it('puts a booking made before Bedside reserved cover at risk while the patient waits for conditioning, naming the days', () => {
    expect(icuCoverMissing(NOT_STARTED, process, booked)).toEqual({
      reason: 'no ICU cover is reserved on 2027-03-13 and 2027-03-14: 30% of an ICU bed at RBV01 must be reserved on 2027-03-13 and 2027-03-14 (days 5 and 6 after infusion), as 30% of patients given this product need intensive care then',
      batch: false,
    });
    expect(icuCoverMissing(NOT_STARTED, process, [...booked, icu('2027-03-13')])?.reason).toMatch(/^no ICU cover is reserved on 2027-03-14:/);
  });

  it('leaves a covered booking alone, and one whose conditioning has started (it can no longer move), and a product that reserves none', () => {
    expect(icuCoverMissing(NOT_STARTED, process, [...booked, icu('2027-03-13'), icu('2027-03-14')])).toBeNull();
    expect(icuCoverMissing({ ...NOT_STARTED, patient: 'CONDITIONING' }, process, booked)).toBeNull();
    expect(icuCoverMissing(NOT_STARTED, { icuReserveProbability: 0 }, booked)).toBeNull();
  });
});
