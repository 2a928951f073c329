import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { requireTrust, trustScope, type Caller } from '@bedside/shared';
import type { StepEntry } from '../domain';
import { pathwayColumns, pathwayRowJson, pathwayRowFromJson, type HoldRow, type PathwayRow } from '../projections/pathway-row';

// The pathways and holds rows belong to their projections; readers take them from there.
export { pathwayColumns, pathwayRowJson, pathwayRowFromJson, type HoldRow, type PathwayRow };

export const KPI_DIMENSIONS = ['PRODUCT', 'TRUST', 'SITE', 'MONTH'] as const;
export type KpiDimension = (typeof KPI_DIMENSIONS)[number];
const DIMENSION_SQL: Record<KpiDimension, string> = {
  PRODUCT: 'product_code',
  TRUST: 'referring_trust',
  SITE: 'infusion_site',
  MONTH: "to_char(infused_at AT TIME ZONE 'Europe/London', 'YYYY-MM')",
};
const DIMENSION_COLUMN: Record<KpiDimension, string> = { PRODUCT: 'product_code', TRUST: 'referring_trust', SITE: 'infusion_site', MONTH: 'month' };

export interface KpiQuery {
  readonly productCode?: string | null;
  readonly referringTrust?: string | null;
  /** Treatment centre where patients were infused. */
  readonly treatmentSite?: string | null;
  /** Infusions from and to these days (UK dates, inclusive). */
  readonly from?: string | null;
  readonly to?: string | null;
}

export interface TimelineRow {
  product_code: string | null;
  referring_trust: string | null;
  infusion_site: string | null;
  month: string | null;
  infused: number;
  v2v_median: number;
  v2v_p90: number;
  r2i_median: number;
  r2i_p90: number;
}

export interface KpiFigures {
  timelines: TimelineRow[];
  byStatus: { status: string; count: number }[];
  waitlist: { length: number; median_days: number | null; longest_days: number | null };
}

@Injectable()
export class PathwayReads {
  constructor(private readonly dataSource: DataSource) {}

