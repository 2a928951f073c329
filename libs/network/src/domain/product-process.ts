import { numberIn, oneOf, ValidationError, wholeNumber } from '@bedside/shared';

export const STARTING_MATERIALS = ['FRESH', 'CRYOPRESERVED'] as const;
export type StartingMaterial = (typeof STARTING_MATERIALS)[number];

export const QC_METHODS = ['RAPID', 'COMPENDIAL'] as const;
export type QcMethod = (typeof QC_METHODS)[number];

/**
 * Which gate must pass before lymphodepleting conditioning starts (domain.md step 7; product labels:
 * availability confirmed before conditioning). Frozen product: released and in stock. Fresh point-of-care
 * product: the unit confirms the batch is on track, conditioning overlaps the end of manufacture.
 */
export const CONDITIONING_GATES = ['RELEASE_BEFORE_CONDITIONING', 'CONDITIONING_DURING_MANUFACTURE'] as const;
export type ConditioningGate = (typeof CONDITIONING_GATES)[number];

/** How a product is made and given: the part of a DMMF the scheduler plans with. Every figure is the user's, never a constant. */
export interface ProductProcess {
  readonly productCode: string;
  readonly name: string;
  readonly startingMaterial: StartingMaterial;
  /** Fresh material only: hours from end of collection to start of manufacture (typically 24-36, up to 72). */
  readonly maxFreshHoldHours: number | null;
  readonly apheresisSessions: number;
  readonly apheresisHoursPerSession: number;
  readonly manufactureDays: number;
  readonly qcMethod: QcMethod;
  /** Days from end of manufacture to release (compendial sterility 14, rapid methods about 3). */
  readonly qcReleaseDays: number;
  /** Shelf life of the finished product in hours (fresh point-of-care: hours; frozen: months). */
  readonly shelfLifeHours: number;
  readonly conditioningRegimen: string;
  /** Conditioning days relative to infusion day 0, e.g. [-5, -4, -3]. */
  readonly conditioningDays: readonly number[];
  /** Permitted infusion window counted in days after the last conditioning day (Yescarta-like day 0: 3 to 3). */
  readonly infusionWindowMinDays: number;
  readonly infusionWindowMaxDays: number;
  readonly conditioningGate: ConditioningGate;
  /** Repeat conditioning when infusion slips more than this many days past the last dose (e.g. 14). */
  readonly reconditionAfterDays: number | null;
  readonly monitoringInpatientDays: number;
  /** Days the patient must stay within reach of the centre (e.g. 28), and how far that is in minutes of travel. */
  readonly stayWithinReachDays: number;
  readonly stayWithinReachMinutes: number;
  /** Probability a patient needs an ICU bed (27-35%), used to reserve ICU capacity. */
  readonly icuReserveProbability: number;
  /**
   * Frozen product: minutes from thaw at the bedside to the end of infusion (domain.md step 8: about 30).
   * Null (or absent, in versions published before it existed) for product that is not frozen.
   */
  readonly thawedShelfLifeMinutes?: number | null;
}

const PRODUCT_CODE = /^[A-Z0-9][A-Z0-9-]{1,19}$/;

export function normaliseProductCode(field: string, raw: string): string {
  const code = raw.trim().toUpperCase();
  if (!PRODUCT_CODE.test(code)) {
    throw new ValidationError(field, `"${raw}" is not a product code: use 2 to 20 letters, digits and dashes, e.g. "POC-CAR19".`);
  }
  return code;
}

