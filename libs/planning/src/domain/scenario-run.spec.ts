import { ConflictError, NotFoundError, ValidationError } from '@bedside/shared';
import type { ScenarioState } from './scenario';
import { finishRun, requestRun, RUN_RELATIVE_GAP, type ScenarioRunState } from './scenario-run';

const scenario = { scenarioId: 'S1', version: 3, assumptions: {} } as unknown as ScenarioState;
const versions = (v: number) => v >= 1 && v <= 3;

describe('asking for a scenario run', () => {
  it('runs the latest version by default, with 30 seconds, no marginal unit, seed 1, to within 1% of optimal', () => {
    const [event] = requestRun(scenario, 'S1', 'R1', {}, versions);
    expect(event!.data).toEqual({ runId: 'R1', scenarioId: 'S1', scenarioVersion: 3, options: { timeLimitSeconds: 30, marginalUnit: false, seed: 1, relativeGap: RUN_RELATIVE_GAP, attrition: 0.15, batchFailure: 0.04 } });
  });

  it('runs an older version when asked: a run names the version it used', () => {
    expect(requestRun(scenario, 'S1', 'R1', { version: 1, seed: 7 }, versions)[0]!.data).toMatchObject({ scenarioVersion: 1, options: { seed: 7 } });
  });

  it.each([
    ['a time limit of 0', { timeLimitSeconds: 0 }, 'timeLimitSeconds'],
    ['a time limit over ten minutes', { timeLimitSeconds: 601 }, 'timeLimitSeconds'],
    ['a version never recorded', { version: 4 }, 'version'],
    ['a seed that is not a whole number', { seed: 1.5 }, 'seed'],
    ['an attrition of 100%', { attrition: 1 }, 'attrition'],
    ['a negative batch failure rate', { batchFailure: -0.1 }, 'batchFailure'],
  ])('refuses %s, naming the field', (_, input, field) => {
    const attempt = () => requestRun(scenario, 'S1', 'R1', input, versions);
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('refuses an unknown scenario', () => {
    expect(() => requestRun(undefined, 'S9', 'R1', {}, versions)).toThrow(NotFoundError);
  });
});

describe('ending a run', () => {
  const running: ScenarioRunState = { runId: 'R1', scenarioId: 'S1', scenarioVersion: 1, status: 'RUNNING', result: null, committed: false };

  it('records it failed with the reason, or finished with the result, once', () => {
    expect(finishRun(running, { runId: 'R1', reason: 'no units' })[0]!.type).toBe('ScenarioRunFailed');
    expect(() => finishRun({ ...running, status: 'FAILED' }, { runId: 'R1', reason: 'again' })).toThrow(ConflictError);
  });
});
