import fc from 'fast-check';
import highsLoader, { type Highs } from 'highs';
import { solveProgram } from '../../solver/solve-program';
import { greedyBaseline, proportionalBaseline } from './surge-baselines';
import { exhaustiveSurgePlan } from './surge-exhaustive';
import { validateSurgeInstance, type SurgeInstance } from './surge-instance';
import { buildSurgeModel, surgePeriodDays } from './surge-model';
import { checkSurgePlan, evaluateSurgePlan, timelineOf } from './surge-plan';

/** Small surge questions: few enough plans that trying every one is quick. */
const smallInstance: fc.Arbitrary<SurgeInstance> = fc
  .record({
    regions: fc.integer({ min: 2, max: 3 }),
    units: fc.integer({ min: 1, max: 2 }),
    travel: fc.integer({ min: 0, max: 2 }),
    setupDays: fc.integer({ min: 0, max: 1 }),
    requalificationDays: fc.integer({ min: 0, max: 1 }),
    releaseDays: fc.integer({ min: 0, max: 1 }),
    dosesPerUnitDay: fc.integer({ min: 5, max: 20 }),
    demand: fc.array(fc.record({ region: fc.nat(2), day: fc.nat(4), doses: fc.integer({ min: 0, max: 60 }), deadline: fc.option(fc.nat(5), { nil: undefined }) }), { minLength: 1, maxLength: 6 }),
    weights: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
    homes: fc.array(fc.nat(2), { minLength: 2, maxLength: 2 }),
  })
  .map(({ regions: R, units, travel, setupDays, requalificationDays, releaseDays, dosesPerUnitDay, demand, weights, homes }) => {
    const regions = ['NE', 'NW', 'LON'].slice(0, R);
    const days = R === 2 ? 6 : 4;
    return {
      regions,
      days,
      travelDays: regions.map((_, a) => regions.map((__, b) => (a === b ? 0 : travel + Math.abs(a - b) - 1))),
      teardownDays: 0,
      setupDays,
      requalificationDays,
      releaseDays,
      dosesPerUnitDay,
      units: Array.from({ length: units }, (_, i) => ({ unitId: `FF-${i + 1}`, region: regions[homes[i]! % R]! })),
      demand: demand.map((d) => {
        const day = d.day % days;
        return { region: regions[d.region % R]!, day, doses: d.doses, ...(d.deadline !== undefined && { deadline: day + (d.deadline % (days - day)) }) };
      }),
      weights: Object.fromEntries(regions.map((r, i) => [r, weights[i]!])),
    };
  });

