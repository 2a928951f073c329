import type { ConditioningGate, ProductProcess } from '@bedside/network';
import { fromHundredths, inHundredths } from '@bedside/capacity/domain';
import { addDays, type LocalDate } from '@bedside/shared';

/**
 * Clinical timing rules that both the plan search (plan-search.ts) and the lifecycle (lifecycle.ts)
 * judge: one rule, one place (issue 11 §6). A plan Bedside offers must be one its lifecycle records.
 */

const HOUR_MS = 3_600_000;

/**
 * Fresh starting material must start manufacture within its hold, counted from the START of its
 * first collection session (issue 11 §5): cells collected on Friday and Monday are Friday's cells.
 * Null when the material is cryopreserved (no hold binds).
 */
export function freshHoldEndsAt(process: Pick<ProductProcess, 'startingMaterial' | 'maxFreshHoldHours'>, firstSessionStartedAt: Date): Date | null {
  if (process.startingMaterial !== 'FRESH' || process.maxFreshHoldHours === null) return null;
  return new Date(firstSessionStartedAt.getTime() + process.maxFreshHoldHours * HOUR_MS);
}

/**
 * An apheresis session takes the process's `apheresisHoursPerSession` (issue 14 §4): a chair slot
 * shorter than that cannot hold one, whatever is free on it.
 */
export function sessionFits(process: Pick<ProductProcess, 'apheresisHoursPerSession'>, slot: { readonly startsAt: Date; readonly endsAt: Date }): boolean {
  return slot.endsAt.getTime() - slot.startsAt.getTime() >= process.apheresisHoursPerSession * HOUR_MS;
}

/** Hours the material has been held at `at`, from the start of its first collection session. */
export const hoursHeld = (firstSessionStartedAt: Date, at: Date): number => (at.getTime() - firstSessionStartedAt.getTime()) / HOUR_MS;

/**
 * Days between the last conditioning dose and infusion that the product allows (domain.md step 8:
 * "infuse exactly on day 0, or 2 to 14 days after conditioning"): [min, max], in whole calendar days.
 * An infusion more than `reconditionAfterDays` after the last dose needs a new conditioning course
 * (issue 14 §4), so the window ends there when that comes first.
 */
export function infusionGapDays(
  process: Pick<ProductProcess, 'infusionWindowMinDays' | 'infusionWindowMaxDays' | 'reconditionAfterDays'>,
): { readonly min: number; readonly max: number } {
  const lapses = process.reconditionAfterDays ?? Number.POSITIVE_INFINITY;
  return { min: process.infusionWindowMinDays, max: Math.min(process.infusionWindowMaxDays, lapses) };
}

/**
 * The first day a new conditioning course may start once the last one has lapsed: more than
 * `reconditionAfterDays` after its last dose (issue 14 §4). Null when the process sets no limit: the
 * treating consultant then decides, outside Bedside.
 */
export function reconditioningFrom(process: Pick<ProductProcess, 'reconditionAfterDays'>, lastDoseOn: LocalDate): LocalDate | null {
  return process.reconditionAfterDays === null ? null : addDays(lastDoseOn, process.reconditionAfterDays + 1);
}

/**
 * Days of the conditioning course relative to infusion (day 0) when the last dose is `gapDays` before it:
 * the process's own pattern kept and shifted (domain.md step 8). With the process's own gap
 * (-last of conditioningDays) they are exactly process.conditioningDays.
 */
export function conditioningDaysBeforeInfusion(process: Pick<ProductProcess, 'conditioningDays'>, gapDays: number): number[] {
  const last = process.conditioningDays[process.conditioningDays.length - 1] ?? 0;
  return process.conditioningDays.map((d) => d - last - gapDays);
}

