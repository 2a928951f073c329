import { greedyBaseline, proportionalBaseline } from './surge-baselines';
import { checkSurgePlan, evaluateSurgePlan, type SurgePlan } from './surge-plan';
import { withoutIdleMoves } from './surge-prune';
import { referenceSurgeInstance } from './reference-instance';
import type { SurgeInstance } from './surge-instance';

const moves = (plan: SurgePlan) => plan.timelines.reduce((n, t) => n + t.segments.filter((s) => s.kind === 'MOVING').length, 0);

describe('a surge plan without the moves that buy nothing', () => {
  /** One unit in the North East; London wants 300 doses, all fillable by day 6; days 1 to 10. */
  const instance: SurgeInstance = {
    regions: ['NE', 'LON', 'SW'],
    days: 10,
    travelDays: [
      [0, 1, 2],
      [1, 0, 1],
      [2, 1, 0],
    ],
    teardownDays: 0,
    setupDays: 0,
    requalificationDays: 0,
    releaseDays: 0,
    dosesPerUnitDay: 100,
    units: [{ unitId: 'FF-1', region: 'NE' }],
    demand: [{ region: 'LON', day: 0, doses: 300 }],
  };

  it('drops a move made once the doses are filled, and keeps the one that filled them', () => {
    // To London (day 0), fill it (days 1-3), then off to the South West for nothing, and back.
    const wasteful: SurgePlan = {
      timelines: [
        {
          unitId: 'FF-1',
          segments: [
            { kind: 'MOVING', region: 'LON', from: 0, to: 1 },
            { kind: 'FILLING', region: 'LON', from: 1, to: 4 },
            { kind: 'MOVING', region: 'SW', from: 4, to: 5 },
            { kind: 'FILLING', region: 'SW', from: 5, to: 7 },
            { kind: 'MOVING', region: 'LON', from: 7, to: 8 },
            { kind: 'FILLING', region: 'LON', from: 8, to: 10 },
          ],
        },
      ],
    };
    expect(checkSurgePlan(instance, wasteful)).toEqual([]);
    const pruned = withoutIdleMoves(instance, wasteful);
    expect(pruned.timelines[0]!.segments).toEqual([
      { kind: 'MOVING', region: 'LON', from: 0, to: 1 },
      { kind: 'FILLING', region: 'LON', from: 1, to: 10 },
    ]);
    expect(checkSurgePlan(instance, pruned)).toEqual([]);
    expect(evaluateSurgePlan(instance, pruned).weightedUnmetDoseDays).toBe(evaluateSurgePlan(instance, wasteful).weightedUnmetDoseDays);
  });

  it('never makes a plan worse or breaks the rules, and leaves no move it could drop (the baselines of the reference question)', () => {
    const REFERENCE_INSTANCE = referenceSurgeInstance();
    for (const plan of [proportionalBaseline(REFERENCE_INSTANCE), greedyBaseline(REFERENCE_INSTANCE)]) {
      const pruned = withoutIdleMoves(REFERENCE_INSTANCE, plan);
      expect(checkSurgePlan(REFERENCE_INSTANCE, pruned)).toEqual([]);
      expect(evaluateSurgePlan(REFERENCE_INSTANCE, pruned).weightedUnmetDoseDays).toBeLessThanOrEqual(evaluateSurgePlan(REFERENCE_INSTANCE, plan).weightedUnmetDoseDays + 1e-6);
      expect(moves(pruned)).toBeLessThanOrEqual(moves(plan));
      expect(withoutIdleMoves(REFERENCE_INSTANCE, pruned)).toEqual(pruned);
    }
  });
});
