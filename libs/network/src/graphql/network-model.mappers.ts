import type { DmmfRow, UnitRow } from '../application/network-read-model';
import type { CalendarException as CalendarExceptionData, ResourceCalendar as ResourceCalendarData } from '../domain';
import type { CalendarException, Dmmf, ModularUnit, ResourceCalendar, ResourceSchedule } from './network-model.types';

/** `asOf`: the instant the unit was read as of (null: now), which its location then follows. */
export const toUnit = (r: UnitRow, asOf: Date | null = null): ModularUnit => ({
  id: r.unit_id,
  asOf,
  name: r.name,
  kind: r.kind,
  mobility: r.mobility,
  batchCapacity: r.batch_capacity,
  homeSiteCode: r.home_site_code,
  deploymentsInForce: r.deployments ?? [],
  qualification: r.qualification,
  qualificationReason: r.qualification_reason,
  qualificationChangedAt: r.qualification_changed_at,
  fillFinish: (r.fill_finish as unknown as ModularUnit['fillFinish']) ?? null,
  registeredAt: r.registered_at,
  registeredBy: r.registered_by,
  version: r.stream_version,
});

export const toDmmf = (r: DmmfRow): Dmmf => ({
  productCode: r.product_code,
  version: r.version,
  name: r.name,
  process: { ...r.process, conditioningDays: [...r.process.conditioningDays] },
  designation: { siteCodes: r.designated_site_codes, unitIds: r.designated_unit_ids },
  reason: r.reason,
  publishedAt: r.published_at,
  publishedBy: r.published_by,
});

const toException = (e: CalendarExceptionData): CalendarException => ({
  exceptionId: e.exceptionId,
  siteCode: e.owner.siteCode ?? null,
  unitId: e.owner.unitId ?? null,
  resource: e.resource,
  kind: e.kind,
  from: e.from,
  to: e.to,
  unavailable: e.unavailable,
  reason: e.reason,
});

const toSchedule = (c: ResourceCalendarData): ResourceSchedule => ({
  resource: c.resource,
  count: c.count,
  openingDays: [...c.openingDays],
  sessions: c.sessions.map((s) => ({ ...s })),
  openOnBankHolidays: c.openOnBankHolidays,
  effectiveFrom: c.effectiveFrom,
});

export const toResourceCalendar = (
  owner: { siteCode?: string; unitId?: string },
  calendars: readonly ResourceCalendarData[],
  exceptions: readonly CalendarExceptionData[],
): ResourceCalendar => ({
  siteCode: owner.siteCode ?? null,
  unitId: owner.unitId ?? null,
  resources: calendars.map(toSchedule),
  exceptions: exceptions.map(toException),
});
