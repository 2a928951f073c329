import { eventClass, ConflictError, daysBetween, optionalReason, type LocalDate } from '@bedside/shared';
import type { Pathway, Priority } from './pathway';

/**
 * Transparent waitlist priority (domain.md: allocation is opaque today; US centres publish scores).
 * Every input is shown with the score: clinical priority, days on the list, and closeness of the
 * clinical deadline. Weights are defaults a network can change, not clinical facts.
 */
export const WAITLIST_WEIGHTS = {
  priority: { EMERGENCY: 100, URGENT: 50, ROUTINE: 10 } as Record<Priority, number>,
  perDayWaiting: 1,
  /** Points per day inside the last 30 days before the deadline (and past it). */
  perDayNearDeadline: 2,
  deadlineWindowDays: 30,
};

export interface ScoreInputs {
  readonly priority: Priority;
  readonly daysWaiting: number;
  readonly daysToDeadline: number | null;
}

export interface Score extends ScoreInputs {
  readonly score: number;
  readonly priorityPoints: number;
  readonly waitingPoints: number;
  readonly deadlinePoints: number;
}

export function waitlistScore(priority: Priority, joinedOn: LocalDate, deadline: LocalDate | null, today: LocalDate): Score {
  const daysWaiting = Math.max(0, daysBetween(joinedOn, today));
  const daysToDeadline = deadline ? daysBetween(today, deadline) : null;
  const priorityPoints = WAITLIST_WEIGHTS.priority[priority];
  const waitingPoints = daysWaiting * WAITLIST_WEIGHTS.perDayWaiting;
  const deadlinePoints = daysToDeadline === null ? 0 : Math.max(0, WAITLIST_WEIGHTS.deadlineWindowDays - daysToDeadline) * WAITLIST_WEIGHTS.perDayNearDeadline;
  return { priority, daysWaiting, daysToDeadline, priorityPoints, waitingPoints, deadlinePoints, score: priorityPoints + waitingPoints + deadlinePoints };
}

/** `joinedAt`: when, by Bedside's clock (absent before 2026-12: the event's recorded instant then). */
export class WaitlistJoined extends eventClass<'WaitlistJoined', { readonly coi: string; readonly productCode: string; readonly reason: string; readonly joinedAt?: string }>('WaitlistJoined') {}

/**
 * A pathway joins the waitlist when no plan meets its clinical deadline (or no plan fits at all).
 * `bestInfusionDay` is the earliest infusion the plan search found now, or null for none.
 */
export function joinWaitlist(pathway: Pathway, deadline: LocalDate | null, bestInfusionDay: LocalDate | null, rawReason: string | null | undefined, onList: boolean, now: Date): WaitlistJoined[] {
  if (onList) throw new ConflictError(`Pathway ${pathway.coi} is already on the waitlist.`, { coi: pathway.coi });
  if (pathway.status !== 'REFERRED') {
    throw new ConflictError(`Pathway ${pathway.coi} already has a plan ${pathway.status === 'BOOKED' ? 'booked' : 'on hold'}; only referred pathways wait.`, { coi: pathway.coi });
  }
  if (bestInfusionDay && (!deadline || bestInfusionDay <= deadline)) {
    throw new ConflictError(
      `A plan infusing on ${bestInfusionDay} ${deadline ? `meets the clinical deadline of ${deadline}` : 'is available'}: hold and book it instead of waiting.`,
      { coi: pathway.coi, bestInfusionDay },
    );
  }
  const reason =
    optionalReason(rawReason) ??
    (bestInfusionDay ? `Earliest plan infuses on ${bestInfusionDay}, after the clinical deadline of ${deadline}` : 'No plan fits within the planning horizon');
  return [new WaitlistJoined({ coi: pathway.coi, productCode: pathway.productCode, reason, joinedAt: now.toISOString() })];
}
