import { requireCarTFromToday } from './cart-scenario';

describe('a CAR-T what-if starts from live capacity (issue 13 §4)', () => {
  const referrals = [{ region: 'NW' as const, productCode: 'POC-CAR19', perWeek: 4 }];

  it('given CAR-T referrals, runs from today or a later day', () => {
    expect(() => requireCarTFromToday({ asOf: '2027-01-04', referralsPerWeek: referrals }, '2027-01-04')).not.toThrow();
    expect(() => requireCarTFromToday({ asOf: '2027-02-01', referralsPerWeek: referrals }, '2027-01-04')).not.toThrow();
  });

  it('given CAR-T referrals from a day that has passed, refuses naming asOf and the day to set', () => {
    expect(() => requireCarTFromToday({ asOf: '2027-01-03', referralsPerWeek: referrals }, '2027-01-04')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: expect.objectContaining({ field: 'asOf' }), message: expect.stringContaining('set asOf to today (2027-01-04) or later') }),
    );
  });

  it('given no CAR-T referrals, lets a scenario start on a day gone by (vaccine fill-finish reads the network as of then)', () => {
    expect(() => requireCarTFromToday({ asOf: '2026-06-01', referralsPerWeek: [] }, '2027-01-04')).not.toThrow();
  });
});
