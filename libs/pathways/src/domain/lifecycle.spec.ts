import { BedsideError, type LocalDate } from '@bedside/shared';
import { FRESH_PROCESS } from './fresh-process.fixture';
import { holdEvolver, HoldConfirmed, HoldPlaced, releaseHold } from './hold';
import {
  completeManufacture,
  confirmAvailability,
  evolveProgress,
  failManufacture,
  NOT_STARTED,
  productTrackRestarted,
  recordCollection,
  recordConditioningDose,
  releaseProduct,
  recordHandover,
  recordInfusion,
  recordThaw,
  startConditioning,
  startManufacture,
  StepOutOfOrderError,
  type CollectionFacts,
  type HandoverKind,
  type LifecycleContext,
  type LifecycleEvent,
  type LifecycleProcess,
  type Progress,
  type UnitFacts,
  type When,
} from './lifecycle';

const COI = 'B000126000001X';
const UNIT: UnitFacts = { unitId: 'MU-RBV01-COC1', siteCode: 'RBV01', qualification: 'QUALIFIED', siteStatus: 'ACTIVE', designated: true };
const FRESH = FRESH_PROCESS;
const FROZEN: LifecycleProcess = { ...FRESH, startingMaterial: 'CRYOPRESERVED', maxFreshHoldHours: null, conditioningGate: 'RELEASE_BEFORE_CONDITIONING', shelfLifeHours: 8760, infusionWindowMinDays: 2, infusionWindowMaxDays: 14 };

/** Monday 1 March 2027 (GMT): booked for one apheresis session from 08:00 and a batch on MU-RBV01-COC1. */
const ctx: LifecycleContext = {
  coi: COI,
  booked: true,
  process: FRESH,
  earliestCollectionDate: '2027-03-01',
  postponedUntil: null,
  lateAfterMinutes: 60,
  booking: { unitIds: [UNIT.unitId], apheresisDays: ['2027-03-01'], firstSessionStartsAt: new Date('2027-03-01T08:00:00Z') },
  units: new Map([[UNIT.unitId, UNIT]]),
};

/** Recorded as it happens. */
const at = (instant: string): When => ({ at: new Date(instant), now: new Date(instant) });
/** Happened at `instant`, recorded at `now`. */
const recorded = (instant: string, now: string, lateReason?: string): When => ({ at: new Date(instant), now: new Date(now), lateReason });

type Decision = (p: Progress) => LifecycleEvent[];

/** Given these steps were recorded, in order, the progress they leave. */
function given(...decisions: Decision[]): Progress {
  return decisions.reduce((p, decide) => decide(p).reduce(evolveProgress, p), NOT_STARTED);
}

const collected =
  (instant: string, facts: Partial<CollectionFacts> = {}, c = ctx): Decision =>
  (p) =>
    recordCollection(c, p, { siteCode: 'RBV01', sessions: 1, cd3YieldE9: null, ...facts }, at(instant));
const handedOver =
  (handover: HandoverKind, instant: string, siteCode = 'RBV01', c = ctx): Decision =>
  (p) =>
    recordHandover(c, p, { handover, from: 'a', to: 'b', condition: '2-8 °C', scannedCoi: COI, siteCode }, at(instant));
const manufactureStarted =
  (instant: string, c = ctx): Decision =>
  (p) =>
    startManufacture(c, p, 'RBV01', UNIT.unitId, at(instant));
const manufactured =
  (instant: string): Decision =>
  (p) =>
    completeManufacture(ctx, p, 'RBV01', at(instant));
const confirmed =
  (instant: string): Decision =>
  (p) =>
    confirmAvailability(ctx, p, 'RBV01', at(instant));
const conditioning =
  (instant: string): Decision =>
  (p) =>
    startConditioning(ctx, p, 'RBV01', at(instant));
const dose =
  (day: number, instant: string): Decision =>
  (p) =>
    recordConditioningDose(ctx, p, 'RBV01', at(instant), day);

/** The error a decision throws, to look at its code, message and details together. */
function refusal(decide: () => unknown): BedsideError {
  try {
    decide();
  } catch (error) {
    if (error instanceof BedsideError) return error;
    throw error;
  }
  throw new Error('expected the step to be refused');
}

/** Collected Monday 1 March 08:00-12:00, shipped and received at the unit by 13:00. */
const received = () => given(collected('2027-03-01T12:00:00Z'), handedOver('SHIPPED', '2027-03-01T12:10:00Z'), handedOver('RECEIVED', '2027-03-01T12:40:00Z'));

