import { In, type EntityManager } from 'typeorm';
import type { RecordedAs } from '@bedside/event-store';
import type { Projection } from '@bedside/read-model';
import { SITE_TRANSITIONS, type SiteAction, type SiteEvent, type SiteStatusEvent } from '../domain';
import { SiteRecord } from './site-record.entity';

const ACTION_BY_EVENT: Readonly<Record<SiteStatusEvent['type'], SiteAction>> = {
  SiteOnboardingStarted: 'onboard',
  SiteActivated: 'activate',
  SitePaused: 'pause',
  SiteSuspended: 'suspend',
  SiteCeased: 'cease',
};

export const SITE_DIRECTORY_EVENT_TYPES: readonly SiteEvent['type'][] = ['SiteRegistered', 'SiteOnboardingStarted', 'SiteActivated', 'SitePaused', 'SiteSuspended', 'SiteCeased', 'SiteRegionSet'];

/**
 * Folds one event of a site's stream into its directory row. Used by the projection and, for
 * `asOf` reads, directly on the stream, so both show a site the same way.
 */
export function applySiteEvent(row: SiteRecord | undefined, event: RecordedAs<SiteEvent>): SiteRecord | undefined {
  if (event.type === 'SiteRegistered') {
    const data = event.data;
    return Object.assign(new SiteRecord(), {
      code: data.code,
      name: data.name,
      kind: data.kind,
      status: 'PROPOSED',
      timeZone: data.timeZone,
      latitude: data.location.latitude,
      longitude: data.location.longitude,
      region: data.region ?? null,
      trustCode: data.trustCode ?? null,
      address: data.address ?? null,
      statusReason: null,
      statusChangedAt: event.recordedAt,
      statusChangedBy: event.metadata.actor,
      registeredAt: event.recordedAt,
      registeredBy: event.metadata.actor,
      streamVersion: event.streamPosition,
    } satisfies SiteRecord);
  }
  if (!row) return row;
  if (event.type === 'SiteRegionSet') return Object.assign(new SiteRecord(), row, { region: event.data.to, streamVersion: event.streamPosition });
  return Object.assign(new SiteRecord(), row, {
    status: SITE_TRANSITIONS[ACTION_BY_EVENT[event.type]].to,
    statusReason: event.data.reason ?? null,
    statusChangedAt: event.recordedAt,
    statusChangedBy: event.metadata.actor,
    streamVersion: event.streamPosition,
  });
}

/** The `sites` table: every registered site with its current lifecycle status. */
export class SiteDirectoryProjection implements Projection<SiteEvent> {
  readonly name = 'site-directory';
  readonly tables = ['sites'];
  readonly eventTypes = SITE_DIRECTORY_EVENT_TYPES;

  async apply(events: readonly RecordedAs<SiteEvent>[], manager: EntityManager): Promise<void> {
    const codes = [...new Set(events.map((e) => e.data.code))];
    const existing = await manager.find(SiteRecord, { where: { code: In(codes) } });
    const rows = new Map(existing.map((row) => [row.code, row]));
    const changed = new Set<string>();
    for (const event of events) {
      const code = event.data.code;
      const row = rows.get(code);
      // A second guard beside the checkpoint: an event the row already reflects changes nothing.
      if (row && event.streamPosition <= row.streamVersion) continue;
      const next = applySiteEvent(row, event);
      if (next) {
        rows.set(code, next);
        changed.add(code);
      }
    }
    if (changed.size === 0) return;
    // One statement per batch, whatever its size: rebuilds replay the whole log.
    await manager.query(
      `INSERT INTO sites (code, name, kind, status, time_zone, latitude, longitude, region, trust_code, address, status_reason,
                          status_changed_at, status_changed_by, registered_at, registered_by, stream_version)
       SELECT code, name, kind, status, "timeZone", latitude, longitude, region, "trustCode", address, "statusReason",
              "statusChangedAt", "statusChangedBy", "registeredAt", "registeredBy", "streamVersion"
         FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text, kind text, status text, "timeZone" text,
              latitude double precision, longitude double precision, region text, "trustCode" text, address text, "statusReason" text,
              "statusChangedAt" timestamptz, "statusChangedBy" text, "registeredAt" timestamptz, "registeredBy" text,
              "streamVersion" integer)
       ON CONFLICT (code) DO UPDATE SET
         name = excluded.name, kind = excluded.kind, status = excluded.status, time_zone = excluded.time_zone,
         latitude = excluded.latitude, longitude = excluded.longitude, region = excluded.region, trust_code = excluded.trust_code,
         address = excluded.address, status_reason = excluded.status_reason,
         status_changed_at = excluded.status_changed_at, status_changed_by = excluded.status_changed_by,
         stream_version = excluded.stream_version`,
      [JSON.stringify([...changed].map((code) => rows.get(code)))],
    );
  }
}
