import { BedsideError, eventClass, optionalReason, requireText, ValidationError } from '@bedside/shared';
import type { ConditioningGate } from '@bedside/network';

/**
 * The clinical steps after booking, in their permitted order (21 CFR 11.10(f): operational checks
 * enforce permitted sequencing of steps). Two tracks meet at the conditioning gate: the product
 * (collected → shipped → received → manufacturing → manufactured → released) and the patient
 * (conditioning → infused → discharged). Every step records who, where, when; corrective ones why.
 */
export const PRODUCT_STATES = ['NOT_COLLECTED', 'COLLECTED', 'IN_TRANSIT', 'RECEIVED', 'IN_MANUFACTURE', 'MANUFACTURED', 'RELEASED', 'FAILED'] as const;
export type ProductState = (typeof PRODUCT_STATES)[number];

export const PATIENT_STATES = ['WAITING', 'CONDITIONING', 'INFUSED', 'DISCHARGED', 'WITHDRAWN'] as const;
export type PatientState = (typeof PATIENT_STATES)[number];

export class StepOutOfOrderError extends BedsideError {
  constructor(step: string, due: string, details: Record<string, unknown> = {}) {
    super('STEP_OUT_OF_ORDER', `${step} cannot be recorded now: ${due}`, { step, ...details });
  }
}

export class CoiMismatchError extends BedsideError {
  constructor(expected: string, scanned: string, where: string) {
    super(
      'CONFLICT',
      `Chain of Identity mismatch at ${where}: the label reads ${scanned} but this pathway is ${expected}. Stop: do not proceed; quarantine the material and escalate to QA.`,
      { expected, scanned },
    );
  }
}

export interface StepFacts {
  readonly coi: string;
  /** Site where the step happened. */
  readonly siteCode: string;
  /** When it happened (ISO instant), as the user records it. */
  readonly at: string;
}

/** Every lifecycle step records the pathway, where and when, plus its own facts. */
const stepEvent = <Type extends string, Extra extends object = object>(type: Type) => eventClass<Type, StepFacts & Extra>(type);

export class CollectionRecorded extends stepEvent<'CollectionRecorded', { sessions: number; cd3YieldE9: number | null }>('CollectionRecorded') {}
export class MaterialHandedOver extends stepEvent<'MaterialHandedOver', { handover: 'SHIPPED' | 'RECEIVED'; from: string; to: string; condition: string; scannedCoi: string }>('MaterialHandedOver') {}
export class ManufactureStarted extends stepEvent<'ManufactureStarted', { unitId: string }>('ManufactureStarted') {}
export class ManufactureCompleted extends stepEvent<'ManufactureCompleted'>('ManufactureCompleted') {}
export class ManufactureFailed extends stepEvent<'ManufactureFailed', { reason: string; afterConditioningStarted: boolean }>('ManufactureFailed') {}
export class ProductReleased extends stepEvent<'ProductReleased', { exceptional: boolean; reason: string | null; approver: string | null }>('ProductReleased') {}
export class QcFailed extends stepEvent<'QcFailed', { reason: string; afterConditioningStarted: boolean }>('QcFailed') {}
export class ProductAvailabilityConfirmed extends stepEvent<'ProductAvailabilityConfirmed', { gate: ConditioningGate }>('ProductAvailabilityConfirmed') {}
export class ConditioningStarted extends stepEvent<'ConditioningStarted'>('ConditioningStarted') {}
export class ConditioningDoseGiven extends stepEvent<'ConditioningDoseGiven', { day: number }>('ConditioningDoseGiven') {}
export class PatientInfused extends stepEvent<'PatientInfused', { scannedCoi: string }>('PatientInfused') {}
export class DischargedFromMonitoring extends stepEvent<'DischargedFromMonitoring'>('DischargedFromMonitoring') {}
export class PathwayWithdrawn extends stepEvent<'PathwayWithdrawn', { reason: string; died: boolean }>('PathwayWithdrawn') {}

export type LifecycleEvent =
  | CollectionRecorded
  | MaterialHandedOver
  | ManufactureStarted
  | ManufactureCompleted
  | ManufactureFailed
  | ProductReleased
  | QcFailed
  | ProductAvailabilityConfirmed
  | ConditioningStarted
  | ConditioningDoseGiven
  | PatientInfused
  | DischargedFromMonitoring
  | PathwayWithdrawn;

export const LIFECYCLE_EVENT_CLASSES = [
  CollectionRecorded,
  MaterialHandedOver,
  ManufactureStarted,
  ManufactureCompleted,
  ManufactureFailed,
  ProductReleased,
  QcFailed,
  ProductAvailabilityConfirmed,
  ConditioningStarted,
  ConditioningDoseGiven,
  PatientInfused,
  DischargedFromMonitoring,
  PathwayWithdrawn,
] as const;

