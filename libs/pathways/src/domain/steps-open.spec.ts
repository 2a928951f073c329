import { NETWORK_TIME_ZONE, localDateOf, type ElectronicSignature } from '@bedside/shared';
import { infusionGapDays } from './clinical-rules';
import { FRESH_PROCESS } from './fresh-process.fixture';
import { evolveProgress, NOT_STARTED, productTrackRestarted, StepOutOfOrderError, type LifecycleContext, type LifecycleProcess, type Progress, type UnitFacts } from './lifecycle';
import { decideStep, type LifecycleStep } from './lifecycle-steps';
import { stepsOpen, type OpenStep } from './steps-open';

const COI = 'B000126000001X';
const UNIT: UnitFacts = { unitId: 'MU-RBV01-COC1', siteCode: 'RBV01', qualification: 'QUALIFIED', siteStatus: 'ACTIVE', designated: true };
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const dayOf = (instant: string | Date) => localDateOf(new Date(instant), NETWORK_TIME_ZONE);

/**
 * The order of the steps is all these processes differ in: every rule of time (the fresh hold, shelf
 * lives, the infusion window) is generous, so a step the order allows is one the rules accept.
 */
const ROOMY = { maxFreshHoldHours: 100_000, shelfLifeHours: 100_000, infusionWindowMinDays: 2, infusionWindowMaxDays: 14, reconditionAfterDays: 14 } as const;
const PROCESSES: Record<string, LifecycleProcess> = {
  'fresh, conditioned during manufacture': { ...FRESH_PROCESS, ...ROOMY },
  'frozen, released before conditioning': { ...FRESH_PROCESS, ...ROOMY, startingMaterial: 'CRYOPRESERVED', conditioningGate: 'RELEASE_BEFORE_CONDITIONING', thawedShelfLifeMinutes: 100_000 },
  'fresh, released before conditioning, no limit to a course': { ...FRESH_PROCESS, ...ROOMY, conditioningGate: 'RELEASE_BEFORE_CONDITIONING', reconditionAfterDays: null },
};

const SIGNATURE: ElectronicSignature = { signer: 'qp@rbv', role: 'CLINICAL', meaning: 'APPROVED', signedAt: '2027-03-01T00:00:00Z', signedInAt: '2027-03-01T00:00:00Z' };
const contextFor = (process: LifecycleProcess, booked: boolean): LifecycleContext => ({
  coi: COI,
  booked,
  process,
  earliestCollectionDate: '2027-03-01',
  postponedUntil: null,
  lateAfterMinutes: 60,
  booking: { unitIds: [UNIT.unitId], apheresisDays: ['2027-03-01'], firstSessionStartsAt: new Date('2027-03-01T08:00:00Z') },
  units: new Map([[UNIT.unitId, UNIT]]),
  signature: SIGNATURE,
  batchId: 'MU-RBV01-COC1-2027-0001',
});

