import { Injectable, type OnModuleInit } from '@nestjs/common';
import { recordedOfTypes } from '@bedside/event-store';
import { LiveUpdates } from '@bedside/read-model';
import type { AtRiskFlagEvent, PathwayEvent } from '../domain';
import { AT_RISK_FLAG_EVENT_TYPES } from '../projections/at-risk-flags.projection';
import { PATHWAY_EVENT_TYPES } from '../projections/pathway.projections';
import { PathwayReads, type PathwayRow } from './pathway-reads';

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
 * pathway, and every at-risk flag recorded or cleared (by AtRiskDetection, issue 12 §5) becomes one
 * at-risk change once the `at-risk-flags` read model shows it. The flags come from the log, so every
 * server tells its subscribers the same flags, once each, also those recorded while it was down.
 */
@Injectable()
export class LivePathways implements OnModuleInit {
  constructor(
    private readonly live: LiveUpdates,
    private readonly reads: PathwayReads,
  ) {}

  onModuleInit(): void {
    this.live.feed(['pathways'], PATHWAY_CHANGED, async (events) => {
      const byCoi = new Map<string, { types: string[]; at: Date }>();
      for (const e of recordedOfTypes<PathwayEvent>(events, PATHWAY_EVENT_TYPES)) {
        const coi = e.data.coi;
        const entry = byCoi.get(coi) ?? { types: [], at: e.recordedAt };
        entry.types.push(e.type);
        entry.at = e.recordedAt;
        byCoi.set(coi, entry);
      }
      const rows = await this.reads.pathways([...byCoi.keys()]);
      return rows.map((row): PathwayChangePayload => ({ row, eventTypes: byCoi.get(row.coi)!.types, recordedAt: byCoi.get(row.coi)!.at }));
    });
    this.live.feed(['at-risk-flags'], AT_RISK_CHANGED, async (events) => {
      const flags = recordedOfTypes<AtRiskFlagEvent>(events, AT_RISK_FLAG_EVENT_TYPES);
      const rows = new Map((await this.reads.pathways([...new Set(flags.map((e) => e.data.coi))])).map((row) => [row.coi, row]));
      return flags.flatMap((e): AtRiskChangePayload[] => {
        const row = rows.get(e.data.coi);
        if (!row) return [];
        return [e.type === 'PathwayFlaggedAtRisk' ? { row, flagged: true, reasons: e.data.reasons } : { row, flagged: false, reasons: [] }];
      });
    });
  }
}