describe('when a step happened, not when it was typed (issue 11 §2)', () => {
  it('dates the event when it happened; the log keeps when it was typed', () => {
    const [event] = recordCollection(ctx, NOT_STARTED, { siteCode: 'rbv01', sessions: 1, cd3YieldE9: 2.1 }, recorded('2027-03-01T12:00:00Z', '2027-03-01T12:30:00Z'));
    expect(event!.data).toMatchObject({ at: '2027-03-01T12:00:00.000Z', siteCode: 'RBV01' });
    expect(event!.data).not.toHaveProperty('lateReason');
  });

  it('refuses a step dated in the future', () => {
    const error = refusal(() => recordCollection(ctx, NOT_STARTED, { siteCode: 'RBV01', sessions: 1, cd3YieldE9: null }, recorded('2027-03-01T14:00:00Z', '2027-03-01T13:00:00Z')));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'occurredAt' } });
    expect(error.message).toMatch(/dated 2027-03-01T14:00:00.000Z: that is after now/);
  });

  it('refuses a step dated before the step it follows, naming that step', () => {
    const p = received();
    const error = refusal(() => startManufacture(ctx, p, 'RBV01', UNIT.unitId, recorded('2027-03-01T12:30:00Z', '2027-03-01T13:00:00Z')));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'occurredAt' } });
    expect(error.message).toMatch(/before the step it follows \(the handover, recorded as happening at 2027-03-01T12:40:00.000Z\)/);
    expect(p).toMatchObject({ lastStep: 'MaterialHandedOver', lastStepAt: '2027-03-01T12:40:00.000Z' });
  });

  it('needs a reason for a step recorded more than the configured time after it happened, and keeps it', () => {
    const late = recorded('2027-03-01T12:00:00Z', '2027-03-01T16:00:00Z');
    const error = refusal(() => recordCollection(ctx, NOT_STARTED, { siteCode: 'RBV01', sessions: 1, cd3YieldE9: null }, late));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'lateReason' } });
    expect(error.message).toBe('Collection is recorded 4 h after it happened: say why (lateReason).');
    const [event] = recordCollection(ctx, NOT_STARTED, { siteCode: 'RBV01', sessions: 1, cd3YieldE9: null }, { ...late, lateReason: ' Ward system down ' });
    expect(event!.data.lateReason).toBe('Ward system down');
    // Within the configured time no reason is needed.
    expect(recordCollection({ ...ctx, lateAfterMinutes: 300 }, NOT_STARTED, { siteCode: 'RBV01', sessions: 1, cd3YieldE9: null }, late)).toHaveLength(1);
  });

  it('starts the 36 h clock when a collection recorded four hours late happened, not when it was typed', () => {
    const p = given(
      (q) => recordCollection(ctx, q, { siteCode: 'RBV01', sessions: 1, cd3YieldE9: null }, recorded('2027-03-01T12:00:00Z', '2027-03-01T16:00:00Z', 'Ward system down')),
      handedOver('SHIPPED', '2027-03-01T16:10:00Z'),
      handedOver('RECEIVED', '2027-03-01T16:20:00Z'),
    );
    expect(p).toMatchObject({ collectedAt: '2027-03-01T12:00:00.000Z', collectionStartedAt: '2027-03-01T08:00:00.000Z' });
    // 36 h from the booked first session (08:00 Monday) ends 20:00 Tuesday: eight hours before 36 h from when it was typed.
    expect(manufactureStarted('2027-03-02T19:59:00Z')(p)).toHaveLength(1);
    expect(refusal(() => manufactureStarted('2027-03-02T20:01:00Z')(p)).message).toMatch(/held 36.0 h since its first collection session began \(2027-03-01T08:00:00.000Z\), beyond its 36 h hold/);
  });

  it('keeps the record in order after a failed product starts the product track again', () => {
    const failed = given(
      collected('2027-03-01T12:00:00Z'),
      handedOver('SHIPPED', '2027-03-01T12:10:00Z'),
      handedOver('RECEIVED', '2027-03-01T12:40:00Z'),
      manufactureStarted('2027-03-02T08:00:00Z'),
      (q) => failManufacture(ctx, q, 'RBV01', at('2027-03-04T08:00:00Z'), 'Low viability'),
    );
    const again = productTrackRestarted(failed);
    expect(again).toMatchObject({ product: 'NOT_COLLECTED', collectedAt: null, lastStepAt: '2027-03-04T08:00:00.000Z' });
    expect(refusal(() => collected('2027-03-03T12:00:00Z')(again)).details).toMatchObject({ field: 'occurredAt' });
  });
});

