import { DateTime } from 'luxon';
import { ValidationError } from './errors';

/** A calendar day (ISO yyyy-mm-dd) in some site's time zone: clinical calendars count these, not instants. */
export type LocalDate = string;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseLocalDate(field: string, raw: string): LocalDate {
  const date = DateTime.fromISO(raw, { zone: 'UTC' });
  if (!ISO_DATE.test(raw) || !date.isValid) throw new ValidationError(field, `"${raw}" is not a calendar date; use yyyy-mm-dd, e.g. "2027-03-28".`);
  return raw;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days);
}

/** The calendar day an instant falls on in a time zone. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toISODate()!;
}

/** The instant a local wall-clock time happens on a day in a time zone (DST-aware). */
export function instantAt(date: LocalDate, time: string, timeZone: string): Date {
  return DateTime.fromISO(`${date}T${time}`, { zone: timeZone }).toJSDate();
}

export function* eachDay(from: LocalDate, to: LocalDate): Generator<LocalDate> {
  for (let day = from; day <= to; day = addDays(day, 1)) yield day;
}

/** ISO weekday of a calendar day: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: LocalDate): number {
  return DateTime.fromISO(date, { zone: 'UTC' }).weekday;
}