/**
 * The gate before lymphodepletion, as instants (domain.md step 7; issue 11 §2). CONDITIONING_DURING_MANUFACTURE:
 * the unit can confirm only a batch that is under way, so the first conditioning session may start no
 * earlier than the instant manufacture starts (the same day is not enough: a 09:00 start does not cover
 * an 08:30 session); never before manufacture has started (`manufactureStartsAt` null).
 * RELEASE_BEFORE_CONDITIONING: this rule does not bind (true); that gate is release and stock at the
 * treatment centre, as instants (conditioningGateOpensAt below).
 */
export function conditioningMayStart(gate: ConditioningGate, manufactureStartsAt: Date | null, conditioningSessionStartsAt: Date): boolean {
  if (gate !== 'CONDITIONING_DURING_MANUFACTURE') return true;
  return manufactureStartsAt !== null && conditioningSessionStartsAt.getTime() >= manufactureStartsAt.getTime();
}

/**
 * When the product's shelf life ends: the end of manufacture + shelfLifeHours (domain.md step 6). The
 * lifecycle refuses an infusion after it (lifecycle.ts recordInfusion); an infusion at that instant is
 * accepted. The plan search offers only infusions by then (plan-search.ts R8; issue 11 §6).
 */
export function shelfLifeEndsAt(process: Pick<ProductProcess, 'shelfLifeHours'>, manufacturedAt: Date): Date {
  return new Date(manufacturedAt.getTime() + process.shelfLifeHours * HOUR_MS);
}

/**
 * When thawed frozen product must be infused by: the thaw + thawedShelfLifeMinutes (domain.md step 8);
 * null for product that is not frozen. The lifecycle refuses an infusion after it (lifecycle.ts
 * recordInfusion). The plan search has nothing to place for it: the thaw is at the bedside, within the
 * infusion bed's session it books (plan-search.ts R7).
 */
export function thawedProductExpiresAt(process: Pick<ProductProcess, 'thawedShelfLifeMinutes'>, thawedAt: Date): Date | null {
  const minutes = process.thawedShelfLifeMinutes;
  return minutes === null || minutes === undefined ? null : new Date(thawedAt.getTime() + minutes * 60_000);
}

/**
 * The instant from which the first conditioning session may start (domain.md step 7; issue 11 §6), as
 * the plan search judges the gate: CONDITIONING_DURING_MANUFACTURE, once manufacture has started (as
 * conditioningMayStart); RELEASE_BEFORE_CONDITIONING, once the product is released and in stock at the
 * treatment centre, `travelHours` after release (the lifecycle confirms availability only after the
 * release). Null while the instant it counts from is not known.
 */
export function conditioningGateOpensAt(
  gate: ConditioningGate,
  facts: { readonly manufactureStartsAt: Date | null; readonly releasedAt: Date | null; readonly travelHours: number },
): Date | null {
  if (gate === 'CONDITIONING_DURING_MANUFACTURE') return facts.manufactureStartsAt;
  return facts.releasedAt && new Date(facts.releasedAt.getTime() + facts.travelHours * HOUR_MS);
}

/** Where a patient will stay after infusion (home, or a stay arranged near a centre), as the reach rule judges it. */
export interface PatientStay {
  /** A postcode district, e.g. "M20". */
  readonly district: string;
  /** Minutes from the district to a centre, as a planner recorded them; undefined when none is recorded. */
  readonly minutesTo: (centre: string) => number | undefined;
}

/**
 * Stay within reach (domain.md step 9; issue 14 §4): for `stayWithinReachDays` after infusion the patient
 * stays within `stayWithinReachMinutes` of the treatment centre. Judged from where the patient will stay,
 * a postcode district (home, or a stay arranged near the centre), and the minutes a planner recorded from
 * that district to the centre (setDistrictTravelTimes): with no time recorded Bedside cannot vouch for
 * the reach, so it is not within reach. A process with no stay to keep (0 days) is always within reach.
 * The plan search offers only centres within reach (plan-search.ts R9); the lifecycle starts conditioning
 * and infuses only there (lifecycle.ts).
 */
export function staysWithinReach(process: Pick<ProductProcess, 'stayWithinReachDays' | 'stayWithinReachMinutes'>, minutesToCentre: number | undefined): boolean {
  if (process.stayWithinReachDays === 0) return true;
  return minutesToCentre !== undefined && minutesToCentre <= process.stayWithinReachMinutes;
}

