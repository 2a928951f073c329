import { NETWORK_TIME_ZONE, addDays, BedsideError, ConflictError, daysBetween, eventClass, localDateOf, NotFoundError, optionalReason, requireText, ValidationError, type ElectronicSignature, type LocalDate } from '@bedside/shared';
import type { ConditioningGate, ProductProcess, QualificationState, SiteStatus } from '@bedside/network';
import { freshHoldEndsAt, hoursHeld, icuCoverMissingDays, icuCoverWords, infusionGapDays, outOfReachWords, reconditioningFrom, shelfLifeEndsAt, staysWithinReach, thawedProductExpiresAt, type PatientStay } from './clinical-rules';

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

export const HANDOVER_KINDS = ['SHIPPED', 'RECEIVED'] as const;
export type HandoverKind = (typeof HANDOVER_KINDS)[number];

const HOUR_MS = 3_600_000;

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
  /** When it happened (ISO instant): the occurredAt given, else when it was recorded (issue 11 §2). */
  readonly at: string;
  /** Why it was recorded late, when it was (or a reason was given anyway). */
  readonly lateReason?: string;
}

/** Every lifecycle step records the pathway, where and when, plus its own facts. */
const stepEvent = <Type extends string, Extra extends object = object>(type: Type) => eventClass<Type, StepFacts & Extra>(type);

export class CollectionRecorded extends stepEvent<
  'CollectionRecorded',
  {
    sessions: number;
    cd3YieldE9: number | null;
    /** When the first apheresis session began: the fresh hold counts from it (issue 11 §5). Absent before 2026-12. */
    firstSessionStartedAt?: string;
  }
>('CollectionRecorded') {}
export class MaterialHandedOver extends stepEvent<'MaterialHandedOver', { handover: HandoverKind; from: string; to: string; condition: string; scannedCoi: string }>('MaterialHandedOver') {}
/** `batchId`: the batch it starts (issue 14 §1; absent before batches); `labelCoi`: the Chain of Identity read from the label, when scanned. */
export class ManufactureStarted extends stepEvent<'ManufactureStarted', { unitId: string; batchId?: string; labelCoi?: string | null }>('ManufactureStarted') {}
/** The batch a step is about (issue 14 §1): every step after the start of manufacture names it. */
type OfBatch = { batchId?: string };
export class ManufactureCompleted extends stepEvent<'ManufactureCompleted', OfBatch>('ManufactureCompleted') {}
export class ManufactureFailed extends stepEvent<'ManufactureFailed', { reason: string; afterConditioningStarted: boolean } & OfBatch>('ManufactureFailed') {}
/**
 * `signature`: the releasing person's, meaning approved (issue 14 §2); absent on releases recorded before
 * signatures. An exceptional release also carries `requestedBy`, the signature of the person who asked
 * for it (ExceptionalReleaseRequested), a different person from the one who approved it.
 */
export class ProductReleased extends stepEvent<
  'ProductReleased',
  { exceptional: boolean; reason: string | null; approver: string | null; signature?: ElectronicSignature; requestedBy?: ElectronicSignature } & OfBatch
>('ProductReleased') {}
/** The first of an exceptional release's two signatures (issue 14 §2): authored, with the reason; a second person approves. */
export class ExceptionalReleaseRequested extends stepEvent<'ExceptionalReleaseRequested', { reason: string; signature: ElectronicSignature } & OfBatch>('ExceptionalReleaseRequested') {}
export class QcFailed extends stepEvent<'QcFailed', { reason: string; afterConditioningStarted: boolean } & OfBatch>('QcFailed') {}
export class ProductAvailabilityConfirmed extends stepEvent<'ProductAvailabilityConfirmed', { gate: ConditioningGate }>('ProductAvailabilityConfirmed') {}
/** `course` 2 and on: a new course after the last one lapsed (reconditioningFrom); absent for the first. */
export class ConditioningStarted extends stepEvent<'ConditioningStarted', { course?: number }>('ConditioningStarted') {}
/** Frozen product thawed at the bedside (issue 14 §4): it must be infused within the process's thawedShelfLifeMinutes. */
export class ProductThawed extends stepEvent<'ProductThawed', OfBatch>('ProductThawed') {}
export class ConditioningDoseGiven extends stepEvent<'ConditioningDoseGiven', { day: number }>('ConditioningDoseGiven') {}
export class PatientInfused extends stepEvent<'PatientInfused', { scannedCoi: string } & OfBatch>('PatientInfused') {}
export class DischargedFromMonitoring extends stepEvent<'DischargedFromMonitoring'>('DischargedFromMonitoring') {}
export class PathwayWithdrawn extends stepEvent<'PathwayWithdrawn', { reason: string; died: boolean }>('PathwayWithdrawn') {}

export type LifecycleEvent =
  | CollectionRecorded
  | MaterialHandedOver
  | ManufactureStarted
  | ManufactureCompleted
  | ManufactureFailed
  | ProductReleased
  | ExceptionalReleaseRequested
  | QcFailed
  | ProductAvailabilityConfirmed
  | ConditioningStarted
  | ConditioningDoseGiven
  | ProductThawed
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
  ExceptionalReleaseRequested,
  QcFailed,
  ProductAvailabilityConfirmed,
  ConditioningStarted,
  ConditioningDoseGiven,
  ProductThawed,
  PatientInfused,
  DischargedFromMonitoring,
  PathwayWithdrawn,
] as const;