/** Checks a process definition as a whole; throws ValidationError naming the field at fault. */
export function validateProductProcess(input: ProductProcess): ProductProcess {
  const startingMaterial = oneOf('startingMaterial', input.startingMaterial, STARTING_MATERIALS);
  let maxFreshHoldHours: number | null = null;
  if (startingMaterial === 'FRESH') {
    if (input.maxFreshHoldHours === null || input.maxFreshHoldHours === undefined) {
      throw new ValidationError('maxFreshHoldHours', 'Fresh starting material needs a maximum hold (hours from collection to start of manufacture).');
    }
    maxFreshHoldHours = numberIn('maxFreshHoldHours', input.maxFreshHoldHours, 0, 168, { exclusiveMin: true });
  } else if (input.maxFreshHoldHours !== null && input.maxFreshHoldHours !== undefined) {
    throw new ValidationError('maxFreshHoldHours', 'Cryopreserved starting material has no fresh hold; leave maxFreshHoldHours empty.');
  }
  const days = [...input.conditioningDays];
  if (days.length === 0 || days.length > 10) throw new ValidationError('conditioningDays', 'Give 1 to 10 conditioning days relative to infusion, e.g. [-5, -4, -3].');
  days.forEach((d, i) => {
    wholeNumber(`conditioningDays[${i}]`, d, -30, -1);
    if (i > 0 && d <= days[i - 1]!) throw new ValidationError('conditioningDays', 'Conditioning days must be in order and each once, e.g. [-5, -4, -3].');
  });
  const min = wholeNumber('infusionWindowMinDays', input.infusionWindowMinDays, 1, 60);
  const max = wholeNumber('infusionWindowMaxDays', input.infusionWindowMaxDays, 1, 60);
  if (max < min) throw new ValidationError('infusionWindowMaxDays', `The infusion window ends (day ${max}) before it starts (day ${min}).`);
  const planned = -days[days.length - 1]!;
  if (planned < min || planned > max) {
    throw new ValidationError(
      'infusionWindowMinDays',
      `Day 0 of the conditioning template is ${planned} days after the last dose, outside the infusion window of ${min} to ${max} days.`,
    );
  }
  const gate = oneOf('conditioningGate', input.conditioningGate, CONDITIONING_GATES);
  if (gate === 'CONDITIONING_DURING_MANUFACTURE' && startingMaterial !== 'FRESH') {
    throw new ValidationError('conditioningGate', 'Conditioning during manufacture is for fresh point-of-care product; frozen product is released before conditioning.');
  }
  const name = (input.name ?? '').trim();
  if (!name || name.length > 200) throw new ValidationError('name', 'The product name must be 1 to 200 characters.');
  const regimen = (input.conditioningRegimen ?? '').trim();
  if (!regimen || regimen.length > 200) throw new ValidationError('conditioningRegimen', 'Name the conditioning regimen (e.g. "Fludarabine + cyclophosphamide"), up to 200 characters.');
  return {
    productCode: normaliseProductCode('productCode', input.productCode),
    name,
    startingMaterial,
    maxFreshHoldHours,
    apheresisSessions: wholeNumber('apheresisSessions', input.apheresisSessions, 1, 4),
    apheresisHoursPerSession: numberIn('apheresisHoursPerSession', input.apheresisHoursPerSession, 0, 12, { exclusiveMin: true }),
    manufactureDays: wholeNumber('manufactureDays', input.manufactureDays, 1, 90),
    qcMethod: oneOf('qcMethod', input.qcMethod, QC_METHODS),
    qcReleaseDays: wholeNumber('qcReleaseDays', input.qcReleaseDays, 0, 60),
    shelfLifeHours: numberIn('shelfLifeHours', input.shelfLifeHours, 0, 24 * 365 * 5, { exclusiveMin: true }),
    conditioningRegimen: regimen,
    conditioningDays: days,
    infusionWindowMinDays: min,
    infusionWindowMaxDays: max,
    conditioningGate: gate,
    reconditionAfterDays:
      input.reconditionAfterDays === null || input.reconditionAfterDays === undefined
        ? null
        : wholeNumber('reconditionAfterDays', input.reconditionAfterDays, 1, 90),
    monitoringInpatientDays: wholeNumber('monitoringInpatientDays', input.monitoringInpatientDays, 0, 60),
    stayWithinReachDays: wholeNumber('stayWithinReachDays', input.stayWithinReachDays, 0, 120),
    stayWithinReachMinutes: wholeNumber('stayWithinReachMinutes', input.stayWithinReachMinutes, 0, 24 * 60),
    icuReserveProbability: numberIn('icuReserveProbability', input.icuReserveProbability, 0, 1),
    thawedShelfLifeMinutes: thawedShelfLife(input.thawedShelfLifeMinutes, gate),
  };
}