/** Why a centre is out of reach, in a scheduler's words (for the search's reasons and the lifecycle's refusals). */
export function outOfReachWords(process: Pick<ProductProcess, 'stayWithinReachDays' | 'stayWithinReachMinutes'>, district: string, centre: string, minutes: number | undefined): string {
  const how = minutes === undefined ? `no travel time is recorded from ${district} to ${centre}` : `${district} is ${minutes} min from ${centre}`;
  return `${how}, and the patient must stay within ${process.stayWithinReachMinutes} min of the centre for ${process.stayWithinReachDays} days after infusion`;
}

/**
 * ICU cover (domain.md step 9; issue 14 §4): 27 to 35% of CAR-T patients need intensive care, typically
 * on day 5 or 6 after infusion (docs/domain.md, "ICU cover"). Each plan reserves the process's
 * `icuReserveProbability` of an ICU bed at its treatment centre on each of those days, so that the
 * cover reserved on a day never exceeds the ICU beds open that day: three patients at 0.3 reserve 0.9
 * of a bed. A process with probability 0 reserves none.
 */
export const ICU_COVER_DAYS_AFTER_INFUSION: readonly number[] = [5, 6];

export interface IcuCover {
  /** The days cover is reserved, from the infusion day (empty when the process reserves none). */
  readonly days: readonly LocalDate[];
  /** The share of one ICU bed reserved on each, to the hundredth. */
  readonly share: number;
}

/** The cover a plan infusing on `infusionDay` reserves (the plan search's R10, the hold's judge, the start of conditioning). */
export function icuCover(process: Pick<ProductProcess, 'icuReserveProbability'>, infusionDay: LocalDate): IcuCover {
  const share = fromHundredths(inHundredths(process.icuReserveProbability));
  if (share <= 0) return { days: [], share: 0 };
  return { days: ICU_COVER_DAYS_AFTER_INFUSION.map((d) => addDays(infusionDay, d)), share };
}

/** Whether an ICU bed-day with `free` places left (fractions of a bed) can take a plan's share of cover; exact to the hundredth. */
export const icuCoverFits = (share: number, free: number): boolean => inHundredths(free) >= inHundredths(share);

/** The cover days a booking infusing on `infusionDay` lacks, given the days it reserves ICU cover (start of conditioning, at risk). */
export function icuCoverMissingDays(process: Pick<ProductProcess, 'icuReserveProbability'>, infusionDay: LocalDate, reservedDays: readonly LocalDate[]): { cover: IcuCover; missing: LocalDate[] } {
  const cover = icuCover(process, infusionDay);
  const reserved = new Set(reservedDays);
  return { cover, missing: cover.days.filter((day) => !reserved.has(day)) };
}

/** What is missing when a booking lacks cover, in a scheduler's words. */
export function icuCoverWords(process: Pick<ProductProcess, 'icuReserveProbability'>, centre: string, cover: IcuCover): string {
  return `${Math.round(cover.share * 100)}% of an ICU bed at ${centre} must be reserved on ${cover.days.join(' and ')} (days ${ICU_COVER_DAYS_AFTER_INFUSION.join(' and ')} after infusion), as ${Math.round(process.icuReserveProbability * 100)}% of patients given this product need intensive care then`;
}

/**
 * Days from the infusion day (day 0) through which a plan books places: the monitoring beds, and the ICU
 * cover on days 5 and 6. Capacity is read this far past the last infusion day a search may choose.
 */
export function daysBookedAfterInfusion(process: Pick<ProductProcess, 'monitoringInpatientDays' | 'icuReserveProbability'>): number {
  const icu = icuCover(process, '2000-01-01').days.length > 0 ? Math.max(...ICU_COVER_DAYS_AFTER_INFUSION) + 1 : 0;
  return Math.max(1, process.monitoringInpatientDays, icu);
}