/** Where both tracks stand. */
export interface Progress {
  readonly product: ProductState;
  readonly patient: PatientState;
  readonly collectedAt: string | null;
  readonly manufacturedAt: string | null;
  readonly infusedAt: string | null;
  readonly availabilityConfirmed: boolean;
  readonly dosesGiven: readonly number[];
  readonly released: boolean;
  /** Where collection happened, and where the starting material is now (a repair builds on both). */
  readonly collectionSite: string | null;
  readonly materialSite: string | null;
  /** The batch's unit and start, once manufacture has started. */
  readonly manufactureUnitId: string | null;
  readonly manufactureStartedAt: string | null;
  readonly releasedAt: string | null;
  /** Where the patient was infused (the treatment centre, for KPIs by site). */
  readonly infusionSite: string | null;
}

export const NOT_STARTED: Progress = {
  product: 'NOT_COLLECTED',
  patient: 'WAITING',
  collectedAt: null,
  manufacturedAt: null,
  infusedAt: null,
  availabilityConfirmed: false,
  dosesGiven: [],
  released: false,
  collectionSite: null,
  materialSite: null,
  manufactureUnitId: null,
  manufactureStartedAt: null,
  releasedAt: null,
  infusionSite: null,
};

export function evolveProgress(progress: Progress, event: LifecycleEvent): Progress {
  switch (event.type) {
    case 'CollectionRecorded':
      return { ...progress, product: 'COLLECTED', collectedAt: event.data.at, collectionSite: event.data.siteCode, materialSite: event.data.siteCode };
    case 'MaterialHandedOver':
      return event.data.handover === 'SHIPPED' ? { ...progress, product: 'IN_TRANSIT' } : { ...progress, product: 'RECEIVED', materialSite: event.data.siteCode };
    case 'ManufactureStarted':
      return { ...progress, product: 'IN_MANUFACTURE', manufactureUnitId: event.data.unitId, manufactureStartedAt: event.data.at };
    case 'ManufactureCompleted':
      return { ...progress, product: 'MANUFACTURED', manufacturedAt: event.data.at };
    case 'ManufactureFailed':
    case 'QcFailed':
      return { ...progress, product: 'FAILED' };
    case 'ProductReleased':
      return { ...progress, product: 'RELEASED', released: true, releasedAt: event.data.at };
    case 'ProductAvailabilityConfirmed':
      return { ...progress, availabilityConfirmed: true };
    case 'ConditioningStarted':
      return { ...progress, patient: 'CONDITIONING' };
    case 'ConditioningDoseGiven':
      return { ...progress, dosesGiven: [...progress.dosesGiven, event.data.day] };
    case 'PatientInfused':
      return { ...progress, patient: 'INFUSED', infusedAt: event.data.at, infusionSite: event.data.siteCode };
    case 'DischargedFromMonitoring':
      return { ...progress, patient: 'DISCHARGED' };
    case 'PathwayWithdrawn':
      return { ...progress, patient: 'WITHDRAWN' };
  }
}

/** What the lifecycle rules need to know about the pathway besides its progress. */
export interface LifecycleContext {
  readonly coi: string;
  readonly booked: boolean;
  readonly gate: ConditioningGate;
  readonly conditioningDays: readonly number[];
  /** Fresh material: hours from collection to start of manufacture (null: cryopreserved). */
  readonly maxFreshHoldHours: number | null;
  /** Hours the finished product keeps (fresh point-of-care: hours; frozen: months). */
  readonly shelfLifeHours: number;
}

const facts = (ctx: LifecycleContext, siteCode: string, at: Date): StepFacts => ({ coi: ctx.coi, siteCode: requireText('siteCode', siteCode, 10).toUpperCase(), at: at.toISOString() });

function notWithdrawn(p: Progress, step: string): void {
  if (p.patient === 'WITHDRAWN') throw new StepOutOfOrderError(step, 'the pathway was withdrawn.');
  if (p.patient === 'DISCHARGED') throw new StepOutOfOrderError(step, 'the patient has been discharged: the pathway is complete.');
}

function expectProduct(p: Progress, step: string, allowed: readonly ProductState[], due: string): void {
  notWithdrawn(p, step);
  if (!allowed.includes(p.product)) throw new StepOutOfOrderError(step, `the product is ${p.product.replace(/_/g, ' ').toLowerCase()}; ${due}`, { productState: p.product });
}