describe('surge fill-finish optimiser (issue 13 §3)', () => {
  let highs: Highs;
  beforeAll(async () => {
    highs = await highsLoader();
  });
  const solve = (instance: SurgeInstance, periodDays = 1) => {
    const model = buildSurgeModel(instance, periodDays);
    const solution = solveProgram(highs, model.program, { timeLimitSeconds: 30, relativeGap: 0 }, 'test');
    return { solution, plan: model.decode(solution.columnValues!) };
  };

  it('finds the optimum of every small question that trying every plan finds, and its plan is one the checker accepts and delivers what the solver says', () => {
    fc.assert(
      fc.property(smallInstance, (instance) => {
        validateSurgeInstance(instance);
        const { solution, plan } = solve(instance);
        expect(solution.status).toBe('OPTIMAL');
        expect(checkSurgePlan(instance, plan)).toEqual([]);
        const delivered = evaluateSurgePlan(instance, plan).weightedUnmetDoseDays;
        expect(delivered).toBeCloseTo(solution.objective!, 6);
        expect(delivered).toBeCloseTo(exhaustiveSurgePlan(instance).weightedUnmetDoseDays, 6);
      }),
      { seed: 20261204, numRuns: 60 },
    );
  });

  it('planned in periods of several days, gives a plan the checker accepts that delivers at least what the solver counted, and never more than the best plan', () => {
    fc.assert(
      fc.property(smallInstance, fc.integer({ min: 2, max: 3 }), (instance, periodDays) => {
        const { solution, plan } = solve(instance, periodDays);
        expect(solution.status).toBe('OPTIMAL');
        expect(checkSurgePlan(instance, plan)).toEqual([]);
        // Units leave at a period's start and may arrive before the period the model counted on: never worse.
        const delivered = evaluateSurgePlan(instance, plan).weightedUnmetDoseDays;
        expect(delivered).toBeLessThanOrEqual(solution.objective! + 1e-6);
        expect(delivered).toBeGreaterThanOrEqual(exhaustiveSurgePlan(instance).weightedUnmetDoseDays - 1e-6);
      }),
      { seed: 20261205, numRuns: 40 },
    );
  });

  it('plans a large question by the week, and the reference question by the day', () => {
    expect(surgePeriodDays({ regions: Array.from({ length: 10 }, (_, i) => `R${i}`), days: 100 })).toBe(1);
    expect(surgePeriodDays({ regions: Array.from({ length: 20 }, (_, i) => `R${i}`), days: 100 })).toBe(7);
    expect(surgePeriodDays({ regions: Array.from({ length: 42 }, (_, i) => `R${i}`), days: 100 })).toBe(14);
  });

  it('is never beaten by either baseline, whose plans the checker accepts too', () => {
    fc.assert(
      fc.property(smallInstance, (instance) => {
        const optimised = evaluateSurgePlan(instance, solve(instance).plan).weightedUnmetDoseDays;
        for (const baseline of [proportionalBaseline(instance), greedyBaseline(instance)]) {
          expect(checkSurgePlan(instance, baseline)).toEqual([]);
          expect(evaluateSurgePlan(instance, baseline).weightedUnmetDoseDays).toBeGreaterThanOrEqual(optimised - 1e-6);
        }
      }),
      { seed: 20261204, numRuns: 60 },
    );
  });

  it('sends a unit where doses would otherwise miss their deadline, rather than where more are wanted for longer', () => {
    // London wants 300 doses by day 3; the North East wants 500 with no deadline. Staying in the North East
    // lets 300 London doses miss their deadline, which counts them as waiting to the end.
    const instance: SurgeInstance = {
      regions: ['NE', 'LON'],
      days: 12,
      travelDays: [
        [0, 1],
        [1, 0],
      ],
      teardownDays: 0,
      setupDays: 0,
      requalificationDays: 0,
      releaseDays: 0,
      dosesPerUnitDay: 100,
      units: [{ unitId: 'FF-1', region: 'NE' }],
      demand: [
        { region: 'NE', day: 0, doses: 500 },
        { region: 'LON', day: 0, doses: 300, deadline: 3 },
      ],
    };
    const { plan, solution } = solve(instance);
    const outcome = evaluateSurgePlan(instance, plan);
    expect(outcome.missedDeadline).toEqual([0, 0]);
    expect(plan.timelines[0]!.segments[0]).toEqual({ kind: 'MOVING', region: 'LON', from: 0, to: 1 });
    expect(outcome.weightedUnmetDoseDays).toBeCloseTo(solution.objective!, 6);
    const stayed = evaluateSurgePlan(instance, { timelines: [timelineOf(instance, 'FF-1', 'NE', () => 0)] });
    expect(stayed.missedDeadline).toEqual([0, 300]);
    expect(stayed.weightedUnmetDoseDays).toBeGreaterThan(outcome.weightedUnmetDoseDays);
  });

  it('moves a unit to where the doses are wanted when waiting for it beats filling where it stands', () => {
    // One unit in the North East, all demand in London two days away: it leaves on day 0 and fills from day 3.
    const instance: SurgeInstance = {
      regions: ['NE', 'LON'],
      days: 10,
      travelDays: [
        [0, 2],
        [2, 0],
      ],
      teardownDays: 0,
      setupDays: 1,
      requalificationDays: 0,
      releaseDays: 1,
      dosesPerUnitDay: 100,
      units: [{ unitId: 'FF-1', region: 'NE' }],
      demand: [{ region: 'LON', day: 0, doses: 500 }],
    };
    const { plan, solution } = solve(instance);
    expect(plan.timelines[0]!.segments).toEqual([
      { kind: 'MOVING', region: 'LON', from: 0, to: 3 },
      { kind: 'FILLING', region: 'LON', from: 3, to: 10 },
    ]);
    // Released from day 4, 100 a day: 500 wanted on days 0-3, then 400, 300, 200, 100 and 0.
    expect(solution.objective).toBe(500 * 4 + 400 + 300 + 200 + 100);
  });
});

