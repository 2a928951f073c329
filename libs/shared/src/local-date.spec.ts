import { DateTime } from 'luxon';
import { addDays, daysBetween, instantAt, localDateOf, parseLocalDate, weekdayOf, zoneOffsetMinutes } from './local-date';

describe('local dates and zone arithmetic', () => {
  it('agrees with luxon (the IANA database) on wall-clock instants around both UK clock changes', () => {
    for (const zone of ['Europe/London', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata']) {
      for (let day = '2027-03-20'; day <= '2027-04-05'; day = addDays(day, 1)) {
        for (const time of ['00:00', '00:30', '01:30', '02:30', '08:00', '13:30', '23:59']) {
          const expected = DateTime.fromISO(`${day}T${time}`, { zone }).toJSDate();
          expect({ zone, day, time, at: instantAt(day, time, zone).toISOString() }).toEqual({ zone, day, time, at: expected.toISOString() });
        }
      }
      for (let day = '2027-10-25'; day <= '2027-11-08'; day = addDays(day, 1)) {
        const expected = DateTime.fromISO(`${day}T08:00`, { zone }).toJSDate();
        expect(instantAt(day, '08:00', zone).toISOString()).toBe(expected.toISOString());
      }
    }
  });

  it('reads the day an instant falls on in a zone', () => {
    expect(localDateOf(new Date('2027-06-30T23:30:00Z'), 'Europe/London')).toBe('2027-07-01'); // BST
    expect(localDateOf(new Date('2027-12-31T23:30:00Z'), 'Europe/London')).toBe('2027-12-31'); // GMT
    expect(zoneOffsetMinutes(Date.parse('2027-07-01T12:00:00Z'), 'Europe/London')).toBe(60);
  });

  it('counts calendar days, not hours, across clock changes', () => {
    expect(daysBetween('2027-03-27', '2027-03-29')).toBe(2);
    expect(addDays('2027-10-30', 2)).toBe('2027-11-01');
    expect(weekdayOf('2027-03-28')).toBe(7); // Sunday
    expect(() => parseLocalDate('from', '2027-02-30')).toThrow(/not a calendar date/);
  });
});
