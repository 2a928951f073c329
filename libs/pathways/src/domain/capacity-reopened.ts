import type { CalendarExceptionWithdrawn, ResourceCalendarSet, SiteActivated, UnitQualificationChanged } from '@bedside/network';
import type { HoldReleased } from './hold';

/**
 * Which events of the log give capacity back, and how to say so (issue 11 §8: the waitlist is offered
 * reopened capacity, not only released holds). A withdrawn or postponed pathway frees its places when
 * its booking is released (releaseHold, acceptRepair), which is a HoldReleased.
 */
export type CapacityReopeningEvent = HoldReleased | CalendarExceptionWithdrawn | UnitQualificationChanged | SiteActivated | ResourceCalendarSet;

export const CAPACITY_REOPENING_EVENT_TYPES: readonly CapacityReopeningEvent['type'][] = [
  'HoldReleased',
  'CalendarExceptionWithdrawn',
  'UnitQualificationChanged',
  'SiteActivated',
  'ResourceCalendarSet',
];

/** What the event freed, in words for the audit trail, or null if it freed nothing. */
export function capacityReopenedBy(event: CapacityReopeningEvent): string | null {
  const why = (reason: string | undefined) => (reason?.trim() ? ` (${reason.trim()})` : '');
  switch (event.type) {
    case 'HoldReleased':
      return event.data.expired ? `hold ${event.data.holdId} lapsed` : `hold ${event.data.holdId} was released${why(event.data.reason)}`;
    case 'CalendarExceptionWithdrawn': {
      const { owner } = event.data;
      return `calendar exception ${event.data.exceptionId} of ${owner.unitId ? `unit ${owner.unitId}` : `site ${owner.siteCode}`} was withdrawn${why(event.data.reason)}`;
    }
    case 'UnitQualificationChanged':
      // Only a unit coming back into service: a change between two unbookable states frees nothing.
      return event.data.to === 'QUALIFIED' && event.data.from !== 'QUALIFIED' ? `unit ${event.data.unitId} was requalified${why(event.data.reason)}` : null;
    case 'SiteActivated':
      return `site ${event.data.code} was ${event.data.from === 'PAUSED' || event.data.from === 'SUSPENDED' ? 'reactivated' : 'activated'}${why(event.data.reason)}`;
    case 'ResourceCalendarSet':
      return `the ${event.data.resource.toLowerCase().replace(/_/g, ' ')} calendar of site ${event.data.siteCode} was set (${event.data.count} from ${event.data.effectiveFrom})`;
  }
}
