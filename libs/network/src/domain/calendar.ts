import { eventClass, ConflictError,
  daysBetween,
  NotFoundError,
  oneOf,
  optionalReason,
  parseLocalDate,
  ValidationError,
  wholeNumber,
  type DomainEvent,
  type Evolver,
  type LocalDate, } from '@bedside/shared';

/** Bookable clinical resources of a site (domain.md "Network resources"). Units are manufacturing bays of their own. */
export const SITE_RESOURCES = ['APHERESIS_CHAIR', 'CONDITIONING_CHAIR', 'INFUSION_BED', 'MONITORING_BED', 'ICU_BED'] as const;
export type SiteResource = (typeof SITE_RESOURCES)[number];
export type Resource = SiteResource | 'MANUFACTURING_BAY';

/** Chairs are booked by session; beds by the day (bed-days). */
export const SESSION_RESOURCES: readonly SiteResource[] = ['APHERESIS_CHAIR', 'CONDITIONING_CHAIR'];

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const EXCEPTION_KINDS = ['MAINTENANCE', 'OUTAGE', 'BANK_HOLIDAY', 'STAFF_SHORTAGE'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export interface Session {
  readonly name: string;
  /** Local wall-clock times in the site's time zone, "HH:mm". */
  readonly start: string;
  readonly end: string;
}

export interface ResourceCalendar {
  readonly resource: SiteResource;
  /** How many chairs or beds. */
  readonly count: number;
  readonly openingDays: readonly Weekday[];
  /** Chairs: the sessions of an opening day. Beds: none (booked per day). */
  readonly sessions: readonly Session[];
  readonly openOnBankHolidays: boolean;
  readonly effectiveFrom: LocalDate;
}

/** Who a calendar belongs to: a site (its chairs and beds) or a modular unit (its batch slots). */
export type CalendarOwner = { readonly siteCode: string; readonly unitId?: undefined } | { readonly unitId: string; readonly siteCode?: undefined };

export interface CalendarException {
  readonly exceptionId: string;
  readonly owner: CalendarOwner;
  /** The resource affected; null: every resource of the owner. */
  readonly resource: SiteResource | null;
  readonly kind: ExceptionKind;
  /** Inclusive local dates. */
  readonly from: LocalDate;
  readonly to: LocalDate;
  /** How many chairs, beds or batch slots are out; null: all of them. */
  readonly unavailable: number | null;
  readonly reason: string;
}

export class ResourceCalendarSet extends eventClass<'ResourceCalendarSet', ResourceCalendar & { readonly siteCode: string }>('ResourceCalendarSet') {}

export class CalendarExceptionAdded extends eventClass<'CalendarExceptionAdded', CalendarException>('CalendarExceptionAdded') {}

export class CalendarExceptionWithdrawn extends eventClass<'CalendarExceptionWithdrawn', { readonly exceptionId: string; readonly owner: CalendarOwner; readonly reason: string }>('CalendarExceptionWithdrawn') {}

export type CalendarEvent = ResourceCalendarSet | CalendarExceptionAdded | CalendarExceptionWithdrawn;

export const calendarStreamId = (owner: CalendarOwner) => (owner.siteCode ? `calendar-site-${owner.siteCode}` : `calendar-unit-${owner.unitId}`);

export interface CalendarState {
  readonly resources: ReadonlyMap<SiteResource, ResourceCalendar>;
  readonly exceptions: ReadonlyMap<string, CalendarException>;
}

export const calendarEvolver: Evolver<CalendarState, CalendarEvent> = {
  initialState: { resources: new Map(), exceptions: new Map() },
  evolve(state, event) {
    switch (event.type) {
      case 'ResourceCalendarSet': {
        const { siteCode: _site, ...calendar } = event.data;
        return { ...state, resources: new Map(state.resources).set(calendar.resource, calendar) };
      }
      case 'CalendarExceptionAdded':
        return { ...state, exceptions: new Map(state.exceptions).set(event.data.exceptionId, event.data) };
      case 'CalendarExceptionWithdrawn': {
        const exceptions = new Map(state.exceptions);
        exceptions.delete(event.data.exceptionId);
        return { ...state, exceptions };
      }
    }
  },
};

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export interface SetResourceCalendar {
  readonly siteCode: string;
  readonly resource: string;
  readonly count: number;
  readonly openingDays: readonly string[];
  readonly sessions: readonly Session[];
  readonly openOnBankHolidays: boolean;
  readonly effectiveFrom: string;
}

export function setResourceCalendar(command: SetResourceCalendar): ResourceCalendarSet[] {
  const resource = oneOf('resource', command.resource, SITE_RESOURCES);
  const openingDays = [...new Set(command.openingDays.map((d) => oneOf('openingDays', d, WEEKDAYS)))].sort(
    (a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b),
  );
  if (openingDays.length === 0) throw new ValidationError('openingDays', 'Give at least one opening day (MON to SUN).');
  const sessions = command.sessions.map((s, i) => validateSession(s, i));
  if (SESSION_RESOURCES.includes(resource)) {
    if (sessions.length === 0 || sessions.length > 4) throw new ValidationError('sessions', `${resource} is booked by session: give 1 to 4 sessions a day.`);
    const sorted = [...sessions].sort((a, b) => a.start.localeCompare(b.start));
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.start < sorted[i - 1]!.end) {
        throw new ValidationError('sessions', `Sessions "${sorted[i - 1]!.name}" and "${sorted[i]!.name}" overlap.`);
      }
    }
    if (new Set(sessions.map((s) => s.name)).size !== sessions.length) throw new ValidationError('sessions', 'Session names must differ.');
  } else if (sessions.length > 0) {
    throw new ValidationError('sessions', `${resource} is booked by the day; leave sessions empty.`);
  }
  return [
    new ResourceCalendarSet({
      siteCode: command.siteCode,
      resource,
      count: wholeNumber('count', command.count, 0, 500),
      openingDays,
      sessions: [...sessions].sort((a, b) => a.start.localeCompare(b.start)),
      openOnBankHolidays: command.openOnBankHolidays,
      effectiveFrom: parseLocalDate('effectiveFrom', command.effectiveFrom),
    }),
  ];
}

