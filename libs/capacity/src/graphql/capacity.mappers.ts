import type { CapacityRow, DailyCapacityRow, UtilisationRow as UtilisationRecord } from '../projections/capacity-rows';
import type { CapacitySlot, DailyCapacity, UtilisationRow } from './capacity.types';

export const toCapacitySlot = (r: CapacityRow): CapacitySlot => ({
  siteCode: r.site_code,
  unitId: r.unit_id,
  resource: r.resource,
  day: r.day,
  session: r.session || null,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  nominal: r.nominal,
  capacity: r.capacity,
  committed: r.committed,
  tentative: r.tentative,
  free: r.free,
  freeBusyOnly: r.free_busy_only,
  closedReason: r.closed_reason,
});

export const toUtilisation = (r: UtilisationRecord): UtilisationRow => ({
  siteCode: r.site_code,
  unitId: r.unit_id,
  resource: r.resource,
  capacity: r.capacity,
  committed: r.committed,
  tentative: r.tentative,
  utilisation: r.capacity > 0 ? r.committed / r.capacity : 0,
});


export const toDailyCapacity = (r: DailyCapacityRow): DailyCapacity => ({
  siteCode: r.site_code,
  unitId: r.unit_id,
  resource: r.resource,
  day: r.day,
  nominal: r.nominal,
  capacity: r.capacity,
  free: r.free,
  freeBusyOnly: r.free_busy_only,
  closedReason: r.closed_reason,
});
