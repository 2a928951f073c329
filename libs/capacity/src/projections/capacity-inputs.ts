import type { RecordedAs } from '@bedside/event-store';
import {
  SITE_TRANSITIONS,
  type BankHolidaysDeclared,
  type CalendarEvent,
  type CalendarException,
  type CalendarOwner,
  type CapacitySource,
  type ResourceCalendar,
  type SiteAction,
  type SiteEvent,
  type SiteRegionSet,
  type SiteStatusEvent,
  type DeploymentData,
  type Unavailability,
  type UnitEvent,
  applyDeployment,
  deploymentOf,
  unitStays,
  type Deployment,
} from '@bedside/network';
import { NETWORK_TIME_ZONE, localDateOf, type LocalDate } from '@bedside/shared';
import { siteResourceKey, unitResourceKey } from '../domain/slot';

/**
 * What live capacity is laid out from, and how each event changes it: pure, so that the capacity
 * projection (which keeps these inputs in tables) and reads "as of" an instant (which fold them in
 * memory from the events recorded by then) follow the same rules.
 */

/** Bank holidays of this region close site calendars (per-site regions are not modelled yet: README). */
export const BANK_HOLIDAY_REGION = 'england-and-wales';

/** Every event capacity is laid out from. */
/** A site's region lays nothing out. */
export type CapacityInputEvent = Exclude<SiteEvent, SiteRegionSet> | CalendarEvent | UnitEvent | BankHolidaysDeclared;

export const SITE_STATUS_EVENTS: Readonly<Record<SiteStatusEvent['type'], SiteAction>> = {
  SiteOnboardingStarted: 'onboard',
  SiteActivated: 'activate',
  SitePaused: 'pause',
  SiteSuspended: 'suspend',
  SiteCeased: 'cease',
};

/** Every event type capacity is laid out from. */
export const CAPACITY_INPUT_EVENT_TYPES: readonly CapacityInputEvent['type'][] = [
  'SiteRegistered',
  'SiteOnboardingStarted',
  'SiteActivated',
  'SitePaused',
  'SiteSuspended',
  'SiteCeased',
  'ResourceCalendarSet',
  'CalendarExceptionAdded',
  'CalendarExceptionWithdrawn',
  'UnitRegistered',
  'UnitQualificationChanged',
  'UnitDeployed',
  'UnitRecalled',
  'BankHolidaysDeclared',
];

export interface HistoryEntry {
  readonly state: string;
  readonly at: string;
  readonly reason: string | null;
}


/** One event's effect on the inputs. */
export type CapacityChange =
  | { readonly kind: 'siteRegistered'; readonly siteCode: string; readonly timeZone: string; readonly entry: HistoryEntry }
  | { readonly kind: 'siteStatus'; readonly siteCode: string; readonly entry: HistoryEntry }
  | { readonly kind: 'calendarSet'; readonly siteCode: string; readonly resource: string; readonly calendar: ResourceCalendar }
  | { readonly kind: 'exceptionAdded'; readonly exception: CalendarException }
  | { readonly kind: 'exceptionWithdrawn'; readonly exceptionId: string; readonly owner: CalendarOwner }
  | { readonly kind: 'unitRegistered'; readonly unitId: string; readonly siteCode: string; readonly batchCapacity: number; readonly recordedAt: Date; readonly entry: HistoryEntry }
  | { readonly kind: 'unitQualification'; readonly unitId: string; readonly entry: HistoryEntry }
  | { readonly kind: 'unitDeployed'; readonly unitId: string; readonly deployment: Deployment }
  | { readonly kind: 'bankHolidays'; readonly region: string; readonly dates: readonly LocalDate[] };