/** Each step in a scheduler's words, for messages that name the step another follows. */
const STEP_WORDS: Readonly<Record<LifecycleEvent['type'], string>> = {
  CollectionRecorded: 'collection',
  MaterialHandedOver: 'the handover',
  ManufactureStarted: 'start of manufacture',
  ManufactureCompleted: 'end of manufacture',
  ManufactureFailed: 'manufacturing failure',
  ProductReleased: 'QC release',
  ExceptionalReleaseRequested: 'the request for an exceptional release',
  QcFailed: 'QC failure',
  ProductAvailabilityConfirmed: 'availability confirmation',
  ConditioningStarted: 'start of conditioning',
  ConditioningDoseGiven: 'a conditioning dose',
  ProductThawed: 'the thaw',
  PatientInfused: 'infusion',
  DischargedFromMonitoring: 'discharge',
  PathwayWithdrawn: 'withdrawal',
};

/** Where both tracks stand. */
export interface Progress {
  readonly product: ProductState;
  readonly patient: PatientState;
  /** When collection ended (the last session), and when its first session began (the fresh hold's start). */
  readonly collectedAt: string | null;
  readonly collectionStartedAt: string | null;
  readonly manufacturedAt: string | null;
  readonly infusedAt: string | null;
  readonly availabilityConfirmed: boolean;
  readonly dosesGiven: readonly number[];
  /** When each dose of `dosesGiven` was given. */
  readonly doseTimes: readonly string[];
  /** The conditioning course under way: 1, or more after a course lapsed (absent before conditioning). */
  readonly conditioningCourse?: number;
  /** An exceptional release asked for and not yet approved by a second person: who asked, and why. */
  readonly exceptionalReleaseRequest?: { readonly reason: string; readonly signature: ElectronicSignature } | null;
  readonly released: boolean;
  /** Where collection happened, and where the starting material is now (a repair builds on both). */
  readonly collectionSite: string | null;
  readonly materialSite: string | null;
  /** The batch's unit and start, once manufacture has started. */
  readonly manufactureUnitId: string | null;
  /** The batch under way or made (issue 14 §1), and the one the patient received; absent before batches. */
  readonly batchId?: string | null;
  readonly infusedBatchId?: string | null;
  /** When frozen product was thawed at the bedside (ProductThawed). */
  readonly thawedAt?: string | null;
  readonly manufactureStartedAt: string | null;
  readonly releasedAt: string | null;
  /** Where the patient was infused (the treatment centre, for KPIs by site). */
  readonly infusionSite: string | null;
  /** The latest step recorded and when it happened: a step may not be dated before it (issue 11 §2). */
  readonly lastStepAt: string | null;
  readonly lastStep: LifecycleEvent['type'] | null;
}

export const NOT_STARTED: Progress = {
  product: 'NOT_COLLECTED',
  patient: 'WAITING',
  collectedAt: null,
  collectionStartedAt: null,
  manufacturedAt: null,
  infusedAt: null,
  availabilityConfirmed: false,
  dosesGiven: [],
  doseTimes: [],
  released: false,
  collectionSite: null,
  materialSite: null,
  manufactureUnitId: null,
  manufactureStartedAt: null,
  releasedAt: null,
  infusionSite: null,
  lastStepAt: null,
  lastStep: null,
};

/**
 * The product's track starts again (a new collection after a failed product) but the record does not
 * go back in time: the next step is still dated after the last one recorded.
 */
export const productTrackRestarted = (progress: Progress): Progress => ({ ...NOT_STARTED, lastStepAt: progress.lastStepAt ?? null, lastStep: progress.lastStep ?? null });

function stepTrack(progress: Progress, event: LifecycleEvent): Progress {
  switch (event.type) {
    case 'CollectionRecorded':
      return {
        ...progress,
        product: 'COLLECTED',
        collectedAt: event.data.at,
        // Collections recorded before the first session was asked for: the hold ran from their end.
        collectionStartedAt: event.data.firstSessionStartedAt ?? event.data.at,
        collectionSite: event.data.siteCode,
        materialSite: event.data.siteCode,
      };
    case 'MaterialHandedOver':
      return event.data.handover === 'SHIPPED' ? { ...progress, product: 'IN_TRANSIT' } : { ...progress, product: 'RECEIVED', materialSite: event.data.siteCode };
    case 'ManufactureStarted':
      return { ...progress, product: 'IN_MANUFACTURE', manufactureUnitId: event.data.unitId, manufactureStartedAt: event.data.at, batchId: event.data.batchId ?? null };
    case 'ManufactureCompleted':
      return { ...progress, product: 'MANUFACTURED', manufacturedAt: event.data.at };
    case 'ManufactureFailed':
    case 'QcFailed':
      return { ...progress, product: 'FAILED', exceptionalReleaseRequest: null };
    case 'ProductReleased':
      return { ...progress, product: 'RELEASED', released: true, releasedAt: event.data.at, exceptionalReleaseRequest: null };
    case 'ExceptionalReleaseRequested':
      return { ...progress, exceptionalReleaseRequest: { reason: event.data.reason, signature: event.data.signature } };
    case 'ProductAvailabilityConfirmed':
      return { ...progress, availabilityConfirmed: true };
    case 'ConditioningStarted':
      // A new course starts the regimen again: its doses are counted afresh.
      return { ...progress, patient: 'CONDITIONING', dosesGiven: [], doseTimes: [], conditioningCourse: event.data.course ?? 1 };
    case 'ConditioningDoseGiven':
      return { ...progress, dosesGiven: [...progress.dosesGiven, event.data.day], doseTimes: [...(progress.doseTimes ?? []), event.data.at] };
    case 'ProductThawed':
      return { ...progress, thawedAt: event.data.at };
    case 'PatientInfused':
      return { ...progress, patient: 'INFUSED', infusedAt: event.data.at, infusionSite: event.data.siteCode, infusedBatchId: event.data.batchId ?? null };
    case 'DischargedFromMonitoring':
      return { ...progress, patient: 'DISCHARGED' };
    case 'PathwayWithdrawn':
      return { ...progress, patient: 'WITHDRAWN' };
  }
}

