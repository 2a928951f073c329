import { addDays, ValidationError, type LocalDate } from '@bedside/shared';

/**
 * What a move of a mobile unit costs, in whole days (issue 13 §1 and §3; docs/domain.md "Surge", "What a
 * move costs"). The surge optimiser counts a planned move with it, and a deployment will lay out the
 * unit's capacity with it, so a plan the optimiser proposes is one a deployment can make real.
 */
export interface UnitMove {
  /** Days taking the unit down where it is: it offers nothing there from the first of them. */
  readonly tearDownDays: number;
  /** Days on the road (travelDaysFor turns the travel table's hours into days). */
  readonly travelDays: number;
  /** Days setting it up where it goes. */
  readonly setUpDays: number;
  /**
   * Days requalifying it there before released product flows: an aseptic process is requalified by media
   * fills, three runs each incubated at least 14 days, so about 17 to 21; 0 when a move needs none.
   */
  readonly requalificationDays: number;
}

/** The most requalification a move may take, in days (issue 13 §2: a parameter from 0 to 21). */
export const MAX_REQUALIFICATION_DAYS = 21;

/**
 * Days a unit is lost to a move: tear-down, road, set-up and requalification, and at least the day it
 * leaves, since a unit on the road that day fills and manufactures nowhere.
 */
export function daysLostMoving(move: UnitMove): number {
  for (const field of ['tearDownDays', 'travelDays', 'setUpDays', 'requalificationDays'] as const) {
    const days = move[field];
    if (!Number.isInteger(days) || days < 0) throw new ValidationError(field, `${field} must be a whole number of days, 0 or more (got ${days}).`);
  }
  if (move.requalificationDays > MAX_REQUALIFICATION_DAYS) {
    throw new ValidationError('requalificationDays', `Requalification after a move takes 0 to ${MAX_REQUALIFICATION_DAYS} days (a full media-fill requalification is about 17 to 21).`);
  }
  return Math.max(1, move.tearDownDays + move.travelDays + move.setUpDays + move.requalificationDays);
}

/** The travel table's hours by road as days on the road: any journey takes the day it is made, a longer one a day per 24 hours begun. */
export function travelDaysFor(hours: number): number {
  if (!Number.isFinite(hours) || hours < 0) throw new ValidationError('travelHours', `Travel takes 0 hours or more (got ${hours}).`);
  return Math.max(1, Math.ceil(hours / 24));
}

/** The first day a unit that stops offering capacity on `leavesOn` (its tear-down's first day) offers it where it goes. */
export function availableAfterMove(leavesOn: LocalDate, move: UnitMove): LocalDate {
  return addDays(leavesOn, daysLostMoving(move));
}
