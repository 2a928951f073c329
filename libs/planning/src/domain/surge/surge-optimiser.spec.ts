import fc from 'fast-check';
import highsLoader, { type Highs } from 'highs';
import { solveProgram } from '../../solver/solve-program';
import { greedyBaseline, proportionalBaseline } from './surge-baselines';
import { exhaustiveSurgePlan } from './surge-exhaustive';
import { validateSurgeInstance, type SurgeInstance } from './surge-instance';
import { buildSurgeModel } from './surge-model';
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
    demand: fc.array(fc.record({ region: fc.nat(2), day: fc.nat(4), doses: fc.integer({ min: 0, max: 60 }) }), { minLength: 1, maxLength: 6 }),
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
      demand: demand.map((d) => ({ region: regions[d.region % R]!, day: d.day % days, doses: d.doses })),
      weights: Object.fromEntries(regions.map((r, i) => [r, weights[i]!])),
    };
  });

describe('surge fill-finish optimiser (issue 13 §3)', () => {
  let highs: Highs;
  beforeAll(async () => {
    highs = await highsLoader();
  });
  const solve = (instance: SurgeInstance) => {
    const model = buildSurgeModel(instance);
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
