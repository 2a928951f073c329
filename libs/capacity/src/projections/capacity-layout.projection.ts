import type { EntityManager } from 'typeorm';
import type { RecordedAs } from '@bedside/event-store';
import { applyDeployment, expandCapacity, type CalendarException, type CapacitySlot, type Deployment, type DeploymentData } from '@bedside/network';
import { upsertRows, type Projection } from '@bedside/read-model';
import { siteResourceKey } from '../domain/slot';
import { LAYOUT_PROJECTION } from './capacity-rows';
import {
  BANK_HOLIDAY_REGION,
  CAPACITY_INPUT_EVENT_TYPES,
  capacityChangeOf,
  capacitySources,
  unitRegisteredDay,
  type CapacityInputEvent,
  type CapacityCalendarInput,
  type CapacitySiteInput,
  type CapacityUnitInput,
  type HistoryEntry,
} from './capacity-inputs';

/**
 * Live capacity: free and closed capacity per resource, per day and session. Its inputs (site
 * status, calendars, exceptions, unit qualification, bank holidays) are kept in small tables; any
 * change lays out the affected resources' slots again from them, so the order events arrive in
 * cannot leave capacity wrong or negative.
 */
export class CapacityProjection implements Projection<CapacityInputEvent> {
  readonly name = LAYOUT_PROJECTION;
  readonly tables = ['capacity_sites', 'capacity_units', 'capacity_calendars', 'capacity_exceptions', 'bank_holidays', 'capacity_slots'];
  readonly eventTypes = CAPACITY_INPUT_EVENT_TYPES;

  async apply(events: readonly RecordedAs<CapacityInputEvent>[], manager: EntityManager): Promise<void> {
    const sites = new Set<string>();
    const siteResources = new Set<string>();
    const units = new Set<string>();
    let everySite = false;
    for (const event of events) {
      const change = capacityChangeOf(event);
      switch (change.kind) {
        case 'siteRegistered':
          await manager.query(
            `INSERT INTO capacity_sites (site_code, time_zone, status_history) VALUES ($1, $2, $3) ON CONFLICT (site_code) DO NOTHING`,
            [change.siteCode, change.timeZone, JSON.stringify([change.entry])],
          );
          break;
        case 'calendarSet':
          await upsertRows(manager, 'capacity_calendars', { site_code: 'text', resource: 'text', calendar: 'jsonb' }, ['site_code', 'resource'], [
            { site_code: change.siteCode, resource: change.resource, calendar: change.calendar },
          ]);
          siteResources.add(siteResourceKey(change.siteCode, change.resource));
          break;
        case 'exceptionAdded':
        case 'exceptionWithdrawn': {
          const owner = change.kind === 'exceptionAdded' ? change.exception.owner : change.owner;
          if (change.kind === 'exceptionAdded') {
            const { exception } = change;
            await manager.query(
              `INSERT INTO capacity_exceptions (exception_id, site_code, unit_id, exception) VALUES ($1, $2, $3, $4) ON CONFLICT (exception_id) DO NOTHING`,
              [exception.exceptionId, exception.owner.siteCode ?? null, exception.owner.unitId ?? null, JSON.stringify(exception)],
            );
          } else {
            await manager.query('DELETE FROM capacity_exceptions WHERE exception_id = $1', [change.exceptionId]);
          }
          if (owner.unitId) units.add(owner.unitId);
          else sites.add(owner.siteCode!);
          break;
        }
        case 'unitRegistered': {
          const [site] = await manager.query('SELECT time_zone FROM capacity_sites WHERE site_code = $1', [change.siteCode]);
          await manager.query(
            `INSERT INTO capacity_units (unit_id, site_code, batch_capacity, registered_day, qualification_history)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit_id) DO NOTHING`,
            [change.unitId, change.siteCode, change.batchCapacity, unitRegisteredDay(change.recordedAt, site?.time_zone), JSON.stringify([change.entry])],
          );
          units.add(change.unitId);
          break;
        }
        case 'unitQualification':
          await manager.query(`UPDATE capacity_units SET qualification_history = qualification_history || $2::jsonb WHERE unit_id = $1`, [
            change.unitId,
            JSON.stringify([change.entry]),
          ]);
          units.add(change.unitId);
          break;
        case 'unitDeployed': {
          const [row]: { deployments: Deployment[] }[] = await manager.query('SELECT deployments FROM capacity_units WHERE unit_id = $1', [change.unitId]);
          if (!row) break;
          await manager.query('UPDATE capacity_units SET deployments = $2 WHERE unit_id = $1', [change.unitId, JSON.stringify(applyDeployment(row.deployments, change.deployment))]);
          units.add(change.unitId);
          break;
        }
        case 'bankHolidays':
          await manager.query(`INSERT INTO bank_holidays (region, day) SELECT $1, unnest($2::date[]) ON CONFLICT DO NOTHING`, [change.region, change.dates]);
          everySite = true;
          break;
        case 'siteStatus':
          await manager.query(`UPDATE capacity_sites SET status_history = status_history || $2::jsonb WHERE site_code = $1`, [change.siteCode, JSON.stringify([change.entry])]);
          sites.add(change.siteCode);
          break;
      }
    }
    await this.layOut(manager, { sites: everySite ? null : sites, siteResources, units });
  }