export function recordCollection(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date, sessions: number, cd3YieldE9: number | null): CollectionRecorded[] {
  if (!ctx.booked) throw new StepOutOfOrderError('Collection', 'no plan is booked yet; hold and confirm a plan first.');
  expectProduct(p, 'Collection', ['NOT_COLLECTED'], 'collection is already recorded.');
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 4) throw new ValidationError('sessions', 'Collection takes 1 to 4 apheresis sessions.');
  return [new CollectionRecorded({ ...facts(ctx, siteCode, at), sessions, cd3YieldE9 })];
}

/** Chain of custody: every handover checks the label against the pathway (domain.md step 4). */
export function recordHandover(
  ctx: LifecycleContext,
  p: Progress,
  input: { handover: 'SHIPPED' | 'RECEIVED'; from: string; to: string; condition: string; scannedCoi: string; siteCode: string },
  at: Date,
): MaterialHandedOver[] {
  if (input.scannedCoi !== ctx.coi) throw new CoiMismatchError(ctx.coi, input.scannedCoi, `the ${input.handover === 'SHIPPED' ? 'dispatch' : 'receipt'} handover`);
  if (input.handover === 'SHIPPED') expectProduct(p, 'Shipping', ['COLLECTED'], 'starting material ships after collection, once.');
  else expectProduct(p, 'Receipt', ['IN_TRANSIT', 'COLLECTED'], 'record collection (and dispatch) first.');
  return [
    new MaterialHandedOver({
      ...facts(ctx, input.siteCode, at),
      handover: input.handover,
      from: requireText('from', input.from, 200),
      to: requireText('to', input.to, 200),
      condition: requireText('condition', input.condition, 200),
      scannedCoi: input.scannedCoi,
    }),
  ];
}

export function startManufacture(ctx: LifecycleContext, p: Progress, siteCode: string, unitId: string, at: Date): ManufactureStarted[] {
  expectProduct(p, 'Start of manufacture', ['RECEIVED'], 'the starting material must be received at the unit first.');
  if (ctx.maxFreshHoldHours !== null && p.collectedAt) {
    const held = (at.getTime() - Date.parse(p.collectedAt)) / 3_600_000;
    if (held > ctx.maxFreshHoldHours) {
      throw new StepOutOfOrderError(
        'Start of manufacture',
        `the fresh starting material was collected ${held.toFixed(1)} h ago, beyond its ${ctx.maxFreshHoldHours} h hold. Do not manufacture from it: record the deviation and plan a new collection.`,
        { hoursHeld: held },
      );
    }
  }
  return [new ManufactureStarted({ ...facts(ctx, siteCode, at), unitId: requireText('unitId', unitId, 40).toUpperCase() })];
}

export function completeManufacture(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date): ManufactureCompleted[] {
  expectProduct(p, 'End of manufacture', ['IN_MANUFACTURE'], 'manufacture has to be started first.');
  return [new ManufactureCompleted(facts(ctx, siteCode, at))];
}

export function failManufacture(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date, rawReason: string): ManufactureFailed[] {
  expectProduct(p, 'Manufacturing failure', ['IN_MANUFACTURE'], 'only a running batch can fail.');
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Record why the batch failed.');
  return [new ManufactureFailed({ ...facts(ctx, siteCode, at), reason, afterConditioningStarted: p.patient === 'CONDITIONING' })];
}

export function releaseProduct(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date, input: { exceptional: boolean; reason?: string | null; approver?: string | null }): ProductReleased[] {
  // Fresh point-of-care product may be infused before sterility results arrive (domain.md step 7): release may then follow infusion.
  expectProduct(p, 'QC release', ['MANUFACTURED'], 'manufacture must be completed first.');
  const reason = optionalReason(input.reason) ?? null;
  const approver = input.approver?.trim() || null;
  if (input.exceptional && (!reason || !approver)) {
    throw new ValidationError(input.exceptional && !reason ? 'reason' : 'approver', 'An exceptional release of out-of-specification product needs the reason and the approving Qualified Person.');
  }
  return [new ProductReleased({ ...facts(ctx, siteCode, at), exceptional: input.exceptional, reason, approver })];
}

export function failQc(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date, rawReason: string): QcFailed[] {
  expectProduct(p, 'QC failure', ['MANUFACTURED'], 'QC follows the end of manufacture.');
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Record why QC failed.');
  return [new QcFailed({ ...facts(ctx, siteCode, at), reason, afterConditioningStarted: p.patient === 'CONDITIONING' })];
}

