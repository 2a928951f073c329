import { resourceOwner, siteResourceKey, unitOfKey, unitResourceKey } from './slot';

describe('resource keys', () => {
  it('name a site resource and a unit, and read back to the same owner', () => {
    expect(resourceOwner(siteResourceKey('RBV01', 'APHERESIS_CHAIR'))).toEqual({ kind: 'site', siteCode: 'RBV01', resource: 'APHERESIS_CHAIR' });
    expect(resourceOwner(unitResourceKey('MU-POC-01'))).toEqual({ kind: 'unit', unitId: 'MU-POC-01' });
    expect(unitOfKey(unitResourceKey('MU-POC-01'))).toBe('MU-POC-01');
    expect(unitOfKey(siteResourceKey('RBV01', 'INFUSION_BED'))).toBeNull();
  });

  it('refuse a key that is neither', () => {
    expect(() => resourceOwner('chair:RBV01')).toThrow('is not a resource key');
    expect(() => resourceOwner('site:RBV01')).toThrow('is not a resource key');
  });
});
