import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '@bedside/event-store';
import { upsertRows, type Projection } from '@bedside/read-model';
import type { DmmfRow, UnitRow } from '../application/network-read-model';
import type { DmmfVersionPublishedData, TravelTimeData, UnitQualificationChangedData, UnitRegisteredData } from '../domain';

/**
 * Folds one event of a unit's stream into its `modular_units` row. Used by the projection and, for
 * `asOf` reads, directly on the stream, so both show a unit the same way. An event the row already
 * reflects changes nothing.
 */
export function applyUnitEvent(row: UnitRow | undefined, event: RecordedEvent): UnitRow | undefined {
  if (event.type === 'UnitRegistered') {
    const d = event.data as unknown as UnitRegisteredData;
    return {
      unit_id: d.unitId,
      name: d.name,
      kind: d.kind,
      mobility: d.mobility,
      batch_capacity: d.batchCapacity,
      home_site_code: d.homeSiteCode,
      current_site_code: d.homeSiteCode,
      qualification: 'REQUALIFYING',
      qualification_reason: 'Newly registered: to be qualified',
      qualification_changed_at: event.recordedAt,
      fill_finish: (d.fillFinish ?? null) as UnitRow['fill_finish'],
      registered_at: event.recordedAt,
      registered_by: event.metadata.actor,
      stream_version: event.streamPosition,
    };
  }
  if (event.type !== 'UnitQualificationChanged' || !row || row.stream_version >= event.streamPosition) return row;
  const d = event.data as unknown as UnitQualificationChangedData;
  return { ...row, qualification: d.to, qualification_reason: d.reason, qualification_changed_at: event.recordedAt, stream_version: event.streamPosition };
}

/** A published DMMF version as its `dmmf_versions` row (projection and `asOf` reads alike). */
export function dmmfRowOf(event: RecordedEvent): DmmfRow {
  const d = event.data as unknown as DmmfVersionPublishedData;
  return {
    product_code: d.productCode,
    version: d.version,
    name: d.process.name,
    process: d.process,
    designated_site_codes: [...d.designation.siteCodes],
    designated_unit_ids: [...d.designation.unitIds],
    reason: d.reason,
    published_at: event.recordedAt,
    published_by: event.metadata.actor,
  };
}

/** `modular_units`: every unit with its qualification state. */
export class ModularUnitsProjection implements Projection {
  readonly name = 'modular-units';
  readonly tables = ['modular_units'];
  readonly eventTypes = ['UnitRegistered', 'UnitQualificationChanged'];

  async apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void> {
    const ids = [...new Set(events.map((e) => (e.data as { unitId: string }).unitId))];
    const existing: Record<string, unknown>[] = await manager.query('SELECT * FROM modular_units WHERE unit_id = ANY($1)', [ids]);
    const rows = new Map(existing.map((r) => [r.unit_id as string, r as unknown as UnitRow]));
    for (const event of events) {
      const unitId = (event.data as { unitId: string }).unitId;
      const next = applyUnitEvent(rows.get(unitId), event);
      if (next) rows.set(unitId, next);
    }
    await upsertRows(
      manager,
      'modular_units',
      {
        unit_id: 'text',
        name: 'text',
        kind: 'text',
        mobility: 'text',
        batch_capacity: 'integer',
        home_site_code: 'text',
        current_site_code: 'text',
        qualification: 'text',
        qualification_reason: 'text',
        qualification_changed_at: 'timestamptz',
        fill_finish: 'jsonb',
        registered_at: 'timestamptz',
        registered_by: 'text',
        stream_version: 'integer',
      },
      ['unit_id'],
      [...rows.values()],
    );
  }
}

/** `dmmf_versions`: every published version, never changed afterwards. */
export class DmmfVersionsProjection implements Projection {
  readonly name = 'dmmf-versions';
  readonly tables = ['dmmf_versions'];
  readonly eventTypes = ['DmmfVersionPublished'];

  async apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void> {
    const rows = events.map(dmmfRowOf);
    await upsertRows(
      manager,
      'dmmf_versions',
      {
        product_code: 'text',
        version: 'integer',
        name: 'text',
        process: 'jsonb',
        designated_site_codes: 'text[]',
        designated_unit_ids: 'text[]',
        reason: 'text',
        published_at: 'timestamptz',
        published_by: 'text',
      },
      ['product_code', 'version'],
      rows,
    );
  }
}

/** `travel_times`: hours between sites, stored both ways for simple lookups. */
export class TravelTimesProjection implements Projection {
  readonly name = 'travel-times';
  readonly tables = ['travel_times'];
  readonly eventTypes = ['TravelTimeSet'];

  async apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void> {
    const rows = new Map<string, object>();
    for (const event of events) {
      const d = event.data as unknown as TravelTimeData;
      for (const [from, to] of [
        [d.fromSiteCode, d.toSiteCode],
        [d.toSiteCode, d.fromSiteCode],
      ] as const) {
        rows.set(`${from}>${to}`, { from_site_code: from, to_site_code: to, hours: d.hours, fresh_courier: d.freshCourier, recorded_at: event.recordedAt });
      }
    }
    await upsertRows(
      manager,
      'travel_times',
      { from_site_code: 'text', to_site_code: 'text', hours: 'double precision', fresh_courier: 'boolean', recorded_at: 'timestamptz' },
      ['from_site_code', 'to_site_code'],
      [...rows.values()],
    );
  }
}