export function evolveProgress(progress: Progress, event: LifecycleEvent): Progress {
  const next = stepTrack(progress, event);
  const latest = progress.lastStepAt && Date.parse(progress.lastStepAt) > Date.parse(event.data.at);
  return latest ? next : { ...next, lastStepAt: event.data.at, lastStep: event.type };
}

/** The part of the product's process (its pinned DMMF version) the lifecycle rules judge. */
export type LifecycleProcess = Pick<
  ProductProcess,
  | 'startingMaterial'
  | 'maxFreshHoldHours'
  | 'apheresisHoursPerSession'
  | 'conditioningGate'
  | 'conditioningDays'
  | 'shelfLifeHours'
  | 'infusionWindowMinDays'
  | 'infusionWindowMaxDays'
  | 'reconditionAfterDays'
  | 'thawedShelfLifeMinutes'
  | 'stayWithinReachDays'
  | 'stayWithinReachMinutes'
  | 'icuReserveProbability'
>;

/** What the pathway's booking says about collection and manufacture. */
export interface Booking {
  /** Units the booked manufacturing slots are on (`unit:<ID>`): manufacture starts on one of these. */
  readonly unitIds: readonly string[];
  /** Days of the booked apheresis sessions, and when the first of them begins (null when not known). */
  readonly apheresisDays: readonly LocalDate[];
  readonly firstSessionStartsAt: Date | null;
  /** The booked infusion: its centre and day (absent when the booking has no infusion bed, or is not known). */
  readonly infusion?: { readonly centre: string; readonly day: LocalDate } | null;
  /** Days the booking reserves ICU cover at the infusion's centre (issue 14 §4). */
  readonly icuCoverDays?: readonly LocalDate[];
}

/** A unit as its own stream and its site's tell it now, and whether the pinned DMMF version designates it. */
export interface UnitFacts {
  readonly unitId: string;
  /** Undefined when no such unit is registered. */
  readonly siteCode?: string;
  readonly qualification?: QualificationState;
  /** Undefined when the unit's site is not registered. */
  readonly siteStatus?: SiteStatus;
  /** The unit, or its site, is designated in the pathway's DMMF version (HMR regs 17A/17B). */
  readonly designated: boolean;
  /**
   * Set when, on the step's day, the unit is on its way to `siteCode` (tear-down, road, set-up and
   * requalification; docs/domain.md "Deployments"): it makes nothing there before `readyOn`.
   */
  readonly onItsWay?: { readonly fromSiteCode: string; readonly readyOn: LocalDate };
}

/** What the lifecycle rules need to know about the pathway besides its progress. */
export interface LifecycleContext {
  readonly coi: string;
  readonly booked: boolean;
  readonly process: LifecycleProcess;
  /** After the washout and any postponement; the patient's postponement, if any. */
  readonly earliestCollectionDate: LocalDate;
  readonly postponedUntil: LocalDate | null;
  /** A step recorded later than this after it happened needs a reason (PathwaysOptions.lateRecordingMinutes). */
  readonly lateAfterMinutes: number;
  /** The booking in place (null when not known). */
  readonly booking: Booking | null;
  /** The units receipt and manufacture are judged against, by id (loaded only for those steps). */
  readonly units: ReadonlyMap<string, UnitFacts>;
  /** The batch a start of manufacture starts (issue 14 §1): issued by the handler, or the site's own id. */
  readonly batchId?: string;
  /** The acting user's signature, made by the handler (signatureOf) for a step that is signed: QC release. */
  readonly signature?: ElectronicSignature;
  /**
   * Where the patient will stay after infusion, loaded for the start of conditioning and the infusion
   * (issue 14 §4): absent for a pathway referred before Bedside kept a district, whose reach is not judged.
   */
  readonly stay?: PatientStay | null;
}

/** When a step happened, when it is recorded, and why late if it is (issue 11 §2). */
export interface When {
  /** When it happened: the occurredAt given, else now. */
  readonly at: Date;
  /** Bedside's clock as the step is recorded. */
  readonly now: Date;
  readonly lateReason?: string | null;
}

const iso = (instant: Date | string) => (typeof instant === 'string' ? instant : instant.toISOString());
const dayOf = (instant: Date | string) => localDateOf(new Date(instant), NETWORK_TIME_ZONE);
const hoursText = (ms: number) => {
  const hours = ms / HOUR_MS;
  return `${hours >= 10 ? Math.round(hours) : Math.round(hours * 10) / 10} h`;
};

/**
 * The instant a step is recorded at, judged (issue 11 §2): not in the future, not before the step it
 * follows, and with a reason when recorded long after it happened. The event's `at` is when it happened;
 * the log's own recordedAt says when it was typed.
 */
function timed(ctx: LifecycleContext, p: Progress, step: string, when: When): Pick<StepFacts, 'at' | 'lateReason'> {
  const { at, now } = when;
  if (Number.isNaN(at.getTime())) throw new ValidationError('occurredAt', `Give when the ${step.toLowerCase()} happened as an ISO instant, e.g. 2027-03-01T13:00:00Z.`);
  if (at.getTime() > now.getTime()) {
    throw new ValidationError('occurredAt', `${step} cannot be dated ${iso(at)}: that is after now (${iso(now)}). Record a step once it has happened; leave occurredAt out for now.`);
  }
  if (p.lastStepAt && at.getTime() < Date.parse(p.lastStepAt)) {
    throw new ValidationError(
      'occurredAt',
      `${step} cannot be dated ${iso(at)}: that is before the step it follows (${p.lastStep ? STEP_WORDS[p.lastStep] : 'the last step'}, recorded as happening at ${p.lastStepAt}). Check when it happened (occurredAt).`,
    );
  }
  const lateReason = optionalReason(when.lateReason);
  const lateMs = now.getTime() - at.getTime();
  if (!lateReason && lateMs > ctx.lateAfterMinutes * 60_000) {
    // GXP data integrity: a contemporaneous record is the rule; a late one says why (MHRA GXP 6.13).
    throw new ValidationError('lateReason', `${step} is recorded ${hoursText(lateMs)} after it happened: say why (lateReason).`);
  }
  return { at: at.toISOString(), ...(lateReason && { lateReason }) };
}

