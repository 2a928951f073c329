import { ConflictError, ValidationError, type LocalDate } from '@bedside/shared';
import { deploymentsOfPlan, type CommitFacts } from './plan-commit';
import type { ScenarioAssumptions } from './scenario';
import type { ScenarioRunResult } from './scenario-run';

const assumptions = { name: 'Wave', asOf: '2027-01-04', days: 60, teardownDays: 1, setupDays: 1, requalificationDays: 1 } as unknown as ScenarioAssumptions;

/** MFF-01 fills where it stands for five days, then moves to London (1 + 1 + 1 + 1 days) and fills there. */
const result = (segments = [
  { kind: 'FILLING' as const, region: 'EOE', from: 0, to: 5 },
  { kind: 'MOVING' as const, region: 'LON', from: 5, to: 9 },
  { kind: 'FILLING' as const, region: 'LON', from: 9, to: 60 },
]) => ({ proposed: { timelines: [{ unitId: 'MFF-01', segments }] } }) as unknown as ScenarioRunResult;

const HOURS: Record<string, number> = { 'CTL01>RRV01': 1, 'CTL01>RJZ01': 1.5, 'RRV01>RJZ01': 0.5 };
const facts = (over: Partial<CommitFacts> = {}): CommitFacts => ({
  today: '2027-01-04' as LocalDate,
  units: new Map([['MFF-01', { homeSiteCode: 'CTL01', deployments: [] }]]),
  activeSites: [
    { code: 'CTL01', region: 'EOE' },
    { code: 'RJZ01', region: 'LON' },
    { code: 'RRV01', region: 'LON' },
  ],
  travelHours: (a, b) => HOURS[`${a}>${b}`] ?? HOURS[`${b}>${a}`],
  ...over,
});

describe('a run’s plan as deployments', () => {
  it('sends each move to the region’s active site nearest where the unit then is, on the plan’s day, with the scenario’s days and the reason', () => {
    expect(deploymentsOfPlan({ runId: 'R1', result: result() }, assumptions, facts(), 'Scenario "Wave" v1, run R1')).toEqual([
      { unitId: 'MFF-01', input: { toSiteCode: 'RRV01', leavesOn: '2027-01-09', tearDownDays: 1, setUpDays: 1, requalificationDays: 1, reason: 'Scenario "Wave" v1, run R1' } },
    ]);
  });

  it.each([
    ['a unit the scenario only assumed', facts({ units: new Map() }), /uses MFF-01, which the live network does not have/],
    ['a move due before today', facts({ today: '2027-01-10' as LocalDate }), /on 2027-01-09, before today \(2027-01-10\): run the scenario again from today/],
    ['a region with no active site left', facts({ activeSites: [{ code: 'CTL01', region: 'EOE' }] }), /No active site in LON has a road from CTL01 recorded/],
    ['a road slower than the plan counted on', facts({ travelHours: () => 30 }), /filling in LON from 2027-01-13, but the road from CTL01 to RJZ01 makes it ready on 2027-01-14: the plan no longer fits/],
  ])('is refused, naming what no longer fits: %s', (_, given, message) => {
    const attempt = () => deploymentsOfPlan({ runId: 'R1', result: result() }, assumptions, given, 'r');
    expect(attempt).toThrow(ConflictError);
    expect(attempt).toThrow(message);
  });

  it('has nothing to commit when every unit stays where it stands', () => {
    expect(() => deploymentsOfPlan({ runId: 'R1', result: result([{ kind: 'FILLING', region: 'EOE', from: 0, to: 60 }]) }, assumptions, facts(), 'r')).toThrow(ValidationError);
  });
});