export function capacityChangeOf(event: RecordedAs<CapacityInputEvent>): CapacityChange {
  const at = event.recordedAt.toISOString();
  switch (event.type) {
    case 'SiteRegistered':
      return { kind: 'siteRegistered', siteCode: event.data.code, timeZone: event.data.timeZone, entry: { state: 'PROPOSED', at, reason: null } };
    case 'ResourceCalendarSet':
      return { kind: 'calendarSet', siteCode: event.data.siteCode, resource: event.data.resource, calendar: event.data };
    case 'CalendarExceptionAdded':
      return { kind: 'exceptionAdded', exception: event.data };
    case 'CalendarExceptionWithdrawn':
      return { kind: 'exceptionWithdrawn', exceptionId: event.data.exceptionId, owner: event.data.owner };
    case 'UnitRegistered': {
      const d = event.data;
      // Laid out from when the clock says it was registered; older events only have the log's own time.
      const registeredAt = d.registeredAt ? new Date(d.registeredAt) : event.recordedAt;
      return { kind: 'unitRegistered', unitId: d.unitId, siteCode: d.homeSiteCode, batchCapacity: d.batchCapacity, recordedAt: registeredAt, entry: { state: 'REQUALIFYING', at, reason: 'newly registered' } };
    }
    case 'UnitQualificationChanged':
      return { kind: 'unitQualification', unitId: event.data.unitId, entry: { state: event.data.to, at, reason: event.data.reason } };
    case 'UnitDeployed':
    case 'UnitRecalled':
      return { kind: 'unitDeployed', unitId: event.data.unitId, deployment: deploymentOf(event) };
    case 'BankHolidaysDeclared':
      return { kind: 'bankHolidays', region: event.data.region, dates: event.data.dates as readonly LocalDate[] };
    case 'SiteOnboardingStarted':
    case 'SiteActivated':
    case 'SitePaused':
    case 'SiteSuspended':
    case 'SiteCeased':
      return { kind: 'siteStatus', siteCode: event.data.code, entry: { state: SITE_TRANSITIONS[SITE_STATUS_EVENTS[event.type]].to, at, reason: event.data.reason ?? null } };
  }
}

/** A unit's batch slots start on the day it was registered, in its home site's time zone. */
export const unitRegisteredDay = (recordedAt: Date, siteTimeZone: string | undefined): LocalDate => localDateOf(recordedAt, siteTimeZone ?? NETWORK_TIME_ZONE);

export interface CapacitySiteInput {
  readonly siteCode: string;
  readonly timeZone: string;
  readonly statusHistory: readonly HistoryEntry[];
}

export interface CapacityUnitInput {
  readonly unitId: string;
  readonly siteCode: string;
  readonly batchCapacity: number;
  readonly registeredDay: LocalDate;
  readonly qualificationHistory: readonly HistoryEntry[];
  /** Deployments in force, in order: its slots belong to the site it is at each day, and close while it moves. */
  readonly deployments: readonly DeploymentData[];
}

export interface CapacityCalendarInput {
  readonly siteCode: string;
  readonly resource: string;
  readonly calendar: ResourceCalendar;
}

/** The inputs of the resources to lay out (and of their sites). */
export interface CapacityInputs {
  readonly sites: ReadonlyMap<string, CapacitySiteInput>;
  readonly calendars: readonly CapacityCalendarInput[];
  readonly units: readonly CapacityUnitInput[];
  /** Exceptions of those sites and units (others are ignored). */
  readonly exceptions: readonly CalendarException[];
  readonly bankHolidays: ReadonlySet<LocalDate>;
}

/** Spans of the history during which the subject was not in its bookable state. */
function unavailabilityFrom(history: readonly HistoryEntry[], bookable: string, describe: (entry: HistoryEntry) => string): Unavailability[] {
  const spans: Unavailability[] = [];
  history.forEach((entry, i) => {
    if (entry.state === bookable) return;
    const next = history[i + 1];
    spans.push({ from: new Date(entry.at), until: next ? new Date(next.at) : null, reason: describe(entry) });
  });
  return spans;
}

const describeSite = (code: string) => (entry: HistoryEntry) =>
  `Site ${code} is ${entry.state}${entry.reason ? `: ${entry.reason}` : entry.state === 'PROPOSED' || entry.state === 'ONBOARDING' ? ' (not yet active)' : ''}`;
const describeUnit = (id: string) => (entry: HistoryEntry) => `Unit ${id} is ${entry.state}${entry.reason ? `: ${entry.reason}` : ''}`;