/** The batch a step after the start of manufacture names, when there is one. */
const ofBatch = (p: Progress): { batchId?: string } => (p.batchId ? { batchId: p.batchId } : {});

const facts = (ctx: LifecycleContext, p: Progress, step: string, siteCode: string, when: When): StepFacts => ({
  coi: ctx.coi,
  siteCode: requireText('siteCode', siteCode, 10).toUpperCase(),
  ...timed(ctx, p, step, when),
});

function notWithdrawn(p: Progress, step: string): void {
  if (p.patient === 'WITHDRAWN') throw new StepOutOfOrderError(step, 'the pathway was withdrawn.');
  if (p.patient === 'DISCHARGED') throw new StepOutOfOrderError(step, 'the patient has been discharged: the pathway is complete.');
}

function expectProduct(p: Progress, step: string, allowed: readonly ProductState[], due: string): void {
  notWithdrawn(p, step);
  if (!allowed.includes(p.product)) throw new StepOutOfOrderError(step, `the product is ${p.product.replace(/_/g, ' ').toLowerCase()}; ${due}`, { productState: p.product });
}

export interface CollectionFacts {
  readonly siteCode: string;
  readonly sessions: number;
  readonly cd3YieldE9: number | null;
  /** When the first apheresis session began, when the scheduler knows it. */
  readonly firstSessionStartedAt?: Date | null;
}

export function recordCollection(ctx: LifecycleContext, p: Progress, input: CollectionFacts, when: When): CollectionRecorded[] {
  if (!ctx.booked) throw new StepOutOfOrderError('Collection', 'no plan is booked yet; hold and confirm a plan first.');
  expectProduct(p, 'Collection', ['NOT_COLLECTED'], 'collection is already recorded.');
  const { sessions } = input;
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 4) throw new ValidationError('sessions', 'Collection takes 1 to 4 apheresis sessions.');
  const stepFacts = facts(ctx, p, 'Collection', input.siteCode, when);
  const first = firstSession(ctx, input, when.at);
  // Washout (domain.md step 2): no apheresis on a day before it ends, in the network's days. A first
  // session Bedside only estimates is not judged: the day the collection is recorded on is.
  const firstDay = dayOf(first.given ? first.at : when.at);
  if (firstDay < ctx.earliestCollectionDate) {
    const postponed = ctx.postponedUntil === ctx.earliestCollectionDate;
    throw new StepOutOfOrderError(
      'Collection',
      `${postponed ? `the patient is postponed until ${ctx.earliestCollectionDate}` : `the washout ends on ${ctx.earliestCollectionDate}`}, and this collection is dated ${firstDay}. Collect on or after ${ctx.earliestCollectionDate}; if the date is wrong, correct occurredAt.`,
      { earliestCollectionDate: ctx.earliestCollectionDate },
    );
  }
  return [new CollectionRecorded({ ...stepFacts, sessions, cd3YieldE9: input.cd3YieldE9, firstSessionStartedAt: first.at.toISOString() })];
}

/**
 * When the collection's first session began: as given; else the booking's first apheresis session
 * when the collection ended on a booked day after it began; else one session before the end (issue 11 §5).
 */
function firstSession(ctx: LifecycleContext, input: CollectionFacts, endedAt: Date): { at: Date; given: boolean } {
  const given = input.firstSessionStartedAt;
  if (given) {
    if (Number.isNaN(given.getTime())) throw new ValidationError('firstSessionStartedAt', 'Give when the first session began as an ISO instant.');
    if (given.getTime() > endedAt.getTime()) {
      throw new ValidationError('firstSessionStartedAt', `The first session cannot begin (${iso(given)}) after the collection ended (${iso(endedAt)}).`);
    }
    return { at: given, given: true };
  }
  const booking = ctx.booking;
  if (booking?.firstSessionStartsAt && booking.firstSessionStartsAt.getTime() <= endedAt.getTime() && booking.apheresisDays.includes(dayOf(endedAt))) {
    return { at: booking.firstSessionStartsAt, given: false };
  }
  if (input.sessions > 1 && ctx.process.startingMaterial === 'FRESH') {
    // The fresh hold runs from the first session: guessing it for a multi-session collection off its booked days could let old cells through.
    throw new ValidationError(
      'firstSessionStartedAt',
      `This collection took ${input.sessions} sessions, not on its booked days: say when the first session began (firstSessionStartedAt), as the fresh hold counts from it.`,
    );
  }
  return { at: new Date(endedAt.getTime() - ctx.process.apheresisHoursPerSession * HOUR_MS), given: false };
}

/** The booked unit, for receipt and manufacture; null when the booking names none (recorded before bookings listed units). */
function bookedUnit(ctx: LifecycleContext): UnitFacts | null {
  const [unitId] = ctx.booking?.unitIds ?? [];
  return unitId ? (ctx.units.get(unitId) ?? { unitId, designated: false }) : null;
}

export interface HandoverFacts {
  readonly handover: HandoverKind;
  readonly from: string;
  readonly to: string;
  readonly condition: string;
  readonly scannedCoi: string;
  readonly siteCode: string;
}

