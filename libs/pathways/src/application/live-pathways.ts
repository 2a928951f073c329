import { Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LiveUpdates } from '@bedside/read-model';
import { pathwayColumns, type PathwayRow } from './pathway-reads';
import { AtRiskPathways } from './repair';

export const PATHWAY_CHANGED = 'PATHWAY_CHANGED';
export const AT_RISK_CHANGED = 'AT_RISK_CHANGED';

/** One pathway's row after a batch changed it, with what happened. */
export interface PathwayChangePayload {
  readonly row: PathwayRow;
  readonly eventTypes: readonly string[];
  readonly recordedAt: Date;
}

/** A pathway newly at risk (or with new reasons), or no longer at risk. */
export interface AtRiskChangePayload {
  readonly row: PathwayRow;
  readonly flagged: boolean;
  readonly reasons: readonly string[];
}

/**
 * Feeds for the pathway subscriptions: every committed `pathways` batch becomes one change per
 * pathway, and any batch that can change what is at risk (bookings, capacity, progress) is compared
 * with the at-risk list before it, so subscribers hear of flags as they are raised and cleared.
 */
@Injectable()
export class LivePathways implements OnModuleInit, OnApplicationBootstrap {
  private atRiskBefore = new Map<string, string>();

  constructor(
    private readonly live: LiveUpdates,
    private readonly dataSource: DataSource,
    private readonly atRisk: AtRiskPathways,
  ) {}

  onModuleInit(): void {
    this.live.feed(['pathways'], PATHWAY_CHANGED, async (events) => {
      const byCoi = new Map<string, { types: string[]; at: Date }>();
      for (const e of events) {
        const coi = (e.data as { coi: string }).coi;
        const entry = byCoi.get(coi) ?? { types: [], at: e.recordedAt };
        entry.types.push(e.type);
        entry.at = e.recordedAt;
        byCoi.set(coi, entry);
      }
      const rows: PathwayRow[] = await this.dataSource.query(`SELECT ${pathwayColumns()} FROM pathways WHERE coi = ANY($1)`, [[...byCoi.keys()]]);
      return rows.map((row): PathwayChangePayload => ({ row, eventTypes: byCoi.get(row.coi)!.types, recordedAt: byCoi.get(row.coi)!.at }));
    });
    this.live.feed(['pathways', 'holds', 'capacity', 'capacity-commitments'], AT_RISK_CHANGED, async () => {
      const now = new Map((await this.atRisk.all(false)).map((e) => [e.pathway.coi, { row: e.pathway, reasons: e.reasons }] as const));
      const changes: AtRiskChangePayload[] = [];
      for (const [coi, { row, reasons }] of now) if (this.atRiskBefore.get(coi) !== reasons.join('\n')) changes.push({ row, flagged: true, reasons });
      const cleared = [...this.atRiskBefore.keys()].filter((coi) => !now.has(coi));
      if (cleared.length > 0) {
        const rows: PathwayRow[] = await this.dataSource.query(`SELECT ${pathwayColumns()} FROM pathways WHERE coi = ANY($1)`, [cleared]);
        for (const row of rows) changes.push({ row, flagged: false, reasons: [] });
      }
      this.atRiskBefore = new Map([...now].map(([coi, { reasons }]) => [coi, reasons.join('\n')]));
      return changes;
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // What is at risk already is not news: only changes from here on are published.
    this.atRiskBefore = new Map((await this.atRisk.all(false)).map((e) => [e.pathway.coi, e.reasons.join('\n')]));
  }
}
