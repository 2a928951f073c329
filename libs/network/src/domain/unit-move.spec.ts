import { ValidationError } from '@bedside/shared';
import { availableAfterMove, daysLostMoving, travelDaysFor, type UnitMove } from './unit-move';

const move: UnitMove = { tearDownDays: 1, travelDays: 1, setUpDays: 2, requalificationDays: 18 };

describe('what a move of a mobile unit costs', () => {
  it('adds tear-down, road, set-up and requalification', () => {
    expect(daysLostMoving(move)).toBe(22);
  });

  it('costs at least the day the unit leaves, even with nothing to tear down, set up or requalify', () => {
    expect(daysLostMoving({ tearDownDays: 0, travelDays: 0, setUpDays: 0, requalificationDays: 0 })).toBe(1);
  });

  it('gives the first day the unit offers capacity where it goes, across a clock change', () => {
    // Leaves on Friday 26 March 2027; British Summer Time starts on Sunday 28 March: days are counted, not hours.
    expect(availableAfterMove('2027-03-26', move)).toBe('2027-04-17');
    expect(availableAfterMove('2027-03-26', { ...move, requalificationDays: 0 })).toBe('2027-03-30');
  });

  it('counts any journey as a day on the road and a longer one as a day per 24 hours begun', () => {
    expect([0, 3.5, 24, 24.5, 49].map(travelDaysFor)).toEqual([1, 1, 1, 2, 3]);
  });

  it.each([
    ['tearDownDays', { tearDownDays: -1 }],
    ['travelDays', { travelDays: 1.5 }],
    ['setUpDays', { setUpDays: Number.NaN }],
    ['requalificationDays', { requalificationDays: 22 }],
  ])('refuses a bad %s, naming the field', (field, change) => {
    expect(() => daysLostMoving({ ...move, ...change })).toThrow(ValidationError);
    try {
      daysLostMoving({ ...move, ...change });
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('refuses travel that is not a number of hours', () => {
    expect(() => travelDaysFor(-1)).toThrow(ValidationError);
    expect(() => travelDaysFor(Number.POSITIVE_INFINITY)).toThrow(ValidationError);
  });
});