/** Chain of custody: every handover checks the label against the pathway (domain.md step 4). */
export function recordHandover(ctx: LifecycleContext, p: Progress, input: HandoverFacts, when: When): MaterialHandedOver[] {
  if (input.scannedCoi !== ctx.coi) throw new CoiMismatchError(ctx.coi, input.scannedCoi, `the ${input.handover === 'SHIPPED' ? 'dispatch' : 'receipt'} handover`);
  const step = input.handover === 'SHIPPED' ? 'Shipping' : 'Receipt';
  if (input.handover === 'SHIPPED') expectProduct(p, step, ['COLLECTED'], 'starting material ships after collection, once.');
  else expectProduct(p, step, ['IN_TRANSIT', 'COLLECTED'], 'record collection (and dispatch) first.');
  const stepFacts = facts(ctx, p, step, input.siteCode, when);
  const unit = bookedUnit(ctx);
  if (input.handover === 'RECEIVED' && unit?.siteCode && stepFacts.siteCode !== unit.siteCode) {
    throw new ConflictError(
      `Receipt at ${stepFacts.siteCode} refused: this batch is booked on ${unit.unitId} at ${unit.siteCode}. Deliver the starting material to ${unit.siteCode}; to make it elsewhere, accept a repair first (atRiskPathways / acceptRepair).`,
      { bookedSiteCode: unit.siteCode, bookedUnitId: unit.unitId },
    );
  }
  return [
    new MaterialHandedOver({
      ...stepFacts,
      handover: input.handover,
      from: requireText('from', input.from, 200),
      to: requireText('to', input.to, 200),
      condition: requireText('condition', input.condition, 200),
      scannedCoi: input.scannedCoi,
    }),
  ];
}

/**
 * Manufacture starts a batch (issue 14 §1): `ctx.batchId` is the batch's id (issued by the handler, or
 * the site's), and the label read at the unit, when scanned, must carry this pathway's Chain of Identity.
 */
export function startManufacture(ctx: LifecycleContext, p: Progress, siteCode: string, rawUnitId: string, when: When, labelCoi?: string | null): ManufactureStarted[] {
  const step = 'Start of manufacture';
  if (labelCoi && labelCoi.trim().toUpperCase() !== ctx.coi) throw new CoiMismatchError(ctx.coi, labelCoi.trim().toUpperCase(), 'the start of manufacture');
  expectProduct(p, step, ['RECEIVED'], 'the starting material must be received at the unit first.');
  const stepFacts = facts(ctx, p, step, siteCode, when);
  const unitId = requireText('unitId', rawUnitId, 40).toUpperCase();
  const firstSessionAt = p.collectionStartedAt ?? p.collectedAt;
  const holdEndsAt = firstSessionAt ? freshHoldEndsAt(ctx.process, new Date(firstSessionAt)) : null;
  if (firstSessionAt && holdEndsAt && when.at.getTime() > holdEndsAt.getTime()) {
    // Issue 11 §5: the hold counts from the start of the first session, so Friday's cells collected again on Monday are Friday's.
    const held = hoursHeld(new Date(firstSessionAt), when.at);
    throw new StepOutOfOrderError(
      step,
      `the fresh starting material has been held ${held.toFixed(1)} h since its first collection session began (${firstSessionAt}), beyond its ${ctx.process.maxFreshHoldHours} h hold (ended ${iso(holdEndsAt)}). Do not manufacture from it: record the deviation and plan a new collection.`,
      { hoursHeld: held, holdEndedAt: iso(holdEndsAt) },
    );
  }
  checkUnit(ctx, unitId, stepFacts.siteCode);
  return [new ManufactureStarted({ ...stepFacts, unitId, ...(ctx.batchId && { batchId: ctx.batchId }), labelCoi: labelCoi?.trim().toUpperCase() || null })];
}

/** Manufacture only on the booked unit, while it is qualified, its site active and both designated (HMR regs 17A/17B). */
function checkUnit(ctx: LifecycleContext, unitId: string, siteCode: string): void {
  const booked = ctx.booking?.unitIds ?? [];
  const bookedHere = bookedUnit(ctx);
  if (booked.length > 0 && !booked.includes(unitId)) {
    throw new ConflictError(
      `${unitId} is not the booked unit: this batch is booked on ${booked.join(', ')}${bookedHere?.siteCode ? ` at ${bookedHere.siteCode}` : ''}. Start manufacture there, or accept a repair that moves it (atRiskPathways / acceptRepair).`,
      { unitId, bookedUnitIds: booked },
    );
  }
  const unit = ctx.units.get(unitId);
  if (!unit?.siteCode) throw new NotFoundError('modular unit', unitId, 'Check the unit id: manufacture starts on the booked unit.');
  if (unit.onItsWay) {
    const { fromSiteCode, readyOn } = unit.onItsWay;
    throw new ConflictError(
      `${unitId} is on its way from ${fromSiteCode} to ${unit.siteCode} (taken down, on the road, set up and requalified) and makes nothing there before ${readyOn}. Start manufacture once it is ready, or accept the repair in atRiskPathways.`,
      { unitId, fromSiteCode, readyOn },
    );
  }
  if (unit.siteCode !== siteCode) {
    throw new ConflictError(`${unitId} is at ${unit.siteCode}, not ${siteCode}: record the start of manufacture at the unit's site.`, { unitId, unitSiteCode: unit.siteCode });
  }
  if (unit.qualification !== 'QUALIFIED') {
    throw new ConflictError(`${unitId} is ${unit.qualification ?? 'not qualified'}: requalify it or accept the repair in atRiskPathways.`, { unitId, qualification: unit.qualification });
  }
  if (unit.siteStatus !== 'ACTIVE') {
    throw new ConflictError(`Site ${unit.siteCode} is ${unit.siteStatus ?? 'not registered'}: manufacture only at an active site. Reactivate it or accept the repair in atRiskPathways.`, {
      unitId,
      siteStatus: unit.siteStatus,
    });
  }
  if (!unit.designated) {
    throw new ConflictError(`${unitId} at ${unit.siteCode} is not designated for this product in the pathway's DMMF version: manufacture only where the DMMF designates. Accept the repair in atRiskPathways.`, {
      unitId,
    });
  }
}

