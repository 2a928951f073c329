import { addDays, oneOf, parseLocalDate, ValidationError, wholeNumber, type LocalDate } from '@bedside/shared';

/**
 * Minimum treatment-free intervals before leukapheresis (docs/domain.md step 2 and Sources): 72 h after
 * corticosteroids, 2 weeks after cytotoxic chemotherapy, 6 weeks to 3 months after some
 * immunotherapies, 1 week after anti-CD20 (autoimmune table). Defaults the clinician can override.
 */
export const WASHOUT_DEFAULT_DAYS = {
  CORTICOSTEROID: 3,
  CYTOTOXIC_CHEMOTHERAPY: 14,
  IMMUNOTHERAPY: 42,
  ANTI_CD20: 7,
  NONE: 0,
} as const;
export type DrugClass = keyof typeof WASHOUT_DEFAULT_DAYS;
export const DRUG_CLASSES = Object.keys(WASHOUT_DEFAULT_DAYS) as DrugClass[];

export interface Washout {
  readonly drugClass: DrugClass;
  /** Day of the last dose (local date); absent when drugClass is NONE. */
  readonly lastDoseDate: LocalDate | null;
  /** Overrides the default interval, e.g. 90 for an immunotherapy needing 3 months. */
  readonly days: number;
}

export interface WashoutInput {
  readonly drugClass: string;
  readonly lastDoseDate?: string | null;
  readonly days?: number | null;
}

/**
 * Checks a referral's washout. With `today` (the network's day, by the clock), a last dose after
 * today is refused: a dose not yet given cannot start a washout, and taken as given it would put the
 * earliest collection day wrong (issue 11 §5).
 */
export function validateWashout(input: WashoutInput, today?: LocalDate): Washout {
  const drugClass = oneOf('washout.drugClass', input.drugClass, DRUG_CLASSES);
  const days = input.days === null || input.days === undefined ? WASHOUT_DEFAULT_DAYS[drugClass] : wholeNumber('washout.days', input.days, 0, 365);
  if (drugClass === 'NONE') return { drugClass, lastDoseDate: null, days: 0 };
  const what = drugClass.toLowerCase().replace(/_/g, ' ');
  if (!input.lastDoseDate) throw new ValidationError('washout.lastDoseDate', `Give the date of the last ${what} dose.`);
  const lastDoseDate = parseLocalDate('washout.lastDoseDate', input.lastDoseDate);
  if (today !== undefined && lastDoseDate > today) {
    throw new ValidationError(
      'washout.lastDoseDate',
      `The last ${what} dose is given as ${lastDoseDate}, after today (${today}). Give the day the last dose was actually given; if another dose is planned, refer the patient once it has been given.`,
    );
  }
  return { drugClass, lastDoseDate, days };
}

/** The first day collection may happen: the last dose plus the washout, and not before `today`. */
export function earliestCollectionDate(washout: Washout, today: LocalDate): LocalDate {
  if (!washout.lastDoseDate) return today;
  const afterWashout = addDays(washout.lastDoseDate, washout.days);
  return afterWashout > today ? afterWashout : today;
}
