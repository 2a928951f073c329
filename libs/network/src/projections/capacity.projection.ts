import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '@bedside/event-store';
import { upsertRows, type Projection } from '@bedside/read-model';
import { localDateOf } from '@bedside/shared';
import {
  expandCapacity,
  SITE_TRANSITIONS,
  type CalendarException,
  type CapacitySlot,
  type CapacitySource,
  type ResourceCalendar,
  type SiteAction,
  type SiteRegisteredData,
  type SiteStatusChangedData,
  type Unavailability,
  type UnitQualificationChangedData,
  type UnitRegisteredData,
} from '../domain';

/** Bank holidays of this region close site calendars (per-site regions are not modelled yet: README). */
export const BANK_HOLIDAY_REGION = 'england-and-wales';

const SITE_STATUS_EVENTS: Readonly<Record<string, SiteAction>> = {
  SiteOnboardingStarted: 'onboard',
  SiteActivated: 'activate',
  SitePaused: 'pause',
  SiteSuspended: 'suspend',
  SiteCeased: 'cease',
};

interface HistoryEntry {
  readonly state: string;
  readonly at: string;
  readonly reason: string | null;
}

export const siteResourceKey = (siteCode: string, resource: string) => `site:${siteCode}:${resource}`;
export const unitResourceKey = (unitId: string) => `unit:${unitId}`;

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

/**
 * Live capacity: free and closed capacity per resource, per day and session. Its inputs (site
 * status, calendars, exceptions, unit qualification, bank holidays) are kept in small tables; any
 * change lays out the affected resources' slots again from them, so the order events arrive in
 * cannot leave capacity wrong or negative.
 */
export class CapacityProjection implements Projection {
  readonly name = 'capacity';
  readonly tables = ['capacity_sites', 'capacity_units', 'capacity_calendars', 'capacity_exceptions', 'bank_holidays', 'capacity_slots'];
  readonly eventTypes = [
    'SiteRegistered',
    ...Object.keys(SITE_STATUS_EVENTS),
    'ResourceCalendarSet',
    'CalendarExceptionAdded',
    'CalendarExceptionWithdrawn',
    'UnitRegistered',
    'UnitQualificationChanged',
    'BankHolidaysDeclared',
  ];

  async apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void> {
    const sites = new Set<string>();
    const siteResources = new Set<string>();
    const units = new Set<string>();
    let everySite = false;
    for (const event of events) {
      const at = event.recordedAt.toISOString();
      const data = event.data as Record<string, unknown>;
      switch (event.type) {
        case 'SiteRegistered': {
          const d = data as unknown as SiteRegisteredData;
          const history: HistoryEntry[] = [{ state: 'PROPOSED', at, reason: null }];
          await manager.query(
            `INSERT INTO capacity_sites (site_code, time_zone, status_history) VALUES ($1, $2, $3) ON CONFLICT (site_code) DO NOTHING`,
            [d.code, d.timeZone, JSON.stringify(history)],
          );
          break;
        }
        case 'ResourceCalendarSet':
          await upsertRows(manager, 'capacity_calendars', { site_code: 'text', resource: 'text', calendar: 'jsonb' }, ['site_code', 'resource'], [
            { site_code: data.siteCode, resource: data.resource, calendar: data },
          ]);
          siteResources.add(siteResourceKey(data.siteCode as string, data.resource as string));
          break;
        case 'CalendarExceptionAdded':
        case 'CalendarExceptionWithdrawn': {
          const exception = data as unknown as CalendarException;
          if (event.type === 'CalendarExceptionAdded') {
            await manager.query(
              `INSERT INTO capacity_exceptions (exception_id, site_code, unit_id, exception) VALUES ($1, $2, $3, $4) ON CONFLICT (exception_id) DO NOTHING`,
              [exception.exceptionId, exception.owner.siteCode ?? null, exception.owner.unitId ?? null, JSON.stringify(exception)],
            );
          } else {
            await manager.query('DELETE FROM capacity_exceptions WHERE exception_id = $1', [exception.exceptionId]);
          }
          if (exception.owner.unitId) units.add(exception.owner.unitId);
          else sites.add(exception.owner.siteCode!);
          break;
        }
        case 'UnitRegistered': {
          const d = data as unknown as UnitRegisteredData;
          const [site] = await manager.query('SELECT time_zone FROM capacity_sites WHERE site_code = $1', [d.homeSiteCode]);
          const day = localDateOf(event.recordedAt, site?.time_zone ?? 'Europe/London');
          await manager.query(
            `INSERT INTO capacity_units (unit_id, site_code, batch_capacity, registered_day, qualification_history)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit_id) DO NOTHING`,
            [d.unitId, d.homeSiteCode, d.batchCapacity, day, JSON.stringify([{ state: 'REQUALIFYING', at, reason: 'newly registered' }])],
          );
          units.add(d.unitId);
          break;
        }
        case 'UnitQualificationChanged': {
          const d = data as unknown as UnitQualificationChangedData;
          await manager.query(`UPDATE capacity_units SET qualification_history = qualification_history || $2::jsonb WHERE unit_id = $1`, [
            d.unitId,
            JSON.stringify([{ state: d.to, at, reason: d.reason }]),
          ]);
          units.add(d.unitId);
          break;
        }
        case 'BankHolidaysDeclared': {
          const { region, dates } = data as { region: string; dates: string[] };
          await manager.query(`INSERT INTO bank_holidays (region, day) SELECT $1, unnest($2::date[]) ON CONFLICT DO NOTHING`, [region, dates]);
          everySite = true;
          break;
        }
        default: {
          const action = SITE_STATUS_EVENTS[event.type];
          if (!action) break;
          const d = data as unknown as SiteStatusChangedData;
          const entry: HistoryEntry = { state: SITE_TRANSITIONS[action].to, at, reason: d.reason ?? null };
          await manager.query(`UPDATE capacity_sites SET status_history = status_history || $2::jsonb WHERE site_code = $1`, [d.code, JSON.stringify([entry])]);
          sites.add(d.code);
        }
      }
    }
    await this.layOut(manager, { sites: everySite ? null : sites, siteResources, units });
  }