/** A thawed shelf life is for frozen product, which is released before conditioning (domain.md steps 7 and 8). */
function thawedShelfLife(minutes: number | null | undefined, gate: ConditioningGate): number | null {
  if (minutes === null || minutes === undefined) return null;
  if (gate !== 'RELEASE_BEFORE_CONDITIONING') {
    throw new ValidationError('thawedShelfLifeMinutes', 'A thawed shelf life is for frozen product, which is released before conditioning: set conditioningGate to RELEASE_BEFORE_CONDITIONING, or leave it out.');
  }
  return wholeNumber('thawedShelfLifeMinutes', minutes, 1, 24 * 60);
}

/**
 * Refuses a process the plan search could never find a plan for, naming the field to change (issue 11
 * §5): publishing it would leave every referral for the product with no plan and no reason why. Judged
 * on a process that has passed validateProductProcess; the rules are the plan search's (plan-search.ts
 * R3, R6-R8) and the lifecycle's (shelf life at infusion).
 */
export function checkProcessCanBePlanned(process: ProductProcess): void {
  const days = process.conditioningDays;
  const span = days[days.length - 1]! - days[0]!;
  // The shortest the course can sit before infusion: the first dose this many days before day 0.
  const earliestFirstDose = process.infusionWindowMinDays + span;
  if (process.conditioningGate === 'CONDITIONING_DURING_MANUFACTURE' && earliestFirstDose > process.manufactureDays) {
    // Day 0 is the day the batch is ready, manufactureDays after it starts; the unit can only confirm a batch under way.
    throw new ValidationError(
      'conditioningDays',
      `Conditioning during manufacture must start once manufacture has started, but with these conditioning days and an infusion window from day ` +
        `${process.infusionWindowMinDays} the first dose falls ${earliestFirstDose} days before infusion, before the ${process.manufactureDays}-day manufacture starts. ` +
        `Shorten the conditioning course, lengthen manufactureDays if that is the process, or release the product before conditioning (RELEASE_BEFORE_CONDITIONING).`,
    );
  }
  if (process.startingMaterial === 'FRESH' && process.maxFreshHoldHours !== null && process.apheresisSessions > 1) {
    // Sessions are on consecutive days and the hold runs from the start of the first (clinical-rules.ts freshHoldEndsAt).
    const collecting = (process.apheresisSessions - 1) * 24 + process.apheresisHoursPerSession;
    if (collecting > process.maxFreshHoldHours) {
      throw new ValidationError(
        'maxFreshHoldHours',
        `${process.apheresisSessions} collection sessions on consecutive days take at least ${collecting} h from the start of the first to the end of the last, ` +
          `longer than the ${process.maxFreshHoldHours} h fresh hold: manufacture could never start in time. Give the validated hold, or fewer sessions.`,
      );
    }
  }
  if (process.conditioningGate === 'RELEASE_BEFORE_CONDITIONING') {
    // Released after QC, then the whole course and the shortest gap before infusion: the product must still be in date.
    // Whole days are the best the instants can do (issue 11 §6): a bay day ends and an infusion bed's day begins at
    // midnight (capacity.ts), so with the unit on site the infusion can be exactly this long after manufacture ends
    // (plan-search.ts R8 judges the instant, as the lifecycle does); travel or an earlier bay end only costs hours.
    const daysToInfusion = process.qcReleaseDays + span + process.infusionWindowMinDays;
    if (process.shelfLifeHours < daysToInfusion * 24) {
      throw new ValidationError(
        'shelfLifeHours',
        `A ${process.shelfLifeHours} h shelf life ends before any infusion: with release before conditioning, infusion is at least ${daysToInfusion} days after manufacture ends ` +
          `(${process.qcReleaseDays} days of QC, the conditioning course and ${process.infusionWindowMinDays} days before infusion). Give the product's real shelf life, or condition during manufacture.`,
      );
    }
  }
  if (process.reconditionAfterDays !== null && process.reconditionAfterDays < process.infusionWindowMinDays) {
    throw new ValidationError(
      'reconditionAfterDays',
      `Repeating conditioning after ${process.reconditionAfterDays} days would be due before the infusion window opens (day ${process.infusionWindowMinDays} after the last dose), so every patient would need conditioning twice. ` +
        `Give at least ${process.infusionWindowMinDays} days, or leave it empty.`,
    );
  }
}
