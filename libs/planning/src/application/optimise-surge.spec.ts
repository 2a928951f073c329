import { referenceSurgeInstance } from '../domain/surge/reference-instance';
import { checkSurgePlan } from '../domain/surge/surge-plan';
import { withoutIdleMoves } from '../domain/surge/surge-prune';
import { optimiseSurge } from './optimise-surge';

describe('answering a surge question (issue 13 §3)', () => {
  const question = referenceSurgeInstance({ units: 2, days: 40, requalificationDays: 0 });

  it('proposes a checked plan no worse than either baseline, with the baselines beside it, the gap and the HiGHS build', async () => {
    const result = await optimiseSurge(question, { timeLimitSeconds: 30, relativeGap: 0 });
    expect(checkSurgePlan(question, result.proposed.plan)).toEqual([]);
    const best = Math.min(result.baselines.proportional.outcome.weightedUnmetDoseDays, result.baselines.greedy.outcome.weightedUnmetDoseDays);
    expect(result.proposed.outcome.weightedUnmetDoseDays).toBeLessThanOrEqual(best);
    expect(result.gainOverBestBaseline).toBeCloseTo(1 - result.proposed.outcome.weightedUnmetDoseDays / best, 9);
    expect(result.solver).toMatchObject({ status: 'OPTIMAL', version: expect.stringMatching(/^1\.15\./) });
    // Released doses are drawn against what each region wanted, day by day.
    expect(result.wanted).toHaveLength(question.regions.length);
    expect(result.proposed.outcome.released[0]).toHaveLength(question.days);
    // No move it proposes could be dropped at no cost: each would be a deployment made for nothing.
    expect(withoutIdleMoves(question, result.proposed.plan)).toEqual(result.proposed.plan);
  });

  it('says what one more unit buys, in weighted unmet dose-days taken away, when demand outruns the units', async () => {
    const result = await optimiseSurge(question, { timeLimitSeconds: 30, relativeGap: 0, marginalUnit: true });
    expect(result.marginalUnitSaves).toBeGreaterThan(0);
  });

  it('falls back to the better baseline, saying so, when the solver is stopped before it answers', async () => {
    const result = await optimiseSurge(referenceSurgeInstance(), { timeLimitSeconds: 60, relativeGap: 0, killAfterMs: 200 });
    expect(result.solver.status).toBe('KILLED');
    expect(result.proposed.source).not.toBe('OPTIMISER');
    expect(result.gainOverBestBaseline).toBe(0);
  });

  it('refuses a time limit of 0, a negative demand and an unknown region, solving nothing', async () => {
    await expect(optimiseSurge(question, { timeLimitSeconds: 0, relativeGap: 0 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/between 1 second and an hour/) });
    await expect(optimiseSurge({ ...question, demand: [{ region: 'LON', day: 0, doses: -5 }] }, { timeLimitSeconds: 5, relativeGap: 0 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(optimiseSurge({ ...question, demand: [{ region: 'ATLANTIS', day: 0, doses: 5 }] }, { timeLimitSeconds: 5, relativeGap: 0 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
