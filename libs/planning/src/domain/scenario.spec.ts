import { ConflictError, replay } from '@bedside/shared';
import { checkScenarioNames, createScenario, reviseScenario, scenarioEvolver, surgeQuestionOf, UK_REGIONS, type ScenarioAssumptions, type ScenarioEvent } from './scenario';
import { validateSurgeInstance } from './surge/surge-instance';

const assumptions: ScenarioAssumptions = {
  name: 'Winter wave, rapid QC',
  asOf: '2027-01-04',
  days: 100,
  vaccineDemand: [
    { region: 'LON', day: 0, doses: 2_000_000, weight: 2 },
    { region: 'nw' as never, day: 20, doses: 1_500_000, deadline: 60 },
  ],
  referralsPerWeek: [{ region: 'NW', productCode: 'poc-car19', perWeek: 3 }],
  unitsAdded: [{ unitId: 'ff-new-1', kind: 'FILL_FINISH', region: 'MID' }],
  unitsRemoved: ['MU-OLD'],
  outages: [{ target: 'mu-ff-2', fromDay: 10, toDay: 14 }],
  processChanges: [{ productCode: 'POC-CAR19', qcReleaseDays: 3 }],
  fillFinish: { vialsPerHour: 300, dosesPerVial: 10, shiftsPerDay: 2, hoursPerShift: 8, effectiveOutputFactor: 0.7 },
  teardownDays: 1,
  setupDays: 2,
  requalificationDays: 18,
  releaseDays: 3,
};

describe('scenarios (issue 13 §2)', () => {
  it('given no scenario, when one is created, then it is version 1 with its assumptions normalised (region and unit codes upper case)', () => {
    const [created] = createScenario(undefined, 'S1', assumptions);
    expect(created!.data).toMatchObject({ scenarioId: 'S1', version: 1, reason: null });
    expect(created!.data.assumptions.vaccineDemand[1]!.region).toBe('NW');
    expect(created!.data.assumptions.unitsAdded[0]!.unitId).toBe('FF-NEW-1');
    expect(created!.data.assumptions.outages[0]!.target).toBe('MU-FF-2');
  });

  it('given version 1, when it is edited from version 1, then it becomes version 2; an edit from a stale version is refused naming the current one', () => {
    const state = replay(scenarioEvolver, createScenario(undefined, "S1", assumptions) as ScenarioEvent[]);
    const [revised] = reviseScenario(state, 'S1', { ...assumptions, requalificationDays: 0 }, 1, 'No full requalification after a move');
    expect(revised!.data).toMatchObject({ version: 2, reason: 'No full requalification after a move' });
    const after = scenarioEvolver.evolve(state, revised!);
    expect(() => reviseScenario(after, 'S1', assumptions, 1)).toThrow(ConflictError);
    expect(() => reviseScenario(after, 'S1', assumptions, 1)).toThrow(/is at version 2, not 1/);
  });

  it.each([
    ['negative doses', { vaccineDemand: [{ region: 'LON', day: 0, doses: -1 }] }, 'vaccineDemand[0].doses'],
    ['a day after the scenario ends', { vaccineDemand: [{ region: 'LON', day: 100, doses: 1 }] }, 'vaccineDemand[0].day'],
    ['an unknown region', { vaccineDemand: [{ region: 'ATLANTIS', day: 0, doses: 1 }] }, 'vaccineDemand[0].region'],
    ['a deadline before the scenario starts', { vaccineDemand: [{ region: 'LON', day: 0, doses: 1, deadline: -1 }] }, 'vaccineDemand[0].deadline'],
    ['a deadline before the doses are wanted', { vaccineDemand: [{ region: 'LON', day: 10, doses: 1, deadline: 9 }] }, 'vaccineDemand[0].deadline'],
    ['a deadline after the scenario ends', { vaccineDemand: [{ region: 'LON', day: 0, doses: 1, deadline: 100 }] }, 'vaccineDemand[0].deadline'],
    ['two weights for one region', { vaccineDemand: [{ region: 'LON', day: 0, doses: 1, weight: 1 }, { region: 'LON', day: 1, doses: 1, weight: 2 }] }, 'vaccineDemand[1].weight'],
    ['requalification of 30 days', { requalificationDays: 30 }, 'requalificationDays'],
    ['30 doses per vial', { fillFinish: { ...assumptions.fillFinish, dosesPerVial: 30 } }, 'fillFinish.dosesPerVial'],
    ['an outage ending before it starts', { outages: [{ target: 'MU-1', fromDay: 5, toDay: 4 }] }, 'outages[0].toDay'],
    ['more days than the limit', { days: 5000 }, 'days'],
  ])('refuses %s, naming the field', (_case, change, field) => {
    expect(() => createScenario(undefined, 'S1', { ...assumptions, ...(change as Partial<ScenarioAssumptions>) })).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', details: expect.objectContaining({ field }) }));
  });

  it('asks the optimiser the scenario’s question: the network’s fill-finish units less those removed, plus those added, and the demand with its weights and deadlines', () => {
    const [created] = createScenario(undefined, 'S1', assumptions);
    const question = surgeQuestionOf(created!.data.assumptions, {
      fillFinishUnits: [
        { unitId: 'MU-FF-1', region: 'LON' },
        { unitId: 'MU-OLD', region: 'NW' },
      ],
      travelDays: UK_REGIONS.map((_, a) => UK_REGIONS.map((__, b) => (a === b ? 0 : 1))),
    });
    expect(validateSurgeInstance(question)).toBe(question);
    expect(question.units).toEqual([
      { unitId: 'MU-FF-1', region: 'LON' },
      { unitId: 'FF-NEW-1', region: 'MID' },
    ]);
    expect(question.dosesPerUnitDay).toBe(33_600);
    expect(question.weights).toEqual({ LON: 2 });
    expect(question.demand).toEqual([
      { region: 'LON', day: 0, doses: 2_000_000 },
      { region: 'NW', day: 20, doses: 1_500_000, deadline: 60 },
    ]);
  });

  it('given the live network, refuses a scenario naming a unit it does not have, or adding one under a live id; accepts units and sites it has', () => {
    const known = { unitIds: new Set(['MU-OLD', 'MU-FF-2']), siteCodes: new Set(['RBV01']) };
    const [created] = createScenario(undefined, 'S1', assumptions, undefined, known);
    expect(created!.data.assumptions.unitsRemoved).toEqual(['MU-OLD']);
    const refused = (change: Partial<ScenarioAssumptions>) => () => createScenario(undefined, 'S1', { ...assumptions, ...change }, undefined, known);
    expect(refused({ unitsRemoved: ['mu-typo'] })).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'unitsRemoved[0]' }) }));
    expect(refused({ unitsAdded: [{ unitId: 'mu-ff-2', kind: 'FILL_FINISH', region: 'MID' }] })).toThrow(/MU-FF-2 is already a unit of the network/);
    expect(refused({ outages: [{ target: 'XYZ99', fromDay: 1, toDay: 2 }] })).toThrow(/no unit or site XYZ99/);
    // An outage may name a site, or a unit the scenario adds.
    expect(checkScenarioNames({ ...created!.data.assumptions, outages: [{ target: 'RBV01', fromDay: 1, toDay: 2 }, { target: 'FF-NEW-1', fromDay: 1, toDay: 2 }] }, known).outages).toHaveLength(2);
  });
});