export function completeManufacture(ctx: LifecycleContext, p: Progress, siteCode: string, when: When): ManufactureCompleted[] {
  expectProduct(p, 'End of manufacture', ['IN_MANUFACTURE'], 'manufacture has to be started first.');
  return [new ManufactureCompleted({ ...facts(ctx, p, 'End of manufacture', siteCode, when), ...ofBatch(p) })];
}

export function failManufacture(ctx: LifecycleContext, p: Progress, siteCode: string, when: When, rawReason: string): ManufactureFailed[] {
  expectProduct(p, 'Manufacturing failure', ['IN_MANUFACTURE'], 'only a running batch can fail.');
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Record why the batch failed.');
  return [new ManufactureFailed({ ...facts(ctx, p, 'Manufacturing failure', siteCode, when), reason, afterConditioningStarted: p.patient === 'CONDITIONING', ...ofBatch(p) })];
}

/**
 * QC release, signed by the person who releases (ctx.signature). An exceptional release of
 * out-of-specification product takes two different people (issue 14 §2): the first asks for it with the
 * reason (ExceptionalReleaseRequested, their signature meaning authored), and a second, different person
 * approves it by releasing exceptionally in turn (ProductReleased, their signature meaning approved).
 */
export function releaseProduct(
  ctx: LifecycleContext,
  p: Progress,
  siteCode: string,
  when: When,
  input: { exceptional: boolean; reason?: string | null },
): (ProductReleased | ExceptionalReleaseRequested)[] {
  // Fresh point-of-care product may be infused before sterility results arrive (domain.md step 7): release may then follow infusion.
  expectProduct(p, 'QC release', ['MANUFACTURED'], 'manufacture must be completed first.');
  const reason = optionalReason(input.reason) ?? null;
  const signature = ctx.signature;
  if (!signature) throw new Error('A QC release is signed: the handler must sign it (signatureOf).');
  const stepFacts = { ...facts(ctx, p, 'QC release', siteCode, when), ...ofBatch(p) };
  if (!input.exceptional) return [new ProductReleased({ ...stepFacts, exceptional: false, reason, approver: null, signature })];
  const asked = p.exceptionalReleaseRequest;
  if (!asked) {
    if (!reason) throw new ValidationError('reason', 'An exceptional release of out-of-specification product needs the reason; a second Qualified Person then approves it.');
    return [new ExceptionalReleaseRequested({ ...stepFacts, reason, signature: { ...signature, meaning: 'AUTHORED' } })];
  }
  if (asked.signature.signer === signature.signer) {
    throw new ConflictError(
      `An exceptional release needs a second, different signer: ${asked.signature.signer} asked for it (${asked.reason}). Another Qualified Person approves it by releasing it exceptionally.`,
      { requestedBy: asked.signature.signer },
    );
  }
  return [new ProductReleased({ ...stepFacts, exceptional: true, reason: asked.reason, approver: signature.signer, signature, requestedBy: asked.signature })];
}

export function failQc(ctx: LifecycleContext, p: Progress, siteCode: string, when: When, rawReason: string): QcFailed[] {
  expectProduct(p, 'QC failure', ['MANUFACTURED'], 'QC follows the end of manufacture.');
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Record why QC failed.');
  return [new QcFailed({ ...facts(ctx, p, 'QC failure', siteCode, when), reason, afterConditioningStarted: p.patient === 'CONDITIONING', ...ofBatch(p) })];
}

/** The gate before conditioning (product labels; domain.md step 7). */
export function confirmAvailability(ctx: LifecycleContext, p: Progress, siteCode: string, when: When): ProductAvailabilityConfirmed[] {
  notWithdrawn(p, 'Availability confirmation');
  if (p.availabilityConfirmed) throw new StepOutOfOrderError('Availability confirmation', 'availability is already confirmed.');
  const gate = ctx.process.conditioningGate;
  const allowed: readonly ProductState[] = gate === 'RELEASE_BEFORE_CONDITIONING' ? ['RELEASED'] : ['IN_MANUFACTURE', 'MANUFACTURED', 'RELEASED'];
  if (!allowed.includes(p.product)) {
    throw new StepOutOfOrderError(
      'Availability confirmation',
      gate === 'RELEASE_BEFORE_CONDITIONING'
        ? 'this product must be released and in stock before conditioning: record the QC release first.'
        : 'the unit can confirm only a batch that is under way: start manufacture first.',
      { productState: p.product },
    );
  }
  return [new ProductAvailabilityConfirmed({ ...facts(ctx, p, 'Availability confirmation', siteCode, when), gate })];
}

/**
 * Lymphodepletion starts once the product is confirmed available. A second course starts only once
 * the first has lapsed: more than the process's `reconditionAfterDays` after its last dose, with no
 * infusion (reconditioningFrom, the rule the plan search's infusion window also ends at; issue 14 §4).
 */