/** Every step as a scheduler would record it on this pathway, with valid facts, and when. */
function candidates(p: Progress, process: LifecycleProcess): { step: LifecycleStep; at: Date }[] {
  const next = p.lastStepAt ? new Date(Date.parse(p.lastStepAt) + HOUR_MS) : new Date('2027-03-01T12:00:00Z');
  const later = (instant: Date) => (instant.getTime() > next.getTime() ? instant : next);
  const site = 'RBV01';
  const handover = (kind: 'SHIPPED' | 'RECEIVED'): LifecycleStep => ({ step: 'HANDOVER', handover: { handover: kind, from: 'a', to: 'b', condition: '2-8 °C', scannedCoi: COI, siteCode: site } });
  const days = process.conditioningDays;
  const dueDay = days[p.dosesGiven.length] ?? days[0]!;
  const firstDoseAt = p.doseTimes[0];
  const lastDoseAt = p.doseTimes.at(-1);
  // Each dose on the regimen's calendar day; the infusion the window's first day after the last dose.
  const doseAt = firstDoseAt ? later(new Date(Date.parse(firstDoseAt) + (dueDay - days[0]!) * DAY_MS)) : next;
  const infusionAt = lastDoseAt ? later(new Date(Date.parse(lastDoseAt) + infusionGapDays(process).min * DAY_MS)) : next;
  const steps: { step: LifecycleStep; at: Date }[] = [
    { step: { step: 'COLLECTION', collection: { siteCode: site, sessions: 1, cd3YieldE9: null } }, at: next },
    { step: handover('SHIPPED'), at: next },
    { step: handover('RECEIVED'), at: next },
    { step: { step: 'MANUFACTURE_STARTED', siteCode: site, unitId: UNIT.unitId }, at: next },
    { step: { step: 'MANUFACTURE_COMPLETED', siteCode: site }, at: next },
    { step: { step: 'MANUFACTURE_FAILED', siteCode: site, reason: 'bag leaked' }, at: next },
    { step: { step: 'PRODUCT_RELEASED', siteCode: site, exceptional: false }, at: next },
    { step: { step: 'QC_FAILED', siteCode: site, reason: 'endotoxin' }, at: next },
    { step: { step: 'AVAILABILITY_CONFIRMED', siteCode: site }, at: next },
    { step: { step: 'CONDITIONING_STARTED', siteCode: site }, at: next },
    { step: { step: 'CONDITIONING_DOSE', siteCode: site, day: dueDay }, at: doseAt },
    { step: { step: 'THAWED', siteCode: site }, at: next },
    { step: { step: 'INFUSED', siteCode: site, productCoi: COI }, at: infusionAt },
    { step: { step: 'DISCHARGED', siteCode: site }, at: next },
    { step: { step: 'WITHDRAWN', siteCode: site, reason: 'patient chose to stop', died: false }, at: next },
  ];
  // A second course once the first has lapsed: more than reconditionAfterDays after its last dose.
  if (lastDoseAt && process.reconditionAfterDays !== null) {
    steps.push({ step: { step: 'CONDITIONING_STARTED', siteCode: site }, at: later(new Date(Date.parse(lastDoseAt) + (process.reconditionAfterDays + 1) * DAY_MS)) });
  }
  return steps;
}

const offers = (open: readonly OpenStep[], step: LifecycleStep) =>
  open.some((o) => o.step === step.step && (step.step !== 'HANDOVER' || o.handover === step.handover.handover) && (step.step !== 'CONDITIONING_DOSE' || o.conditioningDay === step.day));

const stateKey = (p: Progress) =>
  [p.product, p.patient, p.availabilityConfirmed, p.dosesGiven.length, Boolean(p.thawedAt), p.conditioningCourse ?? 0, p.released].join('|');

/** Every progress a pathway can reach by recording steps (and starting the product again after a failure), one of each kind. */
function reachable(process: LifecycleProcess): Progress[] {
  const ctx = contextFor(process, true);
  const seen = new Map<string, Progress>([[stateKey(NOT_STARTED), NOT_STARTED]]);
  const queue = [NOT_STARTED];
  const visit = (p: Progress) => {
    if ((p.conditioningCourse ?? 1) > 2 || seen.has(stateKey(p))) return;
    seen.set(stateKey(p), p);
    queue.push(p);
  };
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const { step, at } of candidates(p, process)) {
      try {
        visit(decideStep(ctx, p, step, { at, now: at }).reduce(evolveProgress, p));
      } catch {
        // not open here
      }
    }
    if (p.product === 'FAILED') visit(productTrackRestarted(p));
  }
  return [...seen.values()];
}