  /** Lays out again the slots of every resource touched: whole sites (with their units), single resources, units. */
  private async layOut(manager: EntityManager, touched: { sites: Set<string> | null; siteResources: Set<string>; units: Set<string> }): Promise<void> {
    const siteFilter = touched.sites === null ? null : [...touched.sites];
    const calendars: { site_code: string; resource: string; calendar: CapacityCalendarInput['calendar'] }[] = await manager.query(
      `SELECT site_code, resource, calendar FROM capacity_calendars
        WHERE $1::text[] IS NULL OR site_code = ANY($1) OR ('site:' || site_code || ':' || resource) = ANY($2)`,
      [siteFilter, [...touched.siteResources]],
    );
    // A site's units are those registered there and those deployed there at any time.
    const unitRows: { unit_id: string; site_code: string; batch_capacity: number; registered_day: string; qualification_history: HistoryEntry[]; deployments: DeploymentData[] }[] =
      await manager.query(
        `SELECT unit_id, site_code, batch_capacity, to_char(registered_day, 'YYYY-MM-DD') AS registered_day, qualification_history, deployments
           FROM capacity_units
          WHERE unit_id = ANY($1) OR $2::text[] IS NULL OR site_code = ANY($2)
             OR EXISTS (SELECT 1 FROM jsonb_array_elements(deployments) d WHERE d->>'toSiteCode' = ANY($2))`,
        [[...touched.units], siteFilter],
      );
    if (calendars.length === 0 && unitRows.length === 0) return;
    const siteCodes = [...new Set([...calendars.map((c) => c.site_code), ...unitRows.flatMap((u) => [u.site_code, ...u.deployments.map((d) => d.toSiteCode)])])];
    const siteRows: { site_code: string; time_zone: string; status_history: HistoryEntry[] }[] = await manager.query(
      'SELECT site_code, time_zone, status_history FROM capacity_sites WHERE site_code = ANY($1)',
      [siteCodes],
    );
    const exceptions: { exception: CalendarException }[] = await manager.query(
      'SELECT exception FROM capacity_exceptions WHERE site_code = ANY($1) OR unit_id = ANY($2)',
      [siteCodes, unitRows.map((u) => u.unit_id)],
    );
    const holidays: { day: string }[] = await manager.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM bank_holidays WHERE region = $1`, [BANK_HOLIDAY_REGION]);
    const sources = capacitySources({
      sites: new Map(siteRows.map((s): [string, CapacitySiteInput] => [s.site_code, { siteCode: s.site_code, timeZone: s.time_zone, statusHistory: s.status_history }])),
      calendars: calendars.map((c): CapacityCalendarInput => ({ siteCode: c.site_code, resource: c.resource, calendar: c.calendar })),
      units: unitRows.map(
        (u): CapacityUnitInput => ({ unitId: u.unit_id, siteCode: u.site_code, batchCapacity: u.batch_capacity, registeredDay: u.registered_day, qualificationHistory: u.qualification_history, deployments: u.deployments }),
      ),
      exceptions: exceptions.map((e) => e.exception),
      bankHolidays: new Set(holidays.map((h) => h.day)),
    });
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