export function startConditioning(ctx: LifecycleContext, p: Progress, siteCode: string, when: When): ConditioningStarted[] {
  const step = 'Start of conditioning';
  notWithdrawn(p, step);
  if (!p.availabilityConfirmed) throw new StepOutOfOrderError(step, 'product availability must be confirmed before lymphodepletion starts.');
  if (p.product === 'FAILED') throw new StepOutOfOrderError(step, 'the product failed; do not condition.');
  if (p.patient === 'WAITING') {
    const stepFacts = facts(ctx, p, step, siteCode, when);
    checkWithinReach(ctx, step, stepFacts.siteCode);
    checkIcuCover(ctx, step, stepFacts.siteCode);
    return [new ConditioningStarted(stepFacts)];
  }
  if (p.patient !== 'CONDITIONING') throw new StepOutOfOrderError(step, 'the patient has been infused.');
  const lastDoseAt = p.doseTimes?.at(-1);
  const from = lastDoseAt === undefined ? null : reconditioningFrom(ctx.process, dayOf(lastDoseAt));
  if (from === null || dayOf(when.at) < from) {
    throw new StepOutOfOrderError(
      step,
      from === null
        ? 'conditioning has already started.'
        : `conditioning has already started: a new course may start only once this one has lapsed, more than ${ctx.process.reconditionAfterDays} days after its last dose (${dayOf(lastDoseAt!)}), so from ${from}.`,
      from === null ? {} : { reconditionFrom: from },
    );
  }
  return [new ConditioningStarted({ ...facts(ctx, p, step, siteCode, when), course: (p.conditioningCourse ?? 1) + 1 })];
}

/**
 * Doses fall on the regimen's days relative to infusion day 0 (domain.md step 8): the first dose fixes
 * the calendar, and each later dose falls as many days after it as the regimen's days differ.
 */
export function recordConditioningDose(ctx: LifecycleContext, p: Progress, siteCode: string, when: When, day: number): ConditioningDoseGiven[] {
  const step = 'Conditioning dose';
  notWithdrawn(p, step);
  if (p.patient !== 'CONDITIONING') throw new StepOutOfOrderError(step, 'conditioning has not started (or is over).');
  const days = ctx.process.conditioningDays;
  const due = days[p.dosesGiven.length];
  if (due === undefined) throw new StepOutOfOrderError(step, 'every conditioning dose of the regimen is already given.');
  if (day !== due) throw new StepOutOfOrderError(step, `the dose due is day ${due}, not day ${day}.`, { dueDay: due });
  const stepFacts = facts(ctx, p, step, siteCode, when);
  const firstAt = p.doseTimes?.[0];
  if (firstAt !== undefined) {
    const dueOn = addDays(dayOf(firstAt), due - days[0]!);
    const givenOn = dayOf(when.at);
    if (givenOn !== dueOn) {
      throw new StepOutOfOrderError(
        step,
        `the day ${due} dose falls on ${dueOn} (the day ${days[0]} dose was given on ${dayOf(firstAt)}), not on ${givenOn}. If it was given on ${dueOn}, say so (occurredAt); if the regimen slipped, escalate to the treating consultant before going on.`,
        { dueDay: due, dueOn },
      );
    }
  }
  return [new ConditioningDoseGiven({ ...stepFacts, day })];
}

/**
 * Frozen product is thawed at the bedside once conditioning is complete and the product released, and
 * must then be infused within the process's thawedShelfLifeMinutes (issue 14 §4; domain.md step 8).
 */
export function recordThaw(ctx: LifecycleContext, p: Progress, siteCode: string, when: When): ProductThawed[] {
  const step = 'Thaw';
  notWithdrawn(p, step);
  const minutes = ctx.process.thawedShelfLifeMinutes;
  if (minutes === null || minutes === undefined) throw new StepOutOfOrderError(step, 'this product is not frozen: it is infused as it comes, with no thaw.');
  if (p.product !== 'RELEASED') throw new StepOutOfOrderError(step, `the product is ${p.product.replace(/_/g, ' ').toLowerCase()}: thaw only released product.`, { productState: p.product });
  if (p.patient !== 'CONDITIONING' || p.dosesGiven.length < ctx.process.conditioningDays.length) {
    throw new StepOutOfOrderError(step, p.patient === 'INFUSED' ? 'the patient has been infused.' : 'conditioning is not complete: thaw the product only when the patient is ready to be infused.');
  }
  if (p.thawedAt) throw new StepOutOfOrderError(step, `the product was thawed at ${p.thawedAt}.`);
  return [new ProductThawed({ ...facts(ctx, p, step, siteCode, when), ...ofBatch(p) })];
}

/**
 * Lymphodepletion and infusion happen only at a centre the patient can stay within reach of for the
 * monitoring period (clinical-rules.ts staysWithinReach; plan-search.ts R9 offers only those): checked
 * before the course starts, when it can still move, and again at the bedside.
 */
function checkWithinReach(ctx: LifecycleContext, step: string, siteCode: string): void {
  const stay = ctx.stay;
  if (!stay || staysWithinReach(ctx.process, stay.minutesTo(siteCode))) return;
  const minutes = stay.minutesTo(siteCode);
  throw new ConflictError(
    `${step} at ${siteCode} refused: ${outOfReachWords(ctx.process, stay.district, siteCode, minutes)}. Arrange a stay within reach of ${siteCode} (arrangeMonitoringStay), or repair the plan to a centre within reach of ${stay.district} (atRiskPathways / acceptRepair).`,
    { district: stay.district, siteCode, ...(minutes === undefined ? {} : { minutes }), stayWithinReachMinutes: ctx.process.stayWithinReachMinutes },
  );
}

/**
 * Conditioning starts only with ICU cover reserved for the booked infusion (clinical-rules.ts icuCover;
 * plan-search.ts R10 plans it, the hold's judge requires it): judged before the course starts, while the
 * plan can still move. A booking made before Bedside reserved cover has none, and is repaired first.
 */
function checkIcuCover(ctx: LifecycleContext, step: string, siteCode: string): void {
  const infusion = ctx.booking?.infusion;
  if (!infusion) return;
  const { cover, missing } = icuCoverMissingDays(ctx.process, infusion.day, ctx.booking?.icuCoverDays ?? []);
  if (missing.length === 0) return;
  throw new ConflictError(
    `${step} at ${siteCode} refused: ${icuCoverWords(ctx.process, infusion.centre, cover)}, and the booking reserves none on ${missing.join(' and ')}. Repair the plan so that it reserves the cover (atRiskPathways / acceptRepair), then start conditioning.`,
    { siteCode: infusion.centre, infusionDay: infusion.day, missingIcuCoverDays: missing, icuReserveProbability: ctx.process.icuReserveProbability },
  );
}

