import type { DeploymentData } from '@bedside/network';
import { designatedUnitsOn, type PlanBasis } from './plan-options';

/** The units the plan search may use today: each where it stands, and only where the DMMF designates it there. */
describe('the units a plan may use on a day (designatedUnitsOn)', () => {
  const toRbv: DeploymentData = {
    deploymentId: 'MCT-01-D1',
    unitId: 'MCT-01',
    fromSiteCode: 'CTL01',
    toSiteCode: 'RBV01',
    leavesOn: '2027-03-08',
    availableFrom: '2027-03-12',
    move: { tearDownDays: 1, travelDays: 1, setUpDays: 1, requalificationDays: 1 },
    travelHours: 4,
    reason: 'Winter wave',
    strandedCois: [],
    cancels: [],
  };
  const basis = (siteCodes: string[], latestSiteCodes = siteCodes): PlanBasis => ({
    process: {} as PlanBasis['process'],
    units: [
      { unitId: 'MCT-01', siteCode: 'CTL01', deployments: [toRbv] },
      { unitId: 'MU-RBV01', siteCode: 'RBV01', deployments: [] },
    ],
    designations: [
      { siteCodes, unitIds: [] },
      { siteCodes: latestSiteCodes, unitIds: [] },
    ],
    centres: [],
    travelHours: () => undefined,
    freshCourier: () => false,
  });
  const ids = (b: PlanBasis, day: string) => designatedUnitsOn(b, day).map(({ unit }) => `${unit.unitId}@${unit.siteCode}`);

  it('places a deployed unit at the site it is at or heading for, and keeps it only if that site is designated', () => {
    expect(ids(basis(['RBV01']), '2027-03-01')).toEqual(['MU-RBV01@RBV01']);
    expect(ids(basis(['RBV01']), '2027-03-09')).toEqual(['MCT-01@RBV01', 'MU-RBV01@RBV01']);
    expect(ids(basis(['CTL01']), '2027-03-01')).toEqual(['MCT-01@CTL01']);
    expect(ids(basis(['CTL01']), '2027-03-09')).toEqual([]);
  });

  it('drops a unit the product’s latest DMMF version no longer designates where it stands, pinned or not', () => {
    expect(ids(basis(['RBV01'], ['CTL01']), '2027-03-09')).toEqual([]);
  });
});
