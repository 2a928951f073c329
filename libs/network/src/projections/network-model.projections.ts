import type { EntityManager } from 'typeorm';
import type { RecordedAs } from '@bedside/event-store';
import { upsertRows, type Projection } from '@bedside/read-model';
import { applyDeployment, deploymentOf, type Deployment, type DmmfEvent, type DistrictTravelTimesSet, type ProductProcess, type TravelTimeSet, type UnitEvent } from '../domain';

/** A row of `modular_units`, owned by `ModularUnitsProjection` (readers import it from here). */
export interface UnitRow {
  unit_id: string;
  name: string;
  kind: string;
  mobility: string;
  batch_capacity: number;
  home_site_code: string;
  /** Where it was registered; where it is on a day follows `deployments` (siteOn). */
  qualification: string;
  qualification_reason: string | null;
  qualification_changed_at: Date;
  fill_finish: Record<string, number> | null;
  registered_at: Date;
  registered_by: string;
  stream_version: number;
  /** Deployments in force, in order (docs/domain.md "Deployments"). */
  deployments: Deployment[];
}

/** A row of `dmmf_versions`, owned by `DmmfVersionsProjection`. */
export interface DmmfRow {
  product_code: string;
  version: number;
  name: string;
  process: ProductProcess;
  designated_site_codes: string[];
  designated_unit_ids: string[];
  reason: string;
  published_at: Date;
  published_by: string;
}

export const UNIT_EVENT_TYPES: readonly UnitEvent['type'][] = ['UnitRegistered', 'UnitQualificationChanged', 'UnitDeployed', 'UnitRecalled'];
export const DMMF_EVENT_TYPES: readonly DmmfEvent['type'][] = ['DmmfVersionPublished'];

/**
 * Folds one event of a unit's stream into its `modular_units` row. Used by the projection and, for
 * `asOf` reads, directly on the stream, so both show a unit the same way. An event the row already
 * reflects changes nothing.
 */
export function applyUnitEvent(row: UnitRow | undefined, event: RecordedAs<UnitEvent>): UnitRow | undefined {
  if (event.type === 'UnitRegistered') {
    const d = event.data;
    return {
      unit_id: d.unitId,
      name: d.name,
      kind: d.kind,
      mobility: d.mobility,
      batch_capacity: d.batchCapacity,
      home_site_code: d.homeSiteCode,
      qualification: 'REQUALIFYING',
      qualification_reason: 'Newly registered: to be qualified',
      qualification_changed_at: event.recordedAt,
      fill_finish: (d.fillFinish ?? null) as UnitRow['fill_finish'],
      registered_at: event.recordedAt,
      registered_by: event.metadata.actor,
      stream_version: event.streamPosition,
      deployments: [],
    };
  }
  if (!row || row.stream_version >= event.streamPosition) return row;
  if (event.type === 'UnitDeployed' || event.type === 'UnitRecalled') {
    return { ...row, deployments: applyDeployment(row.deployments, deploymentOf(event)), stream_version: event.streamPosition };
  }
  const d = event.data;
  return { ...row, qualification: d.to, qualification_reason: d.reason, qualification_changed_at: event.recordedAt, stream_version: event.streamPosition };
}

/** A published DMMF version as its `dmmf_versions` row (projection and `asOf` reads alike). */
export function dmmfRowOf(event: RecordedAs<DmmfEvent>): DmmfRow {
  const d = event.data;
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
export class ModularUnitsProjection implements Projection<UnitEvent> {
  readonly name = 'modular-units';
  readonly tables = ['modular_units'];
  readonly eventTypes = UNIT_EVENT_TYPES;

  async apply(events: readonly RecordedAs<UnitEvent>[], manager: EntityManager): Promise<void> {
    const ids = [...new Set(events.map((e) => e.data.unitId))];
    const existing: UnitRow[] = await manager.query('SELECT * FROM modular_units WHERE unit_id = ANY($1)', [ids]);
    const rows = new Map(existing.map((r) => [r.unit_id, r]));
    for (const event of events) {
      const unitId = event.data.unitId;
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
        qualification: 'text',
        qualification_reason: 'text',
        qualification_changed_at: 'timestamptz',
        fill_finish: 'jsonb',
        registered_at: 'timestamptz',
        registered_by: 'text',
        stream_version: 'integer',
        deployments: 'jsonb',
      },
      ['unit_id'],
      [...rows.values()],
    );
  }
}

/** `dmmf_versions`: every published version, never changed afterwards. */
export class DmmfVersionsProjection implements Projection<DmmfEvent> {
  readonly name = 'dmmf-versions';
  readonly tables = ['dmmf_versions'];
  readonly eventTypes = DMMF_EVENT_TYPES;

  async apply(events: readonly RecordedAs<DmmfEvent>[], manager: EntityManager): Promise<void> {
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
export class TravelTimesProjection implements Projection<TravelTimeSet> {
  readonly name = 'travel-times';
  readonly tables = ['travel_times'];
  readonly eventTypes: readonly TravelTimeSet['type'][] = ['TravelTimeSet'];

  async apply(events: readonly RecordedAs<TravelTimeSet>[], manager: EntityManager): Promise<void> {
    const rows = new Map<string, object>();
    for (const event of events) {
      const d = event.data;
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


/** `district_travel_times`: minutes from postcode districts to treatment centres (issue 14 §4); later times replace earlier. */
export class DistrictTravelTimesProjection implements Projection<DistrictTravelTimesSet> {
  readonly name = 'district-travel-times';
  readonly tables = ['district_travel_times'];
  readonly eventTypes: readonly DistrictTravelTimesSet['type'][] = ['DistrictTravelTimesSet'];

  async apply(events: readonly RecordedAs<DistrictTravelTimesSet>[], manager: EntityManager): Promise<void> {
    const rows = new Map<string, object>();
    for (const event of events) {
      for (const t of event.data.times) rows.set(`${t.district}>${event.data.siteCode}`, { district: t.district, site_code: event.data.siteCode, minutes: t.minutes, recorded_at: event.recordedAt });
    }
    await upsertRows(manager, 'district_travel_times', { district: 'text', site_code: 'text', minutes: 'integer', recorded_at: 'timestamptz' }, ['district', 'site_code'], [...rows.values()]);
  }
}
