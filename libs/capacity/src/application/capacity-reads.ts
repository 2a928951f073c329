import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '@bedside/database';
import type { Resource } from '@bedside/network';
import { appliedKeySql } from '@bedside/read-model';
import type { LocalDate } from '@bedside/shared';
import { slotKey, type SlotRef } from '../domain/slot';
import { LAYOUT_PROJECTION } from '../projections/capacity-rows';

/** A slot as live capacity has it laid out, with the places held and booked on it. */
export interface PlacedSlot extends SlotRef {
  readonly siteCode: string;
  readonly unitId: string | null;
  readonly resource: Resource;
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** What can be booked after exceptions and closures. */
  readonly capacity: number;
  /** Why capacity is below the calendar's, in words. */
  readonly closedReason: string | null;
  readonly committed: number;
  readonly tentative: number;
}

/** The slots asked for that are laid out, keyed by `slotKey`, and where the read models stood then. */
export interface Placed {
  readonly slots: ReadonlyMap<string, PlacedSlot>;
  /** Where the capacity layout stood when these were read (SlotLayoutCache keeps its layout by it). */
  readonly layoutKey: string | null;
  /** Where the read models named in `alsoAppliedKeyOf` stood, read in the same statement. */
  readonly appliedKey: string | null;
}

type PlacedRow = [string, LocalDate, string, string, string | null, Resource, string, string, number, string | null, number, number];

/**
 * The capacity slice's query port (issue 12 §1): everything another slice may ask about places. Its
 * tables (`capacity_slots`, `capacity_commitments` and the layout's inputs) are read nowhere else.
 */
@Injectable()
export class CapacityReads {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The slots named, each as laid out with its held and booked places; a slot with no layout (no
   * calendar that day, beyond the horizon) is left out. One statement, prepared once per connection:
   * holding a plan asks this on every booking.
   */
  async placed(refs: readonly SlotRef[], alsoAppliedKeyOf: readonly string[] = []): Promise<Placed> {
    const [row] = await preparedQuery<{ slots: PlacedRow[] | null; layout_key: string | null; applied_key: string | null }>(
      this.dataSource,
      'capacity_placed_v1',
      `SELECT (SELECT json_agg(json_build_array(s.resource_key, to_char(s.day, 'YYYY-MM-DD'), s.session, s.site_code, s.unit_id, s.resource,
                                                s.starts_at, s.ends_at, s.capacity, s.closed_reason, coalesce(c.committed, 0), coalesce(c.tentative, 0)))
                 FROM capacity_slots s
                 JOIN unnest($1::text[], $2::date[], $3::text[]) AS r(resource_key, day, session) USING (resource_key, day, session)
                 LEFT JOIN capacity_commitments c USING (resource_key, day, session)) AS slots,
              ${appliedKeySql('$4')} AS layout_key, ${appliedKeySql('$5')} AS applied_key`,
      [refs.map((s) => s.resourceKey), refs.map((s) => s.day), refs.map((s) => s.session), [LAYOUT_PROJECTION], alsoAppliedKeyOf],
    );
    const slots = new Map<string, PlacedSlot>();
    for (const [resourceKey, day, session, siteCode, unitId, resource, startsAt, endsAt, capacity, closedReason, committed, tentative] of row?.slots ?? []) {
      const slot: PlacedSlot = { resourceKey, day, session, siteCode, unitId, resource, startsAt: new Date(startsAt), endsAt: new Date(endsAt), capacity, closedReason, committed, tentative };
      slots.set(slotKey(slot), slot);
    }
    return { slots, layoutKey: row?.layout_key ?? null, appliedKey: row?.applied_key ?? null };
  }

  /** Sites whose calendars have every one of these resources and that are ACTIVE now (treatment centres, for the plan search). */
  async sitesWithEvery(resources: readonly string[]): Promise<string[]> {
    const rows: { site_code: string }[] = await this.dataSource.query(
      `SELECT c.site_code FROM capacity_calendars c JOIN capacity_sites s USING (site_code)
        WHERE s.status_history->-1->>'state' = 'ACTIVE' AND c.resource = ANY($1)
        GROUP BY c.site_code HAVING count(DISTINCT c.resource) = $2 ORDER BY c.site_code`,
      [resources, new Set(resources).size],
    );
    return rows.map((r) => r.site_code);
  }

  /** Booked and held share of every kind of capacity in the network over the days given. */
  utilisationByResource(from: LocalDate, to: LocalDate): Promise<{ resource: string; capacity: number; committed: number; tentative: number }[]> {
    return this.dataSource.query(
      `SELECT s.resource, sum(s.capacity)::int AS capacity, coalesce(sum(c.committed), 0)::float8 AS committed, coalesce(sum(c.tentative), 0)::float8 AS tentative
         FROM capacity_slots s LEFT JOIN capacity_commitments c USING (resource_key, day, session)
        WHERE s.day BETWEEN $1 AND $2 GROUP BY s.resource ORDER BY s.resource`,
      [from, to],
    );
  }

  /**
   * The units whose capacity is homed at these sites, with the point in the log the layout reflects
   * (read in one snapshot): reads "as of" an instant add the units registered after that point.
   */
  async unitsHomedAt(siteCodes: readonly string[]): Promise<{ unitIds: string[]; transactionId: string | null; position: string | null }> {
    const [known]: { units: string[]; tx: string | null; pos: string | null }[] = await this.dataSource.query(
      `SELECT coalesce((SELECT array_agg(unit_id) FROM capacity_units WHERE site_code = ANY($1)), '{}') AS units,
              c.transaction_id::text AS tx, c.global_position::text AS pos
         FROM (SELECT 1) one LEFT JOIN projection_checkpoints c ON c.name = $2`,
      [siteCodes, LAYOUT_PROJECTION],
    );
    return { unitIds: known!.units, transactionId: known!.tx, position: known!.pos };
  }
}
