import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { recordedOfTypes } from '@bedside/event-store';
import { LiveUpdates } from '@bedside/read-model';
import type { PathwayEvent } from '../domain';
import { PATHWAY_EVENT_TYPES } from '../projections/pathway.projections';
import { PathwayReads, type PathwayRow } from './pathway-reads';
import { AtRiskPathways } from './repair';

export const PATHWAY_CHANGED = 'PATHWAY_CHANGED';
export const AT_RISK_CHANGED = 'AT_RISK_CHANGED';
/** How long after a relevant batch the at-risk list is worked out again (batches meanwhile join in). */
const AT_RISK_SETTLE_MS = 200;

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
export class LivePathways implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LivePathways');
  private atRiskBefore = new Map<string, string>();
  private pending: NodeJS.Timeout | null = null;
  private recomputing: Promise<void> = Promise.resolve();

  constructor(
    private readonly live: LiveUpdates,
    private readonly reads: PathwayReads,
    private readonly atRisk: AtRiskPathways,
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
    // The at-risk list is worked out again at most every AT_RISK_SETTLE_MS, not after every batch: under
    // a stream of bookings that would be a full at-risk query per batch.
    this.live.feed(['pathways', 'holds', 'capacity', 'capacity-commitments'], AT_RISK_CHANGED, async () => {
      this.recomputeSoon();
      return [];
    });
  }

  private recomputeSoon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.recomputing = this.recomputing
        .then(() => this.atRiskChanges())
        .then(async (changes) => {
          for (const change of changes) await this.live.publishNow(AT_RISK_CHANGED, change);
        })
        .catch((error: unknown) => this.logger.error(`could not work out at-risk changes: ${(error as Error).message}`));
    }, AT_RISK_SETTLE_MS);
  }

  private async atRiskChanges(): Promise<AtRiskChangePayload[]> {
    const now = new Map((await this.atRisk.all(false)).map((e) => [e.pathway.coi, { row: e.pathway, reasons: e.reasons }] as const));
    const changes: AtRiskChangePayload[] = [];
    for (const [coi, { row, reasons }] of now) if (this.atRiskBefore.get(coi) !== reasons.join('\n')) changes.push({ row, flagged: true, reasons });
    const cleared = [...this.atRiskBefore.keys()].filter((coi) => !now.has(coi));
    if (cleared.length > 0) {
      const rows = await this.reads.pathways(cleared);
      for (const row of rows) changes.push({ row, flagged: false, reasons: [] });
    }
    this.atRiskBefore = new Map([...now].map(([coi, { reasons }]) => [coi, reasons.join('\n')]));
    return changes;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    await this.recomputing;
  }

  async onApplicationBootstrap(): Promise<void> {
    // What is at risk already is not news: only changes from here on are published.
    this.atRiskBefore = new Map((await this.atRisk.all(false)).map((e) => [e.pathway.coi, e.reasons.join('\n')]));
  }
}
