import { buildSurgeModel } from '../domain/surge/surge-model';
import { referenceSurgeInstance } from '../domain/surge/reference-instance';
import { solveInWorker } from './solve-in-worker';

describe('solving in a worker thread (issue 13 §3)', () => {
  const small = referenceSurgeInstance({ units: 2, days: 30 });

  it('solves off the event loop: a timer set when the solve starts fires before the solve ends, and the plan is the solver’s', async () => {
    const model = buildSurgeModel(small);
    let timerFiredDuringSolve = false;
    let solved = false;
    setTimeout(() => (timerFiredDuringSolve = !solved), 20);
    const solution = await solveInWorker(model.program, { timeLimitSeconds: 30, relativeGap: 0 });
    solved = true;
    expect(timerFiredDuringSolve).toBe(true);
    expect(solution.status).toBe('OPTIMAL');
    expect(solution.solverVersion).toMatch(/^1\.(1[5-9]|[2-9]\d)\./);
  });

  it('stops a solve that runs past its kill timer, and says it was stopped', async () => {
    const model = buildSurgeModel(referenceSurgeInstance());
    const solution = await solveInWorker(model.program, { timeLimitSeconds: 60, relativeGap: 0, killAfterMs: 300 });
    expect(solution.status).toBe('KILLED');
  });
});