describe.each(Object.entries(PROCESSES))('The steps open on a pathway (%s)', (_name, process) => {
  const states = reachable(process);

  it('reaches every state of both tracks a pathway can be in', () => {
    expect(new Set(states.map((p) => p.product))).toEqual(new Set(['NOT_COLLECTED', 'COLLECTED', 'IN_TRANSIT', 'RECEIVED', 'IN_MANUFACTURE', 'MANUFACTURED', 'RELEASED', 'FAILED']));
    expect(new Set(states.map((p) => p.patient))).toEqual(new Set(['WAITING', 'CONDITIONING', 'INFUSED', 'DISCHARGED', 'WITHDRAWN']));
  });

  it('offers a step exactly where the lifecycle rules record it, and refuses every other as out of order, from every reachable state', () => {
    const ctx = contextFor(process, true);
    let judged = 0;
    for (const p of states) {
      for (const { step, at } of candidates(p, process)) {
        const offered = offers(stepsOpen(p, process, true, dayOf(at)), step);
        let outcome: string;
        try {
          decideStep(ctx, p, step, { at, now: at });
          outcome = 'recorded';
        } catch (error) {
          outcome = error instanceof StepOutOfOrderError ? 'out of order' : `refused: ${(error as Error).message}`;
        }
        expect({ state: stateKey(p), step: step.step, outcome }).toEqual({ state: stateKey(p), step: step.step, outcome: offered ? 'recorded' : 'out of order' });
        judged += 1;
      }
    }
    expect(judged).toBeGreaterThan(states.length * 15 - 1);
  });

  it('offers only withdrawal before the plan is booked, and nothing once the pathway is over', () => {
    expect(stepsOpen(NOT_STARTED, process, false, '2027-03-01')).toEqual([{ step: 'WITHDRAWN', due: false }]);
    const ctx = contextFor(process, false);
    expect(() => decideStep(ctx, NOT_STARTED, { step: 'COLLECTION', collection: { siteCode: 'RBV01', sessions: 1, cd3YieldE9: null } }, { at: new Date('2027-03-01T12:00:00Z'), now: new Date('2027-03-01T12:00:00Z') })).toThrow(StepOutOfOrderError);
    for (const p of states.filter((s) => s.patient === 'DISCHARGED' || s.patient === 'WITHDRAWN')) expect(stepsOpen(p, process, true, '2027-03-01')).toEqual([]);
  });

  it('marks one step due, the first offered, never a failure or a withdrawal', () => {
    for (const p of states) {
      const open = stepsOpen(p, process, true, '2027-03-01');
      const due = open.filter((o) => o.due);
      expect(due.length).toBeLessThanOrEqual(1);
      if (due.length === 1) expect(open[0]).toBe(due[0]);
      expect(due.map((o) => o.step)).not.toEqual(expect.arrayContaining(['MANUFACTURE_FAILED', 'QC_FAILED', 'WITHDRAWN']));
    }
  });

  it('walks a pathway from booking to discharge by recording the due step each time', () => {
    const ctx = contextFor(process, true);
    let p = NOT_STARTED;
    const walked: string[] = [];
    for (let i = 0; i < 20 && p.patient !== 'DISCHARGED'; i += 1) {
      const due = stepsOpen(p, process, true, '2027-03-01').find((o) => o.due);
      if (!due) throw new Error(`Nothing due at ${stateKey(p)}`);
      const { step, at } = candidates(p, process).find((c) => offers([due], c.step))!;
      p = decideStep(ctx, p, step, { at, now: at }).reduce(evolveProgress, p);
      walked.push(due.handover ?? (due.conditioningDay !== undefined ? `DOSE ${due.conditioningDay}` : due.step));
    }
    const conditioning = ['AVAILABILITY_CONFIRMED', 'CONDITIONING_STARTED', 'DOSE -5', 'DOSE -4', 'DOSE -3'];
    const infused = [...(process.thawedShelfLifeMinutes ? ['THAWED'] : []), 'INFUSED'];
    // Released before conditioning; or conditioned during manufacture, and released as the batch is made.
    const made = ['MANUFACTURE_COMPLETED', 'PRODUCT_RELEASED'];
    const between = process.conditioningGate === 'RELEASE_BEFORE_CONDITIONING' ? [...made, ...conditioning, ...infused] : [...conditioning, ...made, ...infused];
    expect(walked).toEqual(['COLLECTION', 'SHIPPED', 'RECEIVED', 'MANUFACTURE_STARTED', ...between, 'DISCHARGED']);
  });
});

