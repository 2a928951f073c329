/**
 * Which events of the log give capacity back, and how to say so (issue 11 §8: the waitlist is offered
 * reopened capacity, not only released holds). A withdrawn or postponed pathway frees its places when
 * its booking is released (releaseHold, acceptRepair), which is a HoldReleased.
 */
export const CAPACITY_REOPENING_EVENT_TYPES = [
  'HoldReleased',
  'CalendarExceptionWithdrawn',
  'UnitQualificationChanged',
  'SiteActivated',
  'ResourceCalendarSet',
] as const;

export interface LoggedEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** What the event freed, in words for the audit trail, or null if it freed nothing. */
export function capacityReopenedBy(event: LoggedEvent): string | null {
  // The fields of the events above that say what came back (the log's stored shapes, never renamed).
  const d = event.data as Partial<{
    holdId: string; expired: boolean; reason: string; exceptionId: string; owner: { siteCode?: string; unitId?: string };
    unitId: string; from: string; to: string; code: string; resource: string; siteCode: string; count: number; effectiveFrom: string;
  }>;
  const why = (reason: unknown) => (typeof reason === 'string' && reason.trim() ? ` (${reason.trim()})` : '');
  switch (event.type) {
    case 'HoldReleased':
      return d.expired ? `hold ${d.holdId} lapsed` : `hold ${d.holdId} was released${why(d.reason)}`;
    case 'CalendarExceptionWithdrawn':
      return `calendar exception ${d.exceptionId} of ${d.owner?.unitId ? `unit ${d.owner.unitId}` : `site ${d.owner?.siteCode}`} was withdrawn${why(d.reason)}`;
    case 'UnitQualificationChanged':
      // Only a unit coming back into service: a change between two unbookable states frees nothing.
      return d.to === 'QUALIFIED' && d.from !== 'QUALIFIED' ? `unit ${d.unitId} was requalified${why(d.reason)}` : null;
    case 'SiteActivated':
      return `site ${d.code} was ${d.from === 'PAUSED' || d.from === 'SUSPENDED' ? 'reactivated' : 'activated'}${why(d.reason)}`;
    case 'ResourceCalendarSet':
      return `the ${String(d.resource).toLowerCase().replace(/_/g, ' ')} calendar of site ${d.siteCode} was set (${d.count} from ${d.effectiveFrom})`;
    default:
      return null;
  }
}
