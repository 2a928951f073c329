import { BedsideError } from '@bedside/shared';
import { FRESH_PROCESS } from './fresh-process.fixture';
import { correctStep, markEnteredInError, progressOfSteps, stepsAfter, type StepEntry } from './corrections';
import { evolveProgress, NOT_STARTED, type LifecycleEvent } from './lifecycle';

const COI = 'B000126000001X';
const FRESH = FRESH_PROCESS;
const NOW = new Date('2027-03-05T12:00:00Z');

const event = (type: LifecycleEvent['type'], at: string, extra: Record<string, unknown> = {}) => ({ type, data: { coi: COI, siteCode: 'RBV01', at, ...extra } }) as LifecycleEvent;

/** Given these events of a pathway's stream, from position 2 (the referral is 1): its steps. */
const given = (...events: { type: string; data: object }[]) => events.reduce<readonly StepEntry[]>((steps, e, i) => stepsAfter(steps, i + 2, e), []);

const collected = event('CollectionRecorded', '2027-03-01T12:00:00Z', { sessions: 1, cd3YieldE9: 2, firstSessionStartedAt: '2027-03-01T08:00:00Z' });
const shipped = event('MaterialHandedOver', '2027-03-01T13:00:00Z', { handover: 'SHIPPED' });
const received = event('MaterialHandedOver', '2027-03-01T16:00:00Z', { handover: 'RECEIVED' });
const started = event('ManufactureStarted', '2027-03-02T08:00:00Z', { unitId: 'MU-RBV01-COC1' });

const refusal = (decide: () => unknown) => {
  try {
    decide();
  } catch (error) {
    if (error instanceof BedsideError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('corrections, never overwrites (issue 14 §3)', () => {
  it('folds the steps to where the lifecycle evolved them, step by step', () => {
    const events = [collected, shipped, received, started];
    expect(progressOfSteps(given(...events))).toEqual(events.reduce(evolveProgress, NOT_STARTED));
  });

  it('when a collection’s first session is corrected, the fresh hold is counted from the corrected instant', () => {
    const steps = given(collected, shipped, received);
    const [correction] = correctStep(COI, steps, FRESH, { eventId: 'e2', position: 2, firstSessionStartedAt: new Date('2027-02-28T20:00:00Z'), reason: 'Apheresis log' }, NOW);
    expect(correction!.data).toMatchObject({ was: { firstSessionStartedAt: '2027-03-01T08:00:00Z' }, now: { firstSessionStartedAt: '2027-02-28T20:00:00.000Z' }, deviations: [] });
    const after = stepsAfter(steps, 5, correction!);
    expect(progressOfSteps(after).collectionStartedAt).toBe('2027-02-28T20:00:00.000Z');
    expect(after[0]!.corrections).toEqual([{ reason: 'Apheresis log', was: { firstSessionStartedAt: '2027-03-01T08:00:00Z' } }]);
  });

  it('names the fresh hold a recorded start of manufacture now breaks, and records the correction anyway', () => {
    const steps = given(collected, shipped, received, started);
    const [correction] = correctStep(COI, steps, FRESH, { eventId: 'e2', position: 2, firstSessionStartedAt: new Date('2027-02-28T18:00:00Z'), reason: 'Apheresis log' }, NOW);
    expect(correction!.data.deviations).toEqual([
      'Manufacture started at 2027-03-02T08:00:00Z, after the 36 h fresh hold that ran from the first session (2027-02-28T18:00:00.000Z) ended at 2027-03-02T06:00:00.000Z.',
    ]);
  });

  it('refuses a corrected instant out of the steps’ order, a collection fact on another step, and a correction that changes nothing', () => {
    const steps = given(collected, shipped, received);
    expect(refusal(() => correctStep(COI, steps, FRESH, { eventId: 'e3', position: 3, occurredAt: new Date('2027-03-01T11:00:00Z'), reason: 'typo' }, NOW))).toEqual({
      code: 'BAD_USER_INPUT',
      message: '2027-03-01T11:00:00.000Z is before the step recorded before it (CollectionRecorded at 2027-03-01T12:00:00Z). Correct that step first if it is wrong too.',
    });
    expect(refusal(() => correctStep(COI, steps, FRESH, { eventId: 'e3', position: 3, cd3YieldE9: 3, reason: 'typo' }, NOW)).message).toMatch(/^Only a collection has cd3YieldE9/);
    expect(refusal(() => correctStep(COI, steps, FRESH, { eventId: 'e2', position: 2, sessions: 1, reason: 'typo' }, NOW)).message).toMatch(/^Nothing to correct/);
    expect(refusal(() => correctStep(COI, steps, FRESH, { eventId: 'e2', position: 2, occurredAt: new Date('2027-03-06T00:00:00Z'), reason: 'typo' }, NOW)).message).toMatch(/is after now/);
  });

  it('marks only the latest step entered in error; the pathway then stands as before it, and a step marked so cannot be corrected', () => {
    const steps = given(collected, shipped, received);
    expect(refusal(() => markEnteredInError(COI, steps, 'e3', 3, 'wrong patient'))).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/^Steps were recorded after this MaterialHandedOver: MaterialHandedOver \(2027-03-01\)/) });
    const [marked] = markEnteredInError(COI, steps, 'e4', 4, 'scanned at the wrong unit');
    const after = stepsAfter(steps, 5, marked!);
    expect(progressOfSteps(after)).toEqual(progressOfSteps(given(collected, shipped)));
    expect(refusal(() => correctStep(COI, after, FRESH, { eventId: 'e4', position: 4, occurredAt: new Date('2027-03-01T15:00:00Z'), reason: 'typo' }, NOW)).code).toBe('CONFLICT');
  });
});
