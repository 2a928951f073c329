import { eventClass, type Evolver } from '@bedside/shared';

/**
 * Bedside flagged a pathway at risk (issue 12 §5): its booking no longer holds, for these reasons
 * (in words, as AtRiskPathways gives them). Recorded by the system, not a person; flagged again when
 * the reasons change while it stays at risk.
 */
export class PathwayFlaggedAtRisk extends eventClass<'PathwayFlaggedAtRisk', { readonly coi: string; readonly reasons: readonly string[] }>('PathwayFlaggedAtRisk') {}

/** The pathway's at-risk flag was cleared: its booking holds again (repaired, capacity back, moved on, withdrawn). */
export class PathwayAtRiskCleared extends eventClass<'PathwayAtRiskCleared', { readonly coi: string }>('PathwayAtRiskCleared') {}

export type AtRiskFlagEvent = PathwayFlaggedAtRisk | PathwayAtRiskCleared;

export const AT_RISK_FLAG_EVENT_CLASSES = [PathwayFlaggedAtRisk, PathwayAtRiskCleared] as const;

/**
 * A stream per pathway of its own, not the pathway's stream: recording a flag never conflicts with a
 * scheduler's command on the pathway, and its version lets only one of several servers record each change.
 */
export const atRiskStreamId = (coi: string) => `at-risk-${coi}`;

/** The flag as recorded: the reasons it was flagged for, or null when not flagged (never, or cleared). */
export type AtRiskFlag = readonly string[] | null;

export const atRiskFlagEvolver: Evolver<AtRiskFlag, AtRiskFlagEvent> = {
  initialState: null,
  evolve: (_state, event) => (event.type === 'PathwayFlaggedAtRisk' ? event.data.reasons : null),
};

const sameReasons = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((reason, i) => reason === [...b].sort()[i]);

/**
 * What to record, given the flag recorded so far and the reasons the pathway is at risk now (none:
 * its booking holds): a flag when it is newly at risk or its reasons changed, a clearing when it no
 * longer is, nothing when the record already says so (a second server, or a second look, records nothing).
 */
export function decideAtRiskFlag(coi: string, recorded: AtRiskFlag, reasonsNow: readonly string[]): AtRiskFlagEvent[] {
  if (reasonsNow.length === 0) return recorded ? [new PathwayAtRiskCleared({ coi })] : [];
  if (recorded && sameReasons(recorded, reasonsNow)) return [];
  return [new PathwayFlaggedAtRisk({ coi, reasons: [...reasonsNow] })];
}