/** Infusion is blocked unless the product's label carries this pathway's Chain of Identity. */
export function recordInfusion(ctx: LifecycleContext, p: Progress, siteCode: string, when: When, scannedCoi: string): PatientInfused[] {
  notWithdrawn(p, 'Infusion');
  if (scannedCoi !== ctx.coi) throw new CoiMismatchError(ctx.coi, scannedCoi, 'the bedside before infusion');
  const { conditioningDays, conditioningGate, shelfLifeHours } = ctx.process;
  if (p.patient !== 'CONDITIONING' || p.dosesGiven.length < conditioningDays.length) {
    const next = conditioningDays[p.dosesGiven.length];
    throw new StepOutOfOrderError('Infusion', next === undefined ? 'conditioning has not started.' : `conditioning is not complete: the day ${next} dose is due.`);
  }
  const ready: readonly ProductState[] = conditioningGate === 'RELEASE_BEFORE_CONDITIONING' ? ['RELEASED'] : ['MANUFACTURED', 'RELEASED'];
  if (!ready.includes(p.product)) throw new StepOutOfOrderError('Infusion', `the product is ${p.product.replace(/_/g, ' ').toLowerCase()}, not ready to infuse.`);
  const stepFacts = facts(ctx, p, 'Infusion', siteCode, when);
  checkWithinReach(ctx, 'Infusion', stepFacts.siteCode);
  checkInfusionWindow(ctx, p, when.at);
  const expiresAt = p.manufacturedAt ? shelfLifeEndsAt(ctx.process, new Date(p.manufacturedAt)) : null;
  if (expiresAt && when.at.getTime() > expiresAt.getTime()) {
    throw new StepOutOfOrderError(
      'Infusion',
      `the product passed its ${shelfLifeHours} h shelf life at ${expiresAt.toISOString()}: do not infuse it; record the deviation and repair the pathway.`,
      { shelfLifeHours },
    );
  }
  checkThawed(ctx, p, when.at);
  return [new PatientInfused({ ...stepFacts, scannedCoi, ...ofBatch(p) })];
}

/** Frozen product: thawed (recordThaw), and infused within its thawed shelf life (clinical-rules.ts thawedProductExpiresAt). */
function checkThawed(ctx: LifecycleContext, p: Progress, at: Date): void {
  const minutes = ctx.process.thawedShelfLifeMinutes;
  if (minutes === null || minutes === undefined) return;
  if (!p.thawedAt) throw new StepOutOfOrderError('Infusion', `this product is frozen: record the thaw at the bedside first (recordThaw), then infuse within ${minutes} minutes.`);
  const expires = thawedProductExpiresAt(ctx.process, new Date(p.thawedAt))!;
  if (at.getTime() > expires.getTime()) {
    throw new StepOutOfOrderError(
      'Infusion',
      `the product was thawed at ${p.thawedAt} and had to be infused within ${minutes} minutes, by ${expires.toISOString()}. Do not infuse it: record the deviation and repair the pathway.`,
      { thawedAt: p.thawedAt, thawedShelfLifeMinutes: minutes },
    );
  }
}

/** Infusion within the product's window after the last conditioning dose, in calendar days (domain.md step 8). */
function checkInfusionWindow(ctx: LifecycleContext, p: Progress, at: Date): void {
  const lastDoseAt = p.doseTimes?.at(-1);
  if (lastDoseAt === undefined) return; // doses recorded before their instants were kept
  const lastDoseOn = dayOf(lastDoseAt);
  const { min, max } = infusionGapDays(ctx.process);
  const gap = daysBetween(lastDoseOn, dayOf(at));
  if (gap >= min && gap <= max) return;
  const from = addDays(lastDoseOn, min);
  const to = addDays(lastDoseOn, max);
  const window = min === max ? `on ${from}` : `from ${from} to ${to}`;
  const lastDay = p.dosesGiven.at(-1);
  throw new StepOutOfOrderError(
    'Infusion',
    gap < min
      ? `the last conditioning dose (day ${lastDay}) was given on ${lastDoseOn}, and this product is infused ${min === max ? `${min}` : `${min} to ${max}`} days after it: ${window}, not on ${dayOf(at)}. If it happened then, say so (occurredAt).`
      : `the infusion window after the last conditioning dose (given ${lastDoseOn}) closed on ${to}. Do not infuse: ${
          reconditioningFrom(ctx.process, lastDoseOn) === null
            ? 'the treating consultant decides whether conditioning is repeated; record the deviation.'
            : `a new conditioning course is needed, which may start from ${reconditioningFrom(ctx.process, lastDoseOn)} (startConditioning), once this one has lapsed; record the deviation.`
        }`,
    { earliestInfusionDay: from, latestInfusionDay: to },
  );
}

export function discharge(ctx: LifecycleContext, p: Progress, siteCode: string, when: When): DischargedFromMonitoring[] {
  notWithdrawn(p, 'Discharge');
  if (p.patient !== 'INFUSED') throw new StepOutOfOrderError('Discharge', 'the patient has not been infused.');
  return [new DischargedFromMonitoring(facts(ctx, p, 'Discharge', siteCode, when))];
}

export function withdraw(ctx: LifecycleContext, p: Progress, siteCode: string, when: When, rawReason: string, died: boolean): PathwayWithdrawn[] {
  notWithdrawn(p, 'Withdrawal');
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Record why the pathway ends.');
  return [new PathwayWithdrawn({ ...facts(ctx, p, 'Withdrawal', siteCode, when), reason, died })];
}
