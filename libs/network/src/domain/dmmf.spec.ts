import { designatesUnitAt } from './dmmf';

describe('where a DMMF lets a product be made (HMR regs 17A/17B)', () => {
  const designation = { siteCodes: ['RBV01'], unitIds: ['MCT-02'] };

  it('given a unit listed by id, then it may make the product wherever it stands', () => {
    expect(designatesUnitAt(designation, 'MCT-02', 'CTL01')).toBe(true);
    expect(designatesUnitAt(designation, 'MCT-02', undefined)).toBe(true);
  });

  it('given a unit not listed, then it may make the product only while it stands at a designated site', () => {
    expect(designatesUnitAt(designation, 'MCT-01', 'RBV01')).toBe(true);
    // Deployed away from the designated site, it takes no designation with it.
    expect(designatesUnitAt(designation, 'MCT-01', 'CTL01')).toBe(false);
    expect(designatesUnitAt(designation, 'MCT-01', undefined)).toBe(false);
  });

  it('reads a designation given as sets the same as one given as lists', () => {
    const sets = { siteCodes: new Set(designation.siteCodes), unitIds: new Set(designation.unitIds) };
    for (const [unitId, site] of [['MCT-01', 'RBV01'], ['MCT-01', 'CTL01'], ['MCT-02', 'CTL01']] as const) {
      expect(designatesUnitAt(sets, unitId, site)).toBe(designatesUnitAt(designation, unitId, site));
    }
  });
});
