import { addDays, eachDay, instantAt, weekdayOf, type LocalDate } from '@bedside/shared';
import { WEEKDAYS, type CalendarException, type Resource, type ResourceCalendar } from './calendar';

/** How far ahead bookable capacity is laid out from a calendar's start (a year and a month). */
export const CAPACITY_HORIZON_DAYS = 400;

/** A span during which a resource cannot be booked, e.g. while its site is paused. `until` null: still in force. */
export interface Unavailability {
  readonly from: Date;
  readonly until: Date | null;
  readonly reason: string;
}

/** What the capacity of one resource is made from. */
export interface CapacitySource {
  readonly resourceKey: string;
  readonly siteCode: string;
  readonly unitId: string | null;
  readonly resource: Resource;
  readonly timeZone: string;
  /** Site resources: their calendar. Units: open every day, with their batch capacity. */
  readonly calendar: Pick<ResourceCalendar, 'count' | 'openingDays' | 'sessions' | 'openOnBankHolidays' | 'effectiveFrom'>;
  /** The days this source covers (`until` exclusive), when fewer than its calendar's: a mobile unit's stay at one site. */
  readonly days?: { readonly from: LocalDate; readonly until: LocalDate | null };
  readonly exceptions: readonly CalendarException[];
  readonly unavailability: readonly Unavailability[];
  readonly bankHolidays: ReadonlySet<LocalDate>;
}

/** One bookable slot: a session of a chair, a bed-day, a unit's batch slots on a day. */
export interface CapacitySlot {
  readonly resourceKey: string;
  readonly siteCode: string;
  readonly unitId: string | null;
  readonly resource: Resource;
  readonly day: LocalDate;
  /** Session name; '' for resources booked by the day. */
  readonly session: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** Chairs, beds or batch slots the calendar provides. */
  readonly nominal: number;
  /** What can be booked after exceptions and closures: never below 0. */
  readonly capacity: number;
  /** Why capacity is below nominal, in words. */
  readonly closedReason: string | null;
}

/**
 * Lays a calendar out as slots from its start for CAPACITY_HORIZON_DAYS (or the part of that within
 * the days given). Wall-clock session times are
 * turned into instants in the site's time zone day by day, so a 08:00 session is at 08:00 local on
 * both sides of the March and October clock changes, and a day is whatever length it really is.
 */
export function expandCapacity(source: CapacitySource, within?: { readonly from: LocalDate; readonly to: LocalDate }): CapacitySlot[] {
  const { calendar } = source;
  // Only the days asked for, when some are (a read of the past lays out just its range).
  let first = within && within.from > calendar.effectiveFrom ? within.from : calendar.effectiveFrom;
  const horizon = addDays(calendar.effectiveFrom, CAPACITY_HORIZON_DAYS - 1);
  let last = within && within.to < horizon ? within.to : horizon;
  if (source.days && source.days.from > first) first = source.days.from;
  if (source.days?.until && addDays(source.days.until, -1) < last) last = addDays(source.days.until, -1);
  const slots: CapacitySlot[] = [];
  if (last < first) return slots;
  for (const day of eachDay(first, last)) {
    const weekday = WEEKDAYS[weekdayOf(day) - 1]!;
    const bankHoliday = source.bankHolidays.has(day) && !calendar.openOnBankHolidays;
    if (!calendar.openingDays.includes(weekday) || bankHoliday) continue;
    const periods =
      calendar.sessions.length > 0
        ? calendar.sessions.map((s) => ({ session: s.name, startsAt: instantAt(day, s.start, source.timeZone), endsAt: instantAt(day, s.end, source.timeZone) }))
        : [{ session: '', startsAt: instantAt(day, '00:00', source.timeZone), endsAt: startOfNextDay(day, source.timeZone) }];
    for (const period of periods) {
      const { capacity, reason } = capacityAfterClosures(source, day, period.startsAt, period.endsAt);
      slots.push({
        resourceKey: source.resourceKey,
        siteCode: source.siteCode,
        unitId: source.unitId,
        resource: source.resource,
        day,
        session: period.session,
        startsAt: period.startsAt,
        endsAt: period.endsAt,
        nominal: calendar.count,
        capacity,
        closedReason: reason,
      });
    }
  }
  return slots;
}

function startOfNextDay(day: LocalDate, timeZone: string): Date {
  return instantAt(addDays(day, 1), '00:00', timeZone);
}

function capacityAfterClosures(source: CapacitySource, day: LocalDate, startsAt: Date, endsAt: Date): { capacity: number; reason: string | null } {
  // A closure in force at any time during the slot takes the whole slot: "no free capacity from that moment".
  const closure = source.unavailability.find((u) => u.from < endsAt && (u.until === null || u.until > startsAt));
  if (closure) return { capacity: 0, reason: closure.reason };
  let capacity = source.calendar.count;
  const reasons: string[] = [];
  for (const exception of source.exceptions) {
    const applies = exception.from <= day && day <= exception.to && (exception.resource === null || exception.resource === source.resource);
    if (!applies) continue;
    capacity -= exception.unavailable ?? capacity;
    reasons.push(`${exception.kind.toLowerCase().replace('_', ' ')}: ${exception.reason}`);
  }
  return { capacity: Math.max(0, capacity), reason: reasons.length > 0 ? reasons.join('; ') : null };
}