/** The gate before conditioning (product labels; domain.md step 7). */
export function confirmAvailability(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date): ProductAvailabilityConfirmed[] {
  notWithdrawn(p, 'Availability confirmation');
  if (p.availabilityConfirmed) throw new StepOutOfOrderError('Availability confirmation', 'availability is already confirmed.');
  const allowed: readonly ProductState[] = ctx.gate === 'RELEASE_BEFORE_CONDITIONING' ? ['RELEASED'] : ['IN_MANUFACTURE', 'MANUFACTURED', 'RELEASED'];
  if (!allowed.includes(p.product)) {
    throw new StepOutOfOrderError(
      'Availability confirmation',
      ctx.gate === 'RELEASE_BEFORE_CONDITIONING'
        ? 'this product must be released and in stock before conditioning: record the QC release first.'
        : 'the unit can confirm only a batch that is under way: start manufacture first.',
      { productState: p.product },
    );
  }
  return [new ProductAvailabilityConfirmed({ ...facts(ctx, siteCode, at), gate: ctx.gate })];
}

export function startConditioning(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date): ConditioningStarted[] {
  notWithdrawn(p, 'Start of conditioning');
  if (!p.availabilityConfirmed) throw new StepOutOfOrderError('Start of conditioning', 'product availability must be confirmed before lymphodepletion starts.');
  if (p.product === 'FAILED') throw new StepOutOfOrderError('Start of conditioning', 'the product failed; do not condition.');
  if (p.patient !== 'WAITING') throw new StepOutOfOrderError('Start of conditioning', 'conditioning has already started.');
  return [new ConditioningStarted(facts(ctx, siteCode, at))];
}

export function recordConditioningDose(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date, day: number): ConditioningDoseGiven[] {
  notWithdrawn(p, 'Conditioning dose');
  if (p.patient !== 'CONDITIONING') throw new StepOutOfOrderError('Conditioning dose', 'conditioning has not started (or is over).');
  const due = ctx.conditioningDays[p.dosesGiven.length];
  if (due === undefined) throw new StepOutOfOrderError('Conditioning dose', 'every conditioning dose of the regimen is already given.');
  if (day !== due) throw new StepOutOfOrderError('Conditioning dose', `the dose due is day ${due}, not day ${day}.`, { dueDay: due });
  return [new ConditioningDoseGiven({ ...facts(ctx, siteCode, at), day })];
}

/** Infusion is blocked unless the product's label carries this pathway's Chain of Identity. */
export function recordInfusion(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date, scannedCoi: string): PatientInfused[] {
  notWithdrawn(p, 'Infusion');
  if (scannedCoi !== ctx.coi) throw new CoiMismatchError(ctx.coi, scannedCoi, 'the bedside before infusion');
  if (p.patient !== 'CONDITIONING' || p.dosesGiven.length < ctx.conditioningDays.length) {
    const next = ctx.conditioningDays[p.dosesGiven.length];
    throw new StepOutOfOrderError('Infusion', next === undefined ? 'conditioning has not started.' : `conditioning is not complete: the day ${next} dose is due.`);
  }
  const ready: readonly ProductState[] = ctx.gate === 'RELEASE_BEFORE_CONDITIONING' ? ['RELEASED'] : ['MANUFACTURED', 'RELEASED'];
  if (!ready.includes(p.product)) throw new StepOutOfOrderError('Infusion', `the product is ${p.product.replace(/_/g, ' ').toLowerCase()}, not ready to infuse.`);
  if (p.manufacturedAt && at.getTime() > Date.parse(p.manufacturedAt) + ctx.shelfLifeHours * 3_600_000) {
    throw new StepOutOfOrderError(
      'Infusion',
      `the product passed its ${ctx.shelfLifeHours} h shelf life at ${new Date(Date.parse(p.manufacturedAt) + ctx.shelfLifeHours * 3_600_000).toISOString()}: do not infuse it; record the deviation and repair the pathway.`,
      { shelfLifeHours: ctx.shelfLifeHours },
    );
  }
  return [new PatientInfused({ ...facts(ctx, siteCode, at), scannedCoi })];
}

export function discharge(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date): DischargedFromMonitoring[] {
  notWithdrawn(p, 'Discharge');
  if (p.patient !== 'INFUSED') throw new StepOutOfOrderError('Discharge', 'the patient has not been infused.');
  return [new DischargedFromMonitoring(facts(ctx, siteCode, at))];
}

export function withdraw(ctx: LifecycleContext, p: Progress, siteCode: string, at: Date, rawReason: string, died: boolean): PathwayWithdrawn[] {
  notWithdrawn(p, 'Withdrawal');
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Record why the pathway ends.');
  return [new PathwayWithdrawn({ ...facts(ctx, siteCode, at), reason, died })];
}