  async pathway(coi: string): Promise<PathwayRow | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT ${pathwayColumns()}
         FROM pathways WHERE coi = $1`,
      [coi],
    );
    return row;
  }

  async hold(holdId: string): Promise<HoldRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM holds WHERE hold_id = $1', [holdId]);
    return row;
  }

  /** Several pathways' rows at once (no access check: for Bedside's own feeds and checked callers). */
  pathways(cois: readonly string[]): Promise<PathwayRow[]> {
    return this.dataSource.query(`SELECT ${pathwayColumns()} FROM pathways WHERE coi = ANY($1)`, [cois]);
  }

  /** Each pathway's clinical steps as corrected (issue 14 §3), by Chain of Identity; callers have checked access to the pathways. */
  async recordedSteps(cois: readonly string[]): Promise<(readonly StepEntry[] | Error)[]> {
    const rows: { coi: string; steps: StepEntry[] }[] = await this.dataSource.query('SELECT coi, steps FROM pathways WHERE coi = ANY($1)', [[...new Set(cois)]]);
    const byCoi = new Map(rows.map((r) => [r.coi, r.steps]));
    return cois.map((coi) => byCoi.get(coi) ?? []);
  }

  /** A pathway the caller may see (a scheduler: their own trusts' only); undefined when there is none. */
  async visiblePathway(coi: string, caller: Caller): Promise<PathwayRow | undefined> {
    const row = await this.pathway(coi);
    if (row) requireTrust(caller, row.referring_trust, 'see pathways');
    return row;
  }

  /** Pathways in COI order after a cursor, `limit + 1` of them, filtered; a scheduler's limited to their trusts. */
  list(filter: { status?: string | null; referringTrust?: string | null; productCode?: string | null }, limit: number, afterCoi: string | undefined, caller: Caller): Promise<PathwayRow[]> {
    const scope = trustScope(caller);
    if (filter.referringTrust) requireTrust(caller, filter.referringTrust, 'list pathways');
    return this.dataSource.query(
      `SELECT ${pathwayColumns()}
         FROM pathways
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR referring_trust = $2) AND ($3::text IS NULL OR product_code = $3)
          AND ($4::text IS NULL OR coi > $4) AND ($6::text[] IS NULL OR referring_trust = ANY($6))
        ORDER BY coi LIMIT $5`,
      [filter.status ?? null, filter.referringTrust?.toUpperCase() ?? null, filter.productCode?.toUpperCase() ?? null, afterCoi ?? null, limit + 1, scope],
    );
  }

  /**
   * Vein-to-vein (end of collection to infusion) and referral-to-infusion days, median and 90th centile
   * (linear interpolation, as percentile_cont), grouped by the dimensions asked for; pathways by status;
   * the waitlist; and booked share of capacity by resource over a window.
   */
  async kpis(filter: KpiQuery, groupBy: readonly KpiDimension[], now: Date): Promise<KpiFigures> {
    const params = [filter.productCode?.toUpperCase() ?? null, filter.referringTrust?.toUpperCase() ?? null, filter.treatmentSite?.toUpperCase() ?? null, filter.from ?? null, filter.to ?? null];
    const dims = KPI_DIMENSIONS.filter((d) => groupBy.includes(d));
    const select = KPI_DIMENSIONS.map((d) => `${dims.includes(d) ? DIMENSION_SQL[d] : 'NULL::text'} AS ${DIMENSION_COLUMN[d]}`).join(', ');
    const group = dims.length > 0 ? `GROUP BY ${dims.map((d) => DIMENSION_SQL[d]).join(', ')} ORDER BY ${dims.map((d) => DIMENSION_SQL[d]).join(', ')}` : '';
    const timelines = await this.dataSource.query(
      `WITH infused AS (
         SELECT product_code, referring_trust, progress->>'infusionSite' AS infusion_site, (progress->>'infusedAt')::timestamptz AS infused_at,
                (progress->>'collectedAt')::timestamptz AS collected_at, referred_at
           FROM pathways
          WHERE progress->>'infusedAt' IS NOT NULL AND ($1::text IS NULL OR product_code = $1) AND ($2::text IS NULL OR referring_trust = $2)
            AND ($3::text IS NULL OR progress->>'infusionSite' = $3)
            AND ($4::date IS NULL OR ((progress->>'infusedAt')::timestamptz AT TIME ZONE 'Europe/London')::date >= $4)
            AND ($5::date IS NULL OR ((progress->>'infusedAt')::timestamptz AT TIME ZONE 'Europe/London')::date <= $5))
       SELECT ${select}, count(*)::int AS infused,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM infused_at - collected_at) / 86400)::float AS v2v_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM infused_at - collected_at) / 86400)::float AS v2v_p90,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM infused_at - referred_at) / 86400)::float AS r2i_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM infused_at - referred_at) / 86400)::float AS r2i_p90
         FROM infused ${group}`,
      params,
    );
    const byStatus = await this.dataSource.query(
      `SELECT status, count(*)::int AS count FROM pathways
        WHERE ($1::text IS NULL OR product_code = $1) AND ($2::text IS NULL OR referring_trust = $2) GROUP BY status ORDER BY status`,
      params.slice(0, 2),
    );
    const [waitlist] = await this.dataSource.query(
      `SELECT count(*)::int AS length,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM $3::timestamptz - waitlisted_at) / 86400)::float AS median_days,
              max(extract(epoch FROM $3::timestamptz - waitlisted_at) / 86400)::float AS longest_days
         FROM pathways WHERE waitlisted_at IS NOT NULL AND status = 'REFERRED'
          AND ($1::text IS NULL OR product_code = $1) AND ($2::text IS NULL OR referring_trust = $2)`,
      [...params.slice(0, 2), now],
    );
    return { timelines: timelines.filter((t: { infused: number }) => t.infused > 0), byStatus, waitlist };
  }

  /** Holds past their time at `now` and still in force, oldest first. */
  expiredHolds(now: Date, limit: number): Promise<{ hold_id: string }[]> {
    return this.dataSource.query(`SELECT hold_id FROM holds WHERE status = 'HELD' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`, [now, limit]);
  }
}
