import type { EntityManager } from 'typeorm';
import type { RecordedAs } from '@bedside/event-store';
import type { Projection } from '@bedside/read-model';
import type { AtRiskFlagEvent } from '../domain';

export const AT_RISK_FLAG_EVENT_TYPES: readonly AtRiskFlagEvent['type'][] = ['PathwayFlaggedAtRisk', 'PathwayAtRiskCleared'];

/**
 * `at_risk_flags`: the pathways Bedside has flagged at risk and not cleared, with the reasons recorded.
 * The at-risk reactor compares the at-risk list with it to find what changed; the streams stay the
 * record (a flag is decided on its stream, at its version), so a row behind the log costs a read, never a wrong write.
 */
export class AtRiskFlagsProjection implements Projection<AtRiskFlagEvent> {
  readonly name = 'at-risk-flags';
  readonly tables = ['at_risk_flags'];
  readonly eventTypes = AT_RISK_FLAG_EVENT_TYPES;

  async apply(events: readonly RecordedAs<AtRiskFlagEvent>[], manager: EntityManager): Promise<void> {
    // The last event of each pathway in the batch decides its row.
    const last = new Map<string, RecordedAs<AtRiskFlagEvent>>();
    for (const event of events) last.set(event.data.coi, event);
    const flagged = [...last.values()].flatMap((e) => (e.type === 'PathwayFlaggedAtRisk' ? [{ coi: e.data.coi, reasons: e.data.reasons, flagged_at: e.recordedAt }] : []));
    const cleared = [...last.values()].filter((e) => e.type === 'PathwayAtRiskCleared').map((e) => e.data.coi);
    if (flagged.length > 0) {
      await manager.query(
        `INSERT INTO at_risk_flags (coi, reasons, flagged_at)
         SELECT coi, ARRAY(SELECT jsonb_array_elements_text(reasons)), flagged_at FROM jsonb_to_recordset($1::jsonb) AS r(coi text, reasons jsonb, flagged_at timestamptz)
         ON CONFLICT (coi) DO UPDATE SET reasons = excluded.reasons, flagged_at = excluded.flagged_at`,
        [JSON.stringify(flagged)],
      );
    }
    if (cleared.length > 0) await manager.query('DELETE FROM at_risk_flags WHERE coi = ANY($1)', [cleared]);
  }
}