describe('what a plan delivers', () => {
  it('counts doses not released by their deadline as waiting on every day to the end, and released doses go to the earliest deadline first', () => {
    // One unit in London, 100 doses a day, released the same day: 400, 500, 600 by the end of days 3, 4, 5.
    const instance: SurgeInstance = {
      regions: ['LON'],
      days: 6,
      travelDays: [[0]],
      teardownDays: 0,
      setupDays: 0,
      requalificationDays: 0,
      releaseDays: 0,
      dosesPerUnitDay: 100,
      units: [{ unitId: 'FF-1', region: 'LON' }],
      demand: [
        { region: 'LON', day: 0, doses: 100 },
        { region: 'LON', day: 0, doses: 300, deadline: 1 },
      ],
    };
    const outcome = evaluateSurgePlan(instance, { timelines: [timelineOf(instance, 'FF-1', 'LON', () => 0)] });
    // 200 released by day 1 go to the 300 due then; 100 miss it. Waiting: 300 and 200 on days 0 and 1, then
    // the 100 that missed their deadline on each later day (the 100 without one are served on day 2).
    expect(outcome.missedDeadline).toEqual([100]);
    expect(outcome.weightedUnmetDoseDays).toBe(300 + 200 + 100 * 4);
    expect(outcome.unmetAtEnd).toEqual([100]);
  });

  it('refuses a deadline before the doses are wanted or after the last day planned', () => {
    const base: SurgeInstance = { regions: ['LON'], days: 6, travelDays: [[0]], teardownDays: 0, setupDays: 0, requalificationDays: 0, releaseDays: 0, dosesPerUnitDay: 100, units: [{ unitId: 'FF-1', region: 'LON' }], demand: [] };
    expect(() => validateSurgeInstance({ ...base, demand: [{ region: 'LON', day: 2, doses: 1, deadline: 1 }] })).toThrow('A deadline falls on a day from the day the doses are wanted (2) to the last day planned (5).');
    expect(() => validateSurgeInstance({ ...base, demand: [{ region: 'LON', day: 0, doses: 1, deadline: 6 }] })).toThrow('A deadline falls on a day');
  });
});

describe('the plan checker', () => {
  const instance: SurgeInstance = {
    regions: ['NE', 'LON'],
    days: 8,
    travelDays: [
      [0, 2],
      [2, 0],
    ],
    teardownDays: 1,
    setupDays: 1,
    requalificationDays: 2,
    releaseDays: 0,
    dosesPerUnitDay: 10,
    units: [
      { unitId: 'FF-1', region: 'NE' },
      { unitId: 'FF-2', region: 'LON' },
    ],
    demand: [{ region: 'LON', day: 0, doses: 100 }],
  };
  const stay = timelineOf(instance, 'FF-2', 'LON', () => 1);

  it('refuses a unit in two places, filling before its set-up and requalification end, and a unit left out', () => {
    expect(checkSurgePlan(instance, { timelines: [timelineOf(instance, 'FF-1', 'NE', () => 1), stay] })).toEqual([]);
    const early = {
      unitId: 'FF-1',
      segments: [
        { kind: 'MOVING', region: 'LON', from: 0, to: 3 },
        { kind: 'FILLING', region: 'LON', from: 3, to: 8 },
      ],
    } as const;
    expect(checkSurgePlan(instance, { timelines: [early, stay] })).toEqual(['FF-1 on days 0-2: fills in LON 3 day(s) before set-up and requalification end']);
    const twice = {
      unitId: 'FF-1',
      segments: [
        { kind: 'FILLING', region: 'NE', from: 0, to: 5 },
        { kind: 'FILLING', region: 'NE', from: 4, to: 8 },
      ],
    } as const;
    expect(checkSurgePlan(instance, { timelines: [twice, stay] })).toEqual(['FF-1 on days 4-7: starts on day 4, not 5 (a gap or two places at once)']);
    expect(checkSurgePlan(instance, { timelines: [stay] })).toEqual(['FF-1 is not planned']);
  });
});