function validateSession(session: Session, index: number): Session {
  const name = session.name?.trim();
  if (!name || name.length > 40) throw new ValidationError(`sessions[${index}].name`, 'Name each session (e.g. "AM"), up to 40 characters.');
  for (const edge of ['start', 'end'] as const) {
    if (!TIME.test(session[edge])) throw new ValidationError(`sessions[${index}].${edge}`, `"${session[edge]}" is not a time of day; use HH:mm, e.g. "08:30".`);
  }
  if (session.end <= session.start) {
    throw new ValidationError(`sessions[${index}].end`, `Session "${name}" ends (${session.end}) before it starts (${session.start}).`);
  }
  return { name, start: session.start, end: session.end };
}

export interface AddCalendarException {
  readonly exceptionId: string;
  readonly owner: CalendarOwner;
  readonly resource: string | null;
  readonly kind: string;
  readonly from: string;
  readonly to: string;
  readonly unavailable: number | null;
  readonly reason: string;
}

/** `capacityOf` tells how many of the resource the owner has (undefined when it has no such calendar). */
export function addCalendarException(state: CalendarState, command: AddCalendarException, capacityOf: (resource: SiteResource | null) => number | undefined): CalendarExceptionAdded[] {
  const from = parseLocalDate('from', command.from);
  const to = parseLocalDate('to', command.to);
  if (to < from) throw new ValidationError('to', `The exception ends (${to}) before it starts (${from}).`);
  if (daysBetween(from, to) > 366) throw new ValidationError('to', 'An exception can span at most a year; add another for longer.');
  const resource = command.resource === null ? null : oneOf('resource', command.resource, SITE_RESOURCES);
  if (command.owner.unitId && resource) throw new ValidationError('resource', 'A unit exception covers its batch slots; leave resource empty.');
  const capacity = capacityOf(resource);
  if (capacity === undefined) {
    throw new ValidationError('resource', `There is no ${resource} calendar here to make an exception to; set the calendar first.`);
  }
  const unavailable = command.unavailable === null ? null : wholeNumber('unavailable', command.unavailable, 1, Math.max(1, capacity));
  const reason = optionalReason(command.reason);
  if (!reason) throw new ValidationError('reason', 'Record why the capacity is out (e.g. "Annual service of cell separator").');
  if (state.exceptions.has(command.exceptionId)) throw new ConflictError(`Exception ${command.exceptionId} is already recorded.`, { exceptionId: command.exceptionId });
  for (const other of state.exceptions.values()) {
    const sameResource = other.resource === null || resource === null || other.resource === resource;
    if (sameResource && other.from <= to && from <= other.to) {
      throw new ConflictError(
        `This exception (${from} to ${to}) overlaps exception ${other.exceptionId} (${other.kind}, ${other.from} to ${other.to}). ` +
          'Withdraw or change that one first, or choose other dates.',
        { overlapsWith: other.exceptionId },
      );
    }
  }
  return [
    new CalendarExceptionAdded({
      exceptionId: command.exceptionId,
      owner: command.owner,
      resource,
      kind: oneOf('kind', command.kind, EXCEPTION_KINDS),
      from,
      to,
      unavailable,
      reason,
    }),
  ];
}

export function withdrawCalendarException(state: CalendarState, owner: CalendarOwner, exceptionId: string, rawReason: string | null | undefined): CalendarExceptionWithdrawn[] {
  if (!state.exceptions.has(exceptionId)) throw new NotFoundError('calendar exception', exceptionId);
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Record why the exception is withdrawn.');
  return [new CalendarExceptionWithdrawn({ exceptionId, owner, reason })];
}
