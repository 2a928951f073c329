import { siteActionsFrom } from '../domain';
import type { SiteRecord } from '../projections/site-record.entity';
import type { Site } from './site.types';

export function toSite(record: SiteRecord): Site {
  return {
    code: record.code,
    name: record.name,
    kind: record.kind,
    status: record.status,
    timeZone: record.timeZone,
    location: { latitude: record.latitude, longitude: record.longitude },
    region: record.region ?? null,
    trustCode: record.trustCode,
    address: record.address,
    changesOpen: siteActionsFrom(record.status).map((c) => ({ ...c, action: c.action.toUpperCase() as Uppercase<typeof c.action> })),
    statusReason: record.statusReason,
    statusChangedAt: record.statusChangedAt,
    statusChangedBy: record.statusChangedBy,
    registeredAt: record.registeredAt,
    registeredBy: record.registeredBy,
    version: record.streamVersion,
  };
}
