import { ValidationError } from './errors';

/** A calendar day (ISO yyyy-mm-dd) in some site's time zone: clinical calendars count these, not instants. */
export type LocalDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

// Calendar arithmetic on local dates is done on UTC midnights: no time zone can shift a pure date.
const toUtcMidnight = (date: LocalDate) => Date.parse(`${date}T00:00:00Z`);
const fromUtcMidnight = (ms: number): LocalDate => new Date(ms).toISOString().slice(0, 10);

export function parseLocalDate(field: string, raw: string): LocalDate {
  const match = ISO_DATE.exec(raw);
  const ms = match ? toUtcMidnight(raw) : Number.NaN;
  if (!match || Number.isNaN(ms) || fromUtcMidnight(ms) !== raw) {
    throw new ValidationError(field, `"${raw}" is not a calendar date; use yyyy-mm-dd, e.g. "2027-03-28".`);
  }
  return raw;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromUtcMidnight(toUtcMidnight(date) + days * DAY_MS);
}

export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((toUtcMidnight(to) - toUtcMidnight(from)) / DAY_MS);
}

export function* eachDay(from: LocalDate, to: LocalDate): Generator<LocalDate> {
  for (let ms = toUtcMidnight(from), end = toUtcMidnight(to); ms <= end; ms += DAY_MS) yield fromUtcMidnight(ms);
}

/** ISO weekday of a calendar day: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: LocalDate): number {
  return ((new Date(toUtcMidnight(date)).getUTCDay() + 6) % 7) + 1;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/** Minutes the zone's wall clock is ahead of UTC at an instant (from the IANA database, via Intl). */
export function zoneOffsetMinutes(instantMs: number, timeZone: string): number {
  // Offsets change at most a few times a year, never within an hour here: cache per zone and hour.
  const key = `${timeZone}|${Math.floor(instantMs / 3_600_000)}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(new Date(instantMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offset = Math.round((wall - Math.floor(instantMs / 1000) * 1000) / 60_000);
  if (offsets.size > 100_000) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

/**
 * The instant a local wall-clock time happens on a day in a time zone (DST-aware), resolved as
 * Temporal's "compatible" disambiguation does: a time that happens twice (autumn) is the earlier,
 * a time skipped in spring is taken as if the clocks had not yet changed (01:30 → 02:30 BST).
 */
export function instantAt(date: LocalDate, time: string, timeZone: string): Date {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  const wall = toUtcMidnight(date) + (hours * 60 + minutes) * 60_000;
  const offsetBefore = zoneOffsetMinutes(wall - DAY_MS, timeZone);
  const offsetAfter = zoneOffsetMinutes(wall + DAY_MS, timeZone);
  const candidates = [wall - offsetBefore * 60_000, wall - offsetAfter * 60_000].filter(
    (instant) => wall - zoneOffsetMinutes(instant, timeZone) * 60_000 === instant,
  );
  return new Date(candidates.length > 0 ? Math.min(...candidates) : wall - offsetBefore * 60_000);
}

/** The calendar day an instant falls on in a time zone. */
/**
 * The zone the network's clinical days are counted in when no site says otherwise: every NHS site, and every
 * demo site, keeps UK time. A site's own calendar uses the site's zone (`Site.timeZone`).
 */
export const NETWORK_TIME_ZONE = 'Europe/London';

export function localDateOf(instant: Date, timeZone: string): LocalDate {
  return fromUtcMidnight(Math.floor((instant.getTime() + zoneOffsetMinutes(instant.getTime(), timeZone) * 60_000) / DAY_MS) * DAY_MS);
}
