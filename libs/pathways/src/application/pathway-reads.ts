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

  /** Holds past their time and still in force, oldest first. */
  expiredHolds(limit: number): Promise<{ hold_id: string }[]> {
    return this.dataSource.query(`SELECT hold_id FROM holds WHERE status = 'HELD' AND expires_at <= now() ORDER BY expires_at LIMIT $1`, [limit]);
  }
}