describe('collection', () => {
  it('is refused 9 days before the washout ends, saying when it ends', () => {
    const washout = { ...ctx, earliestCollectionDate: '2027-03-10' };
    const error = refusal(() => collected('2027-03-01T12:00:00Z', {}, washout)(NOT_STARTED));
    expect(error).toBeInstanceOf(StepOutOfOrderError);
    expect(error.message).toBe(
      'Collection cannot be recorded now: the washout ends on 2027-03-10, and this collection is dated 2027-03-01. Collect on or after 2027-03-10; if the date is wrong, correct occurredAt.',
    );
    expect(error.details).toMatchObject({ earliestCollectionDate: '2027-03-10' });
    expect(collected('2027-03-10T12:00:00Z', {}, { ...washout, booking: null })(NOT_STARTED)).toHaveLength(1);
  });

  it('says so when a postponement, not the washout, keeps the patient from collection', () => {
    const postponed = { ...ctx, earliestCollectionDate: '2027-03-10', postponedUntil: '2027-03-10' };
    expect(refusal(() => collected('2027-03-01T12:00:00Z', {}, postponed)(NOT_STARTED)).message).toMatch(/the patient is postponed until 2027-03-10/);
  });

  it('records when the first session began: as given, else the booked first session on a booked day, else one session before the end', () => {
    const first = (facts: Partial<CollectionFacts>, instant: string, c = ctx) =>
      recordCollection(c, NOT_STARTED, { siteCode: 'RBV01', sessions: 1, cd3YieldE9: null, ...facts }, at(instant))[0]!.data.firstSessionStartedAt;
    expect(first({ firstSessionStartedAt: new Date('2027-03-01T09:15:00Z') }, '2027-03-01T13:00:00Z')).toBe('2027-03-01T09:15:00.000Z');
    expect(first({}, '2027-03-01T12:00:00Z')).toBe('2027-03-01T08:00:00.000Z');
    // Not on a booked day (or before the booked session began): the process's session length is assumed.
    expect(first({}, '2027-03-02T12:00:00Z')).toBe('2027-03-02T08:00:00.000Z');
    expect(first({}, '2027-03-01T07:30:00Z')).toBe('2027-03-01T03:30:00.000Z');
    expect(first({}, '2027-03-01T12:00:00Z', { ...ctx, booking: null })).toBe('2027-03-01T08:00:00.000Z');
  });

  it('refuses a first session after the end, and asks for it when fresh material took several sessions off its booked days', () => {
    expect(refusal(() => collected('2027-03-01T12:00:00Z', { firstSessionStartedAt: new Date('2027-03-01T13:00:00Z') })(NOT_STARTED)).details).toMatchObject({ field: 'firstSessionStartedAt' });
    const error = refusal(() => collected('2027-03-02T12:00:00Z', { sessions: 2 })(NOT_STARTED));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'firstSessionStartedAt' } });
    expect(error.message).toMatch(/took 2 sessions, not on its booked days: say when the first session began/);
  });
});

describe('the fresh hold, from the start of the first collection session (issue 11 §5)', () => {
  it('lets fresh material start manufacture within its hold, measured in real hours', () => {
    expect(manufactureStarted('2027-03-02T19:59:00Z')(received())).toHaveLength(1);
  });

  it('refuses Monday manufacture of 36 h material collected on Friday and Monday', () => {
    const friday = '2027-03-05T08:00:00Z';
    const fridayAndMonday = { ...ctx, earliestCollectionDate: '2027-03-05', booking: { unitIds: [UNIT.unitId], apheresisDays: ['2027-03-05', '2027-03-08'], firstSessionStartsAt: new Date(friday) } };
    const p = given(
      (q) => recordCollection(fridayAndMonday, q, { siteCode: 'RBV01', sessions: 2, cd3YieldE9: null }, at('2027-03-08T12:00:00Z')),
      handedOver('SHIPPED', '2027-03-08T12:10:00Z', 'RBV01', fridayAndMonday),
      handedOver('RECEIVED', '2027-03-08T12:40:00Z', 'RBV01', fridayAndMonday),
    );
    expect(p.collectionStartedAt).toBe('2027-03-05T08:00:00.000Z');
    const error = refusal(() => manufactureStarted('2027-03-08T14:00:00Z', fridayAndMonday)(p));
    expect(error).toMatchObject({ code: 'STEP_OUT_OF_ORDER', details: { hoursHeld: 78, holdEndedAt: '2027-03-06T20:00:00.000Z' } });
    expect(error.message).toMatch(/Do not manufacture from it: record the deviation and plan a new collection\.$/);
  });

  it('lets cryopreserved material wait', () => {
    const frozen = { ...ctx, process: FROZEN };
    expect(manufactureStarted('2027-04-01T00:00:00Z', frozen)(received())).toHaveLength(1);
  });
});