/** What each resource's slots are laid out from: its calendar, exceptions, closures and bank holidays. */
export function capacitySources({ sites, calendars, units, exceptions, bankHolidays }: CapacityInputs): CapacitySource[] {
  const sources: CapacitySource[] = [];
  for (const { siteCode, resource, calendar } of calendars) {
    const site = sites.get(siteCode);
    if (!site) continue;
    sources.push({
      resourceKey: siteResourceKey(siteCode, resource),
      siteCode,
      unitId: null,
      resource: calendar.resource,
      timeZone: site.timeZone,
      calendar,
      exceptions: exceptions.filter((e) => e.owner.siteCode === siteCode),
      unavailability: unavailabilityFrom(site.statusHistory, 'ACTIVE', describeSite(siteCode)),
      bankHolidays,
    });
  }
  for (const unit of units) {
    // A mobile unit's days at each site (and on its way) are laid out as that site's (unitStays).
    for (const stay of unitStays(unit.siteCode, unit.registeredDay, unit.deployments)) {
      const site = sites.get(stay.siteCode);
      if (!site) continue;
      const moving: Unavailability[] = stay.moving
        ? [{ from: new Date(-8.64e15), until: null, reason: `Unit ${unit.unitId} is on its way from ${stay.moving.fromSiteCode} to ${stay.siteCode} (tear-down, road, set-up and requalification) until ${stay.until}` }]
        : [];
      sources.push({
        resourceKey: unitResourceKey(unit.unitId),
        siteCode: stay.siteCode,
        unitId: unit.unitId,
        resource: 'MANUFACTURING_BAY',
        timeZone: site.timeZone,
        // Modular units run every day; their batch slots are their capacity.
        calendar: { count: unit.batchCapacity, openingDays: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], sessions: [], openOnBankHolidays: true, effectiveFrom: unit.registeredDay },
        days: { from: stay.from, until: stay.until },
        exceptions: exceptions.filter((e) => e.owner.unitId === unit.unitId),
        unavailability: [
          ...moving,
          ...unavailabilityFrom(unit.qualificationHistory, 'QUALIFIED', describeUnit(unit.unitId)),
          ...unavailabilityFrom(site.statusHistory, 'ACTIVE', describeSite(stay.siteCode)),
        ],
        bankHolidays,
      });
    }
  }
  return sources;
}

/**
 * The inputs folded in memory from events in log order, as the projection keeps them in its tables:
 * the first registration of a site, unit or exception stands (the tables insert ON CONFLICT DO
 * NOTHING), a calendar replaces the last one for its resource, histories grow, withdrawals delete.
 */
export class CapacityInputsFold {
  private readonly sites = new Map<string, { siteCode: string; timeZone: string; statusHistory: HistoryEntry[] }>();
  private readonly units = new Map<string, { unitId: string; siteCode: string; batchCapacity: number; registeredDay: LocalDate; qualificationHistory: HistoryEntry[]; deployments: Deployment[] }>();
  private readonly calendars = new Map<string, CapacityCalendarInput>();
  private readonly exceptions = new Map<string, CalendarException>();
  private readonly holidays = new Map<string, Set<LocalDate>>();

  apply(event: RecordedAs<CapacityInputEvent>): void {
    const change = capacityChangeOf(event);
    switch (change.kind) {
      case 'siteRegistered':
        if (!this.sites.has(change.siteCode)) this.sites.set(change.siteCode, { siteCode: change.siteCode, timeZone: change.timeZone, statusHistory: [change.entry] });
        break;
      case 'siteStatus':
        this.sites.get(change.siteCode)?.statusHistory.push(change.entry);
        break;
      case 'calendarSet':
        this.calendars.set(siteResourceKey(change.siteCode, change.resource), { siteCode: change.siteCode, resource: change.resource, calendar: change.calendar });
        break;
      case 'exceptionAdded':
        if (!this.exceptions.has(change.exception.exceptionId)) this.exceptions.set(change.exception.exceptionId, change.exception);
        break;
      case 'exceptionWithdrawn':
        this.exceptions.delete(change.exceptionId);
        break;
      case 'unitRegistered':
        if (this.units.has(change.unitId)) break;
        this.units.set(change.unitId, {
          unitId: change.unitId,
          siteCode: change.siteCode,
          batchCapacity: change.batchCapacity,
          registeredDay: unitRegisteredDay(change.recordedAt, this.sites.get(change.siteCode)?.timeZone),
          qualificationHistory: [change.entry],
          deployments: [],
        });
        break;
      case 'unitDeployed': {
        const unit = this.units.get(change.unitId);
        if (unit) unit.deployments = applyDeployment(unit.deployments, change.deployment);
        break;
      }
      case 'unitQualification':
        this.units.get(change.unitId)?.qualificationHistory.push(change.entry);
        break;
      case 'bankHolidays': {
        const days = this.holidays.get(change.region) ?? new Set<LocalDate>();
        for (const day of change.dates) days.add(day);
        this.holidays.set(change.region, days);
        break;
      }
    }
  }

  /** Every resource's inputs, as recorded so far. */
  inputs(): CapacityInputs {
    return {
      sites: this.sites,
      calendars: [...this.calendars.values()],
      units: [...this.units.values()],
      exceptions: [...this.exceptions.values()],
      bankHolidays: this.holidays.get(BANK_HOLIDAY_REGION) ?? new Set(),
    };
  }
}
