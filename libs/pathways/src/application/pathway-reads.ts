import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface PathwayRow {
  coi: string;
  patient_ref: string;
  referring_trust: string;
  product_code: string;
  dmmf_version: number;
  treatment_centre: string | null;
  status: string;
  progress: { product?: string; patient?: string } | null;
  priority: string;
  washout: { drugClass: string; lastDoseDate: string | null; days: number };
  earliest_collection_date: string;
  clinical_deadline: string | null;
  hold_id: string | null;
  hold_expires_at: Date | null;
  referred_at: Date;
  stream_version: number;
}

export interface HoldRow {
  hold_id: string;
  coi: string;
  status: string;
  slots: { resourceKey: string; day: string; session: string }[];
  expires_at: Date;
}

@Injectable()
export class PathwayReads {
  constructor(private readonly dataSource: DataSource) {}

  async pathway(coi: string): Promise<PathwayRow | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT *, to_char(earliest_collection_date, 'YYYY-MM-DD') AS earliest_collection_date, to_char(clinical_deadline, 'YYYY-MM-DD') AS clinical_deadline
         FROM pathways WHERE coi = $1`,
      [coi],
    );
    return row;
  }

  async hold(holdId: string): Promise<HoldRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM holds WHERE hold_id = $1', [holdId]);
    return row;
  }

  /** Pathways in COI order after a cursor, `limit + 1` of them, filtered. */
  list(filter: { status?: string | null; referringTrust?: string | null; productCode?: string | null }, limit: number, afterCoi?: string): Promise<PathwayRow[]> {
    return this.dataSource.query(
      `SELECT *, to_char(earliest_collection_date, 'YYYY-MM-DD') AS earliest_collection_date, to_char(clinical_deadline, 'YYYY-MM-DD') AS clinical_deadline
         FROM pathways
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR referring_trust = $2) AND ($3::text IS NULL OR product_code = $3)
          AND ($4::text IS NULL OR coi > $4)
        ORDER BY coi LIMIT $5`,
      [filter.status ?? null, filter.referringTrust?.toUpperCase() ?? null, filter.productCode?.toUpperCase() ?? null, afterCoi ?? null, limit + 1],
    );
  }

  /**
   * Vein-to-vein (collection to infusion) and referral-to-infusion days, median and 90th centile,
   * by product, trust and month of infusion; and pathways by status.
   */
  async kpis(filter: { productCode?: string | null; referringTrust?: string | null }): Promise<{
    timelines: { product_code: string; referring_trust: string; month: string; infused: number; v2v_median: number; v2v_p90: number; r2i_median: number; r2i_p90: number }[];
    byStatus: { status: string; count: number }[];
    waitlist: { length: number; median_days: number | null; longest_days: number | null };
  }> {
    const params = [filter.productCode?.toUpperCase() ?? null, filter.referringTrust?.toUpperCase() ?? null];
    const timelines = await this.dataSource.query(
      `WITH infused AS (
         SELECT product_code, referring_trust, (progress->>'infusedAt')::timestamptz AS infused_at,
                (progress->>'collectedAt')::timestamptz AS collected_at, referred_at
           FROM pathways
          WHERE progress->>'infusedAt' IS NOT NULL AND ($1::text IS NULL OR product_code = $1) AND ($2::text IS NULL OR referring_trust = $2))
       SELECT product_code, referring_trust, to_char(infused_at AT TIME ZONE 'Europe/London', 'YYYY-MM') AS month, count(*)::int AS infused,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM infused_at - collected_at) / 86400)::float AS v2v_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM infused_at - collected_at) / 86400)::float AS v2v_p90,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM infused_at - referred_at) / 86400)::float AS r2i_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM infused_at - referred_at) / 86400)::float AS r2i_p90
         FROM infused GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      params,
    );
    const byStatus = await this.dataSource.query(
      `SELECT status, count(*)::int AS count FROM pathways
        WHERE ($1::text IS NULL OR product_code = $1) AND ($2::text IS NULL OR referring_trust = $2) GROUP BY status ORDER BY status`,
      params,
    );
    const [waitlist] = await this.dataSource.query(
      `SELECT count(*)::int AS length,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM now() - waitlisted_at) / 86400)::float AS median_days,
              max(extract(epoch FROM now() - waitlisted_at) / 86400)::float AS longest_days
         FROM pathways WHERE waitlisted_at IS NOT NULL AND status = 'REFERRED'
          AND ($1::text IS NULL OR product_code = $1) AND ($2::text IS NULL OR referring_trust = $2)`,
      params,
    );
    return { timelines, byStatus, waitlist };
  }

  /** Holds past their time and still in force, oldest first. */
  expiredHolds(limit: number): Promise<{ hold_id: string }[]> {
    return this.dataSource.query(`SELECT hold_id FROM holds WHERE status = 'HELD' AND expires_at <= now() ORDER BY expires_at LIMIT $1`, [limit]);
  }
}
