import type { FreeSlot, ResourceDays } from '@bedside/capacity';
import type { DeploymentData } from '@bedside/network';
import { addDays, type LocalDate } from '@bedside/shared';
import { designatedUnitsOn, onUnits, unitsWhereTheyAre, type PlanBasis } from './plan-options';

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

  describe('a search over days when the unit will be elsewhere (unitsWhereTheyAre)', () => {
    const earliest = '2027-03-01' as LocalDate;
    const bayDays = (unitId: string, siteCode: string): ResourceDays => ({
      resourceKey: `unit:${unitId}`,
      siteCode,
      unitId,
      resource: 'MANUFACTURING_BAY',
      days: Array.from({ length: 21 }, (_, i) => [{ resourceKey: `unit:${unitId}`, day: addDays(earliest, i), free: 1 } as FreeSlot]),
    });
    const daysOf = (row: ResourceDays) => row.days.flatMap((slots) => slots.map((s) => s.day));
    const rows = [bayDays('MCT-01', 'CTL01'), bayDays('MU-RBV01', 'RBV01')];

    it('gives the search each stay of a deployed unit under its own name, with that stay’s days only', () => {
      const placed = unitsWhereTheyAre(basis(['CTL01', 'RBV01']), earliest, { freeByResource: rows }, earliest);
      expect(placed.units).toEqual([
        { unitId: 'MCT-01', siteCode: 'CTL01' },
        { unitId: 'MCT-01 at RBV01 from 2027-03-12', siteCode: 'RBV01' },
        { unitId: 'MU-RBV01', siteCode: 'RBV01' },
      ]);
      if (!('freeByResource' in placed.capacity)) throw new Error('grouped capacity expected');
      const [home, away, fixed] = placed.capacity.freeByResource;
      expect(daysOf(home!)).toEqual(Array.from({ length: 7 }, (_, i) => addDays(earliest, i)));
      expect(away!.unitId).toBe('MCT-01 at RBV01 from 2027-03-12');
      expect(daysOf(away!)).toEqual(Array.from({ length: 10 }, (_, i) => addDays('2027-03-12' as LocalDate, i)));
      expect(daysOf(away!).every((day) => day >= '2027-03-12')).toBe(true);
      expect(daysOf(fixed!)).toHaveLength(21);
      // Only where the DMMF designates it: with the Christie not designated, the later stay is not offered.
      expect(unitsWhereTheyAre(basis(['CTL01']), earliest, { freeByResource: rows }, earliest).units.map((u) => u.unitId)).toEqual(['MCT-01']);
    });

    it('gives the plans back on the unit’s own id, the one its batch slots name', () => {
      const step = (unitId: string) => ({ kind: 'MANUFACTURE' as const, siteCode: 'RBV01', fromSiteCode: null, unitId, start: new Date(0), end: new Date(0), slots: [{ resourceKey: 'unit:MCT-01', day: '2027-03-12' as LocalDate, session: 'DAY' }] });
      const plan = { unitId: 'MCT-01 at RBV01 from 2027-03-12', steps: [step('MCT-01 at RBV01 from 2027-03-12')] } as never;
      const [back] = onUnits({ plans: [plan], reasonNone: null }).plans;
      expect(back!.unitId).toBe('MCT-01');
      expect(back!.steps.map((s) => s.unitId)).toEqual(['MCT-01']);
    });
  });
});