describe('where the material goes and where it is made', () => {
  it('refuses receipt at a site other than the booked unit’s, naming the booked site', () => {
    const shipped = given(collected('2027-03-01T12:00:00Z'), handedOver('SHIPPED', '2027-03-01T12:10:00Z'));
    const error = refusal(() => handedOver('RECEIVED', '2027-03-01T15:00:00Z', 'RRK01')(shipped));
    expect(error).toMatchObject({ code: 'CONFLICT', details: { bookedSiteCode: 'RBV01', bookedUnitId: UNIT.unitId } });
    expect(error.message).toMatch(/^Receipt at RRK01 refused: this batch is booked on MU-RBV01-COC1 at RBV01/);
  });

  it('refuses manufacture on a unit the booking does not name, naming the booked one', () => {
    const error = refusal(() => startManufacture(ctx, received(), 'ZZZ99', 'MU-DOES-NOT-EXIST', at('2027-03-01T14:00:00Z')));
    expect(error).toMatchObject({ code: 'CONFLICT', details: { unitId: 'MU-DOES-NOT-EXIST', bookedUnitIds: [UNIT.unitId] } });
    expect(error.message).toMatch(/^MU-DOES-NOT-EXIST is not the booked unit: this batch is booked on MU-RBV01-COC1 at RBV01/);
  });

  it.each([
    [{ qualification: 'OUT_OF_SERVICE' as const }, 'MU-RBV01-COC1 is OUT_OF_SERVICE: requalify it or accept the repair in atRiskPathways.'],
    [{ siteStatus: 'PAUSED' as const }, 'Site RBV01 is PAUSED: manufacture only at an active site. Reactivate it or accept the repair in atRiskPathways.'],
    [{ designated: false }, /is not designated for this product in the pathway's DMMF version/],
    [
      { onItsWay: { fromSiteCode: 'RRK01', readyOn: '2027-03-05' as LocalDate } },
      'MU-RBV01-COC1 is on its way from RRK01 to RBV01 (taken down, on the road, set up and requalified) and makes nothing there before 2027-03-05.',
    ],
  ])('refuses manufacture on the booked unit while %o, saying what to do', (change, message) => {
    const c = { ...ctx, units: new Map([[UNIT.unitId, { ...UNIT, ...change }]]) };
    const error = refusal(() => manufactureStarted('2027-03-01T14:00:00Z', c)(received()));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(message);
  });

  it('refuses a start recorded at another site than the unit’s, and an unknown unit', () => {
    expect(refusal(() => startManufacture(ctx, received(), 'RRK01', UNIT.unitId, at('2027-03-01T14:00:00Z'))).message).toMatch(/MU-RBV01-COC1 is at RBV01, not RRK01/);
    const unbooked = { ...ctx, booking: null, units: new Map() };
    expect(refusal(() => startManufacture(unbooked, received(), 'RBV01', 'MU-NOPE', at('2027-03-01T14:00:00Z'))).code).toBe('NOT_FOUND');
  });
});

describe('conditioning and infusion, on the regimen’s days (domain.md step 8)', () => {
  /** In manufacture Tuesday, confirmed, conditioning from Thursday 4 March (day -5): day 0 is Tuesday 9 March. */
  const conditioned = (...decisions: Decision[]) =>
    [manufactureStarted('2027-03-02T08:00:00Z'), confirmed('2027-03-02T09:00:00Z'), conditioning('2027-03-04T09:00:00Z'), dose(-5, '2027-03-04T09:30:00Z'), ...decisions].reduce(
      (p, decide) => decide(p).reduce(evolveProgress, p),
      received(),
    );

  it('gives each dose on the calendar day the regimen sets after the first', () => {
    expect(dose(-4, '2027-03-05T10:00:00Z')(conditioned())).toHaveLength(1);
    const error = refusal(() => dose(-4, '2027-03-04T15:00:00Z')(conditioned()));
    expect(error).toMatchObject({ code: 'STEP_OUT_OF_ORDER', details: { dueDay: -4, dueOn: '2027-03-05' } });
    expect(error.message).toMatch(/the day -4 dose falls on 2027-03-05 \(the day -5 dose was given on 2027-03-04\), not on 2027-03-04/);
    expect(refusal(() => dose(-3, '2027-03-07T10:00:00Z')(conditioned(dose(-4, '2027-03-05T10:00:00Z')))).details).toMatchObject({ dueOn: '2027-03-06' });
  });

  it('still names the dose that is due first', () => {
    expect(refusal(() => dose(-3, '2027-03-05T10:00:00Z')(conditioned())).details).toMatchObject({ dueDay: -4 });
  });

  /** All three doses given, the day -3 dose Saturday 6 March at 10:00, and the batch made Tuesday at 06:00. */
  const ready = () => conditioned(dose(-4, '2027-03-05T10:00:00Z'), dose(-3, '2027-03-06T10:00:00Z'), manufactured('2027-03-09T06:00:00Z'));

  it('refuses an infusion seconds after the day -3 dose of a product infused on day 0, three days after it', () => {
    const p = conditioned(dose(-4, '2027-03-05T10:00:00Z'), dose(-3, '2027-03-06T10:00:00Z'), manufactured('2027-03-06T10:00:05Z'));
    const error = refusal(() => recordInfusion(ctx, p, 'RBV01', at('2027-03-06T10:00:10Z'), COI));
    expect(error).toMatchObject({ code: 'STEP_OUT_OF_ORDER', details: { earliestInfusionDay: '2027-03-09', latestInfusionDay: '2027-03-09' } });
    expect(error.message).toMatch(/the last conditioning dose \(day -3\) was given on 2027-03-06, and this product is infused 3 days after it: on 2027-03-09, not on 2027-03-06/);
  });

  it('infuses on day 0, and refuses once the window has closed', () => {
    expect(recordInfusion(ctx, ready(), 'RBV01', at('2027-03-09T09:00:00Z'), COI)).toHaveLength(1);
    const frozen = { ...ctx, process: { ...FRESH, infusionWindowMinDays: 2, infusionWindowMaxDays: 4, shelfLifeHours: 8760 } };
    expect(recordInfusion(frozen, ready(), 'RBV01', at('2027-03-10T09:00:00Z'), COI)).toHaveLength(1);
    expect(refusal(() => recordInfusion(frozen, ready(), 'RBV01', at('2027-03-11T09:00:00Z'), COI)).message).toMatch(/closed on 2027-03-10\. Do not infuse/);
  });

  describe('a conditioning course that lapses (reconditionAfterDays; issue 14 §4)', () => {
    // The rule: an infusion more than reconditionAfterDays after the last dose needs a new conditioning course.
    it('ends the infusion window where the course lapses, when that comes first', () => {
      const lapsing = { ...ctx, process: { ...FRESH, infusionWindowMinDays: 2, infusionWindowMaxDays: 14, reconditionAfterDays: 10, shelfLifeHours: 8760 } };
      expect(recordInfusion(lapsing, ready(), 'RBV01', at('2027-03-16T09:00:00Z'), COI)).toHaveLength(1);
      const error = refusal(() => recordInfusion(lapsing, ready(), 'RBV01', at('2027-03-17T09:00:00Z'), COI));
      expect(error).toMatchObject({ code: 'STEP_OUT_OF_ORDER', details: { latestInfusionDay: '2027-03-16' } });
      expect(error.message).toMatch(/closed on 2027-03-16\. Do not infuse: a new conditioning course is needed, which may start from 2027-03-17 \(startConditioning\)/);
    });

    it('starts a new course only once the last has lapsed, counts its doses afresh, and infuses after it', () => {
      const frozen = { ...ctx, process: { ...FRESH, shelfLifeHours: 8760 } };
      const p = ready();
      const early = refusal(() => startConditioning(frozen, p, 'RBV01', at('2027-03-20T09:00:00Z')));
      expect(early).toMatchObject({ code: 'STEP_OUT_OF_ORDER', details: { reconditionFrom: '2027-03-21' } });
      expect(early.message).toMatch(/a new course may start only once this one has lapsed, more than 14 days after its last dose \(2027-03-06\), so from 2027-03-21/);
      const [again] = startConditioning(frozen, p, 'RBV01', at('2027-03-21T09:00:00Z'));
      expect(again!.data.course).toBe(2);
      let second = [again!].reduce(evolveProgress, p);
      expect(second).toMatchObject({ patient: 'CONDITIONING', dosesGiven: [], conditioningCourse: 2 });
      for (const [day, instant] of [[-5, '2027-03-21T09:30:00Z'], [-4, '2027-03-22T09:30:00Z'], [-3, '2027-03-23T09:30:00Z']] as const) {
        second = recordConditioningDose(frozen, second, 'RBV01', at(instant), day).reduce(evolveProgress, second);
      }
      expect(refusal(() => recordInfusion(frozen, second, 'RBV01', at('2027-03-25T09:00:00Z'), COI)).message).toMatch(/on 2027-03-26, not on 2027-03-25/);
      expect(recordInfusion(frozen, second, 'RBV01', at('2027-03-26T09:00:00Z'), COI)).toHaveLength(1);
    });

    it('leaves a second course to the treating consultant when the process sets no lapse', () => {
      const open = { ...ctx, process: { ...FRESH, shelfLifeHours: 8760, reconditionAfterDays: null } };
      expect(refusal(() => startConditioning(open, ready(), 'RBV01', at('2027-04-30T09:00:00Z'))).message).toMatch(/conditioning has already started\.$/);
      expect(refusal(() => recordInfusion(open, ready(), 'RBV01', at('2027-03-12T09:00:00Z'), COI)).message).toMatch(/the treating consultant decides whether conditioning is repeated/);
    });
  });

  describe('frozen product, thawed at the bedside (thawedShelfLifeMinutes; issue 14 §4)', () => {
    // The rule: frozen product is thawed once the patient is ready and the product released, and infused within the process's minutes of the thaw.
    const thawing: LifecycleContext = {
      ...ctx,
      process: { ...FRESH, shelfLifeHours: 8760, thawedShelfLifeMinutes: 30 },
      signature: { signer: 'qp.one', role: 'control_site_qa', meaning: 'APPROVED', signedAt: '2027-03-09T07:00:00.000Z', signedInAt: '2027-03-09T06:55:00.000Z' },
    };
    const released = () => releaseProduct(thawing, ready(), 'RBV01', at('2027-03-09T07:00:00Z'), { exceptional: false }).reduce(evolveProgress, ready());
    const thawed = () => recordThaw(thawing, released(), 'RBV01', at('2027-03-09T09:00:00Z')).reduce(evolveProgress, released());

    it('refuses to infuse frozen product that has not been thawed, and to thaw product not yet released', () => {
      expect(refusal(() => recordInfusion(thawing, released(), 'RBV01', at('2027-03-09T09:10:00Z'), COI)).message).toMatch(/this product is frozen: record the thaw at the bedside first \(recordThaw\), then infuse within 30 minutes/);
      expect(refusal(() => recordThaw(thawing, ready(), 'RBV01', at('2027-03-09T09:00:00Z')))).toMatchObject({ code: 'STEP_OUT_OF_ORDER', details: { productState: 'MANUFACTURED' } });
      expect(refusal(() => recordThaw(ctx, released(), 'RBV01', at('2027-03-09T09:00:00Z'))).message).toMatch(/this product is not frozen/);
    });

    it('infuses within 30 minutes of the thaw, and refuses a minute after', () => {
      expect(thawed().thawedAt).toBe('2027-03-09T09:00:00.000Z');
      expect(recordInfusion(thawing, thawed(), 'RBV01', at('2027-03-09T09:30:00Z'), COI)).toHaveLength(1);
      const late = refusal(() => recordInfusion(thawing, thawed(), 'RBV01', at('2027-03-09T09:31:00Z'), COI));
      expect(late).toMatchObject({ code: 'STEP_OUT_OF_ORDER', details: { thawedShelfLifeMinutes: 30 } });
      expect(late.message).toMatch(/thawed at 2027-03-09T09:00:00.000Z and had to be infused within 30 minutes, by 2027-03-09T09:30:00.000Z\. Do not infuse it/);
      expect(refusal(() => recordThaw(thawing, thawed(), 'RBV01', at('2027-03-09T09:05:00Z'))).message).toMatch(/was thawed at/);
    });
  });

  it('blocks infusion of fresh product past its shelf life, measured from the end of manufacture', () => {
    expect(recordInfusion(ctx, ready(), 'RBV01', at('2027-03-09T11:59:00Z'), COI)).toHaveLength(1);
    expect(() => recordInfusion(ctx, ready(), 'RBV01', at('2027-03-09T12:01:00Z'), COI)).toThrow(/passed its 6 h shelf life at 2027-03-09T12:00:00.000Z/);
  });

  describe('ICU cover is reserved before conditioning starts (icuReserveProbability; issue 14 §4)', () => {
    const confirmedOnly = () => [manufactureStarted('2027-03-02T08:00:00Z'), confirmed('2027-03-02T09:00:00Z')].reduce((p, decide) => decide(p).reduce(evolveProgress, p), received());
    const booked = (icuCoverDays: string[]) => ({ ...ctx, booking: { ...ctx.booking!, infusion: { centre: 'RBV01', day: '2027-03-09' }, icuCoverDays } });

    it('starts conditioning when the booking reserves cover on days 5 and 6 after the booked infusion', () => {
      expect(startConditioning(booked(['2027-03-14', '2027-03-15']), confirmedOnly(), 'RBV01', at('2027-03-04T09:00:00Z'))).toHaveLength(1);
    });

    it('refuses to start conditioning on a booking without that cover, naming the days and what to do', () => {
      const none = refusal(() => startConditioning(booked(['2027-03-14']), confirmedOnly(), 'RBV01', at('2027-03-04T09:00:00Z')));
      expect(none).toMatchObject({ code: 'CONFLICT', details: { siteCode: 'RBV01', infusionDay: '2027-03-09', missingIcuCoverDays: ['2027-03-15'], icuReserveProbability: 0.3 } });
      expect(none.message).toBe(
        'Start of conditioning at RBV01 refused: 30% of an ICU bed at RBV01 must be reserved on 2027-03-14 and 2027-03-15 (days 5 and 6 after infusion), as 30% of patients given this product need intensive care then, ' +
          'and the booking reserves none on 2027-03-15. Repair the plan so that it reserves the cover (atRiskPathways / acceptRepair), then start conditioning.',
      );
      // A product that reserves no cover needs none.
      const noCover = { ...booked([]), process: { ...ctx.process, icuReserveProbability: 0 } };
      expect(startConditioning(noCover, confirmedOnly(), 'RBV01', at('2027-03-04T09:00:00Z'))).toHaveLength(1);
    });
  });

  describe('the patient stays within reach of the centre after infusion (stayWithinReachMinutes; issue 14 §4)', () => {
    // The patient stays in M20: The Christie (RBV01) is 15 min away, RRK01 150 min, and nothing is recorded to RRV01.
    const minutes: Record<string, number> = { RBV01: 15, RRK01: 150 };
    const staying = { ...ctx, stay: { district: 'M20', minutesTo: (c: string) => minutes[c] } };
    const confirmedOnly = () => [manufactureStarted('2027-03-02T08:00:00Z'), confirmed('2027-03-02T09:00:00Z')].reduce((p, decide) => decide(p).reduce(evolveProgress, p), received());

    it('starts conditioning only at a centre within reach of where the patient will stay, saying what to do', () => {
      expect(startConditioning(staying, confirmedOnly(), 'RBV01', at('2027-03-04T09:00:00Z'))).toHaveLength(1);
      const far = refusal(() => startConditioning(staying, confirmedOnly(), 'RRK01', at('2027-03-04T09:00:00Z')));
      expect(far).toMatchObject({ code: 'CONFLICT', details: { district: 'M20', siteCode: 'RRK01', minutes: 150, stayWithinReachMinutes: 120 } });
      expect(far.message).toBe(
        'Start of conditioning at RRK01 refused: M20 is 150 min from RRK01, and the patient must stay within 120 min of the centre for 28 days after infusion. ' +
          'Arrange a stay within reach of RRK01 (arrangeMonitoringStay), or repair the plan to a centre within reach of M20 (atRiskPathways / acceptRepair).',
      );
      expect(refusal(() => startConditioning(staying, confirmedOnly(), 'RRV01', at('2027-03-04T09:00:00Z'))).message).toMatch(/^Start of conditioning at RRV01 refused: no travel time is recorded from M20 to RRV01/);
    });

    it('infuses only within reach too: a stay that moved out of reach after conditioning is refused at the bedside', () => {
      expect(recordInfusion(staying, ready(), 'RBV01', at('2027-03-09T09:00:00Z'), COI)).toHaveLength(1);
      const movedAway = { ...ctx, stay: { district: 'TR1', minutesTo: () => undefined } };
      expect(refusal(() => recordInfusion(movedAway, ready(), 'RBV01', at('2027-03-09T09:00:00Z'), COI)).message).toMatch(/^Infusion at RBV01 refused: no travel time is recorded from TR1 to RBV01/);
    });

    it('does not judge a pathway referred before Bedside kept a district, nor a process with no stay to keep', () => {
      expect(recordInfusion({ ...ctx, stay: null }, ready(), 'RBV01', at('2027-03-09T09:00:00Z'), COI)).toHaveLength(1);
      const noStay = { ...ctx, process: { ...FRESH, stayWithinReachDays: 0 }, stay: { district: 'TR1', minutesTo: () => undefined } };
      expect(recordInfusion(noStay, ready(), 'RBV01', at('2027-03-09T09:00:00Z'), COI)).toHaveLength(1);
    });
  });

  it('blocks infusion on a Chain of Identity mismatch before anything else', () => {
    expect(() => recordInfusion(ctx, received(), 'RBV01', at('2027-03-09T09:00:00Z'), 'B000126900001J')).toThrow(/mismatch/);
  });
});

describe('QC release, signed; an exceptional release by two different people (issue 14 §2)', () => {
  const signedBy = (signer: string) => ({ ...ctx, signature: { signer, role: 'control_site_qa', meaning: 'APPROVED' as const, signedAt: '2027-03-09T08:00:00.000Z', signedInAt: '2027-03-09T07:55:00.000Z' } });
  const made = () => given(collected('2027-03-01T12:00:00Z'), handedOver('SHIPPED', '2027-03-01T12:10:00Z'), handedOver('RECEIVED', '2027-03-01T12:40:00Z'), manufactureStarted('2027-03-02T08:00:00Z'), manufactured('2027-03-09T06:00:00Z'));
  const exceptionally = { exceptional: true, reason: 'Viability 68% (spec 70%)' };

  it('records who asked for an exceptional release, refuses the same person approving it, and releases on a second signer', () => {
    const [asked] = releaseProduct(signedBy('qp.one'), made(), 'RBV01', at('2027-03-09T08:00:00Z'), exceptionally);
    expect(asked).toMatchObject({ type: 'ExceptionalReleaseRequested', data: { reason: 'Viability 68% (spec 70%)', signature: { signer: 'qp.one', meaning: 'AUTHORED' } } });
    const pending = [asked!].reduce(evolveProgress, made());
    expect(pending.product).toBe('MANUFACTURED');
    const same = refusal(() => releaseProduct(signedBy('qp.one'), pending, 'RBV01', at('2027-03-09T08:10:00Z'), { exceptional: true }));
    expect(same).toMatchObject({ code: 'CONFLICT', details: { requestedBy: 'qp.one' } });
    const [released] = releaseProduct(signedBy('qp.two'), pending, 'RBV01', at('2027-03-09T08:20:00Z'), { exceptional: true });
    expect(released).toMatchObject({ type: 'ProductReleased', data: { exceptional: true, reason: 'Viability 68% (spec 70%)', approver: 'qp.two', signature: { signer: 'qp.two', meaning: 'APPROVED' }, requestedBy: { signer: 'qp.one' } } });
  });

  it('needs the reason to ask, and releases in-specification product on one signature', () => {
    expect(refusal(() => releaseProduct(signedBy('qp.one'), made(), 'RBV01', at('2027-03-09T08:00:00Z'), { exceptional: true })).details).toMatchObject({ field: 'reason' });
    expect(releaseProduct(signedBy('qp.one'), made(), 'RBV01', at('2027-03-09T08:00:00Z'), { exceptional: false })[0]).toMatchObject({ type: 'ProductReleased', data: { exceptional: false, signature: { signer: 'qp.one' } } });
  });
});

describe('releasing a booking', () => {
  const slots = [{ resourceKey: 'unit:MU-RBV01-COC1', day: '2027-03-02', session: '' }];
  const booking = [
    new HoldPlaced({ holdId: 'H1', coi: COI, slots, expiresAt: '2027-02-20T10:30:00Z', idempotencyKey: 'k' }),
    new HoldConfirmed({ holdId: 'H1', coi: COI, idempotencyKey: 'c', slots }),
  ].reduce(holdEvolver.evolve, undefined);

  it('gives a booking back before collection', () => {
    expect(releaseHold(booking, 'H1', 'Consultant declined', false, NOT_STARTED)).toHaveLength(1);
  });

  it('refuses once collection is recorded, naming the ways out, and releases nothing', () => {
    const inManufacture = given(collected('2027-03-01T12:00:00Z'), handedOver('SHIPPED', '2027-03-01T12:10:00Z'), handedOver('RECEIVED', '2027-03-01T12:40:00Z'), manufactureStarted('2027-03-02T08:00:00Z'));
    const error = refusal(() => releaseHold(booking, 'H1', 'Consultant declined', false, inManufacture));
    expect(error).toMatchObject({ code: 'CONFLICT', details: { holdId: 'H1', productState: 'IN_MANUFACTURE' } });
    expect(error.message).toMatch(/collection is recorded: the ways out are repair \(atRiskPathways \/ acceptRepair\) or withdrawal \(withdrawPathway\)\.$/);
  });
});