  /** Lays out again the slots of every resource touched: whole sites (with their units), single resources, units. */
  private async layOut(manager: EntityManager, touched: { sites: Set<string> | null; siteResources: Set<string>; units: Set<string> }): Promise<void> {
    const siteFilter = touched.sites === null ? null : [...touched.sites];
    const calendars: { site_code: string; resource: string; calendar: ResourceCalendar }[] = await manager.query(
      `SELECT site_code, resource, calendar FROM capacity_calendars
        WHERE $1::text[] IS NULL OR site_code = ANY($1) OR ('site:' || site_code || ':' || resource) = ANY($2)`,
      [siteFilter, [...touched.siteResources]],
    );
    const unitRows: { unit_id: string; site_code: string; batch_capacity: number; registered_day: string; qualification_history: HistoryEntry[] }[] =
      await manager.query(
        `SELECT unit_id, site_code, batch_capacity, to_char(registered_day, 'YYYY-MM-DD') AS registered_day, qualification_history
           FROM capacity_units WHERE unit_id = ANY($1) OR $2::text[] IS NULL OR site_code = ANY($2)`,
        [[...touched.units], siteFilter],
      );
    if (calendars.length === 0 && unitRows.length === 0) return;
    const siteCodes = [...new Set([...calendars.map((c) => c.site_code), ...unitRows.map((u) => u.site_code)])];
    const siteRows: { site_code: string; time_zone: string; status_history: HistoryEntry[] }[] = await manager.query(
      'SELECT site_code, time_zone, status_history FROM capacity_sites WHERE site_code = ANY($1)',
      [siteCodes],
    );
    const sitesByCode = new Map(siteRows.map((s) => [s.site_code, s]));
    const exceptions: { exception: CalendarException }[] = await manager.query(
      'SELECT exception FROM capacity_exceptions WHERE site_code = ANY($1) OR unit_id = ANY($2)',
      [siteCodes, unitRows.map((u) => u.unit_id)],
    );
    const holidays: { day: string }[] = await manager.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM bank_holidays WHERE region = $1`, [BANK_HOLIDAY_REGION]);
    const bankHolidays = new Set(holidays.map((h) => h.day));

    const sources: CapacitySource[] = [];
    for (const { site_code, resource, calendar } of calendars) {
      const site = sitesByCode.get(site_code);
      if (!site) continue;
      sources.push({
        resourceKey: siteResourceKey(site_code, resource),
        siteCode: site_code,
        unitId: null,
        resource: calendar.resource,
        timeZone: site.time_zone,
        calendar,
        exceptions: exceptions.map((e) => e.exception).filter((e) => e.owner.siteCode === site_code),
        unavailability: unavailabilityFrom(site.status_history, 'ACTIVE', describeSite(site_code)),
        bankHolidays,
      });
    }
    for (const unit of unitRows) {
      const site = sitesByCode.get(unit.site_code);
      if (!site) continue;
      sources.push({
        resourceKey: unitResourceKey(unit.unit_id),
        siteCode: unit.site_code,
        unitId: unit.unit_id,
        resource: 'MANUFACTURING_BAY',
        timeZone: site.time_zone,
        // Modular units run every day; their batch slots are their capacity.
        calendar: { count: unit.batch_capacity, openingDays: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], sessions: [], openOnBankHolidays: true, effectiveFrom: unit.registered_day },
        exceptions: exceptions.map((e) => e.exception).filter((e) => e.owner.unitId === unit.unit_id),
        unavailability: [
          ...unavailabilityFrom(unit.qualification_history, 'QUALIFIED', describeUnit(unit.unit_id)),
          ...unavailabilityFrom(site.status_history, 'ACTIVE', describeSite(unit.site_code)),
        ],
        bankHolidays,
      });
    }
    await manager.query('DELETE FROM capacity_slots WHERE resource_key = ANY($1)', [sources.map((s) => s.resourceKey)]);
    let chunk: CapacitySlot[] = [];
    for (const source of sources) {
      chunk.push(...expandCapacity(source));
      if (chunk.length >= 5000) {
        await insertSlots(manager, chunk);
        chunk = [];
      }
    }
    await insertSlots(manager, chunk);
  }
}

async function insertSlots(manager: EntityManager, slots: readonly CapacitySlot[]): Promise<void> {
  if (slots.length === 0) return;
  await manager.query(
    `INSERT INTO capacity_slots (resource_key, day, session, site_code, unit_id, resource, starts_at, ends_at, nominal, capacity, closed_reason)
     SELECT "resourceKey", day, session, "siteCode", "unitId", resource, "startsAt", "endsAt", nominal, capacity, "closedReason"
       FROM jsonb_to_recordset($1::jsonb) AS r("resourceKey" text, day date, session text, "siteCode" text, "unitId" text, resource text,
            "startsAt" timestamptz, "endsAt" timestamptz, nominal integer, capacity integer, "closedReason" text)`,
    [JSON.stringify(slots)],
  );
}
