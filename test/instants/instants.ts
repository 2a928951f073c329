import { addDays, instantAt, localDateOf, systemClock, weekdayOf, type LocalDate } from '@bedside/shared';

/**
 * The instants the date-dependent suites also run at (issue 11 §1): the days a calendar bug hides
 * behind. Each is the next such instant from `from`, in UK time, so the set is fixed for a given day
 * and never in the past (tests plan forwards from their clock).
 */
export interface NamedInstant {
  readonly name: string;
  readonly at: Date;
  /** The real now: the suites run on the system's time, not pinned to `at`. */
  readonly real?: boolean;
}

const ZONE = 'Europe/London';
const HOUR = 3_600_000;

/** The next calendar day on or after `from` that `matches`. */
function nextDay(from: LocalDate, matches: (day: LocalDate) => boolean): LocalDate {
  for (let day = from; ; day = addDays(day, 1)) if (matches(day)) return day;
}

const lastSundayOf = (month: string) => (day: LocalDate) => day.slice(5, 7) === month && weekdayOf(day) === 7 && addDays(day, 7).slice(5, 7) !== month;

export function instantsFrom(now: Date = systemClock.now()): NamedInstant[] {
  const tomorrow = addDays(localDateOf(now, ZONE), 1);
  const local = (matches: (day: LocalDate) => boolean, time: string) => instantAt(nextDay(tomorrow, matches), time, ZONE);
  // UK clocks change at 01:00 UTC on the last Sunday of March (forwards) and of October (back).
  const change = (month: string) => new Date(Date.parse(`${nextDay(tomorrow, lastSundayOf(month))}T01:00:00Z`));
  const spring = change('03');
  const autumn = change('10');
  return [
    { name: 'Christmas Eve 17:00', at: local((d) => d.endsWith('-12-24'), '17:00') },
    { name: "New Year's Eve 23:30", at: local((d) => d.endsWith('-12-31'), '23:30') },
    { name: "New Year's Day 09:00", at: local((d) => d.endsWith('-01-01'), '09:00') },
    { name: 'spring clock change, the hour before (00:30 GMT)', at: new Date(spring.getTime() - HOUR / 2) },
    { name: 'spring clock change, inside (02:30 BST)', at: new Date(spring.getTime() + HOUR / 2) },
    { name: 'spring clock change, the hour after (03:30 BST)', at: new Date(spring.getTime() + (3 * HOUR) / 2) },
    { name: 'autumn clock change, the hour before (01:30 BST, first pass)', at: new Date(autumn.getTime() - HOUR / 2) },
    { name: 'autumn clock change, inside (01:30 GMT, second pass)', at: new Date(autumn.getTime() + HOUR / 2) },
    { name: 'autumn clock change, the hour after (02:30 GMT)', at: new Date(autumn.getTime() + (3 * HOUR) / 2) },
    { name: '29 February 12:00', at: local((d) => d.endsWith('-02-29'), '12:00') },
    { name: 'a Friday at 17:30', at: local((d) => weekdayOf(d) === 5, '17:30') },
    // Not pinned: each suite's clock starts when its API does, as the log's own recordedAt does; an instant
    // fixed before the run would put the clock minutes behind what the database writes.
    { name: 'the real now', at: now, real: true },
  ];
}
