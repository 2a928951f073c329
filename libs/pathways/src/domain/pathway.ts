import { eventClass, ConflictError, NotFoundError, oneOf, optionalReason, optionalText, parseLocalDate, postcodeDistrict, requireText, ValidationError, type Evolver, type LocalDate } from '@bedside/shared';
import { designatesUnitAt } from '@bedside/network/domain';
import { evolveProgress, NOT_STARTED, productTrackRestarted, StepOutOfOrderError, type LifecycleEvent, type Progress } from './lifecycle';
import type { AdverseEventReported } from './batch';
import { progressOfSteps, stepsAfter, type CorrectionEvent, type StepEntry } from './corrections';
import type { SlotRef } from './slot';
import type { WaitlistJoined } from './waitlist';
import type { Washout } from './washout';

export const PRIORITIES = ['ROUTINE', 'URGENT', 'EMERGENCY'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Where a pathway stands, in one word: the patient's step once conditioning starts, else the product's, else the plan's. */
export const PATHWAY_STATUSES = [
  'REFERRED',
  'PLAN_HELD',
  'BOOKED',
  'COLLECTED',
  'IN_TRANSIT',
  'RECEIVED',
  'IN_MANUFACTURE',
  'MANUFACTURED',
  'RELEASED',
  'PRODUCT_FAILED',
  'CONDITIONING',
  'INFUSED',
  'DISCHARGED',
  'WITHDRAWN',
] as const;
export type PathwayStatus = (typeof PATHWAY_STATUSES)[number];

/** The one-word status of a booked pathway from its two tracks. */
export function statusOf(plan: 'REFERRED' | 'PLAN_HELD' | 'BOOKED', progress: Progress): PathwayStatus {
  if (progress.patient !== 'WAITING') return progress.patient;
  if (progress.product === 'FAILED') return 'PRODUCT_FAILED';
  if (progress.product !== 'NOT_COLLECTED') return progress.product;
  return plan;
}

export interface PatientReferredData {
  readonly coi: string;
  /** Pseudonymous reference the trust can resolve; never a name (domain.md step 1). */
  readonly patientRef: string;
  readonly referringTrust: string;
  readonly productCode: string;
  /** The DMMF version the pathway is planned under; later versions do not change it. */
  readonly dmmfVersion: number;
  readonly treatmentCentre: string | null;
  readonly washout: Washout;
  readonly earliestCollectionDate: LocalDate;
  readonly clinicalDeadline: LocalDate | null;
  readonly priority: Priority;
  /** When the referral was made, by Bedside's clock (absent before 2026-12: the event's recorded instant then). */
  readonly referredAt?: string;
  /**
   * The patient's postcode district (e.g. "M20"), never an address: where they stay after infusion unless
   * a stay is arranged (issue 14 §4). Absent on referrals made before Bedside asked for it.
   */
  readonly homeDistrict?: string;
}

export class PatientReferred extends eventClass<'PatientReferred', PatientReferredData>('PatientReferred') {}

export class PlanHeld extends eventClass<'PlanHeld', { readonly coi: string; readonly holdId: string; readonly expiresAt: string; readonly slots: readonly SlotRef[] }>('PlanHeld') {}

export class PlanBooked extends eventClass<'PlanBooked', { readonly coi: string; readonly holdId: string }>('PlanBooked') {}

export class PlanReleased extends eventClass<'PlanReleased', { readonly coi: string; readonly holdId: string; readonly reason: string; readonly expired: boolean }>('PlanReleased') {}

/**
 * A booked plan replaced by a repaired one, in one step (disruption repair). `slots` is the whole new
 * booking, steps already done included; `recollection` marks a new collection after the product failed,
 * which starts the product's track again (the failed batch stays in the log).
 */
export class PlanRepaired extends eventClass<
  'PlanRepaired',
  { readonly coi: string; readonly fromHoldId: string; readonly toHoldId: string; readonly reason: string; readonly slots: readonly SlotRef[]; readonly recollection?: boolean }
>('PlanRepaired') {}

/** The patient cannot be collected or conditioned before `until` (illness, infection, patient choice). */
export class PatientPostponed extends eventClass<'PatientPostponed', { readonly coi: string; readonly until: LocalDate; readonly reason: string }>('PatientPostponed') {}

/**
 * Where the patient will stay for the monitoring period when not at home, e.g. accommodation near a
 * treatment centre beyond reach of home (issue 14 §4): a postcode district, with the reason.
 */
export class MonitoringStayArranged extends eventClass<'MonitoringStayArranged', { readonly coi: string; readonly district: string; readonly reason: string }>('MonitoringStayArranged') {}

export type PathwayEvent = PatientReferred | PlanHeld | PlanBooked | PlanReleased | PlanRepaired | PatientPostponed | MonitoringStayArranged | LifecycleEvent | WaitlistJoined | CorrectionEvent | AdverseEventReported;

export const pathwayStreamId = (coi: string) => `pathway-${coi}`;

export interface Pathway {
  readonly coi: string;
  readonly referringTrust: string;
  readonly productCode: string;
  readonly dmmfVersion: number;
  readonly status: 'REFERRED' | 'PLAN_HELD' | 'BOOKED';
  readonly holdId: string | null;
  readonly progress: Progress;
  /** On the waitlist until a plan is held for it. */
  readonly waitlisted: boolean;
  /** After the washout and any postponement. */
  readonly earliestCollectionDate: LocalDate;
  readonly postponedUntil: LocalDate | null;
  /** Where the patient will stay after infusion: an arranged stay's district, else home's; null when the referral gave none. */
  readonly stayDistrict: string | null;
  /** The clinical steps recorded, as corrected (corrections.ts): where the pathway stands is folded from them. */
  readonly steps: readonly StepEntry[];
  /** How many events the stream has: the next event's place in it is one more. */
  readonly version: number;
}

export const pathwayEvolver: Evolver<Pathway | undefined, PathwayEvent> = {
  initialState: undefined,
  evolve(before, event) {
    const state = before && { ...before, version: before.version + 1 };
    switch (event.type) {
      case 'PatientReferred':
        return {
          coi: event.data.coi,
          referringTrust: event.data.referringTrust,
          productCode: event.data.productCode,
          dmmfVersion: event.data.dmmfVersion,
          status: 'REFERRED',
          holdId: null,
          progress: NOT_STARTED,
          waitlisted: false,
          earliestCollectionDate: event.data.earliestCollectionDate,
          postponedUntil: null,
          stayDistrict: event.data.homeDistrict ?? null,
          steps: [],
          version: 1,
        };
      case 'PlanHeld':
        return state && { ...state, status: 'PLAN_HELD', holdId: event.data.holdId, waitlisted: false };
      case 'WaitlistJoined':
        return state && { ...state, waitlisted: true };
      case 'PlanRepaired':
        return (
          state && {
            ...state,
            status: 'BOOKED',
            holdId: event.data.toHoldId,
            progress: event.data.recollection ? productTrackRestarted(state.progress) : state.progress,
            steps: stepsAfter(state.steps, state.version, event),
          }
        );
      case 'AdverseEventReported':
        return state;
      case 'StepCorrected':
      case 'StepEnteredInError': {
        if (!state) return state;
        const steps = stepsAfter(state.steps, state.version, event);
        return { ...state, steps, progress: progressOfSteps(steps) };
      }
      case 'MonitoringStayArranged':
        return state && { ...state, stayDistrict: event.data.district };
      case 'PatientPostponed':
        return state && { ...state, ...postponedDates(state.earliestCollectionDate, state.progress, event.data.until) };
      case 'PlanBooked':
        return state && { ...state, status: 'BOOKED' };
      case 'PlanReleased':
        return state && { ...state, status: 'REFERRED', holdId: null };
      default:
        return state && { ...state, progress: evolveProgress(state.progress, event), steps: stepsAfter(state.steps, state.version, event) };
    }
  },
};

export interface ReferPatient {
  readonly patientRef: string;
  readonly referringTrust: string;
  readonly priority: string;
  readonly treatmentCentre?: string | null;
  /** The patient's postcode district (outward code only). */
  readonly homeDistrict?: string | null;
}

export function referPatient(state: Pathway | undefined, coi: string, command: ReferPatient, facts: Omit<PatientReferredData, 'coi' | 'patientRef' | 'referringTrust' | 'priority' | 'treatmentCentre'>): PatientReferred[] {
  if (state) throw new ConflictError(`A pathway with Chain of Identity ${coi} already exists.`, { coi });
  const patientRef = requireText('patientRef', command.patientRef, 64);
  if (!command.homeDistrict?.trim()) {
    throw new ValidationError('homeDistrict', 'Give the patient’s postcode district, the part of the postcode before the space (e.g. "M20"): after infusion the patient must stay within reach of the treatment centre, and plans are made for centres within reach of it.');
  }
  const homeDistrict = postcodeDistrict('homeDistrict', command.homeDistrict);
  return [
    new PatientReferred({
      coi,
      patientRef,
      referringTrust: command.referringTrust,
      priority: oneOf('priority', command.priority, PRIORITIES),
      treatmentCentre: optionalText('treatmentCentre', command.treatmentCentre, 10) ?? null,
      ...facts,
      homeDistrict,
    }),
  ];
}

export function requirePathway(state: Pathway | undefined, coi: string): Pathway {
  if (!state) throw new NotFoundError('pathway', coi, 'Refer the patient first (referPatient), or check the Chain of Identity.');
  return state;
}

/** A plan can be held for a referred pathway with no hold or booking in place. */
export function holdPlanOn(state: Pathway | undefined, coi: string, holdId: string, expiresAt: Date, slots: readonly SlotRef[]): PlanHeld[] {
  const pathway = requirePathway(state, coi);
  if (pathway.status !== 'REFERRED') {
    throw new ConflictError(
      pathway.status === 'PLAN_HELD'
        ? `Pathway ${coi} already has plan ${pathway.holdId} on hold. Confirm or release it before holding another.`
        : `Pathway ${coi} is already booked. Rebooking comes through a repair proposal.`,
      { coi, status: pathway.status, holdId: pathway.holdId },
    );
  }
  return [new PlanHeld({ coi, holdId, expiresAt: expiresAt.toISOString(), slots })];
}

/** One per issued identifier, on a register stream per facility and year: its version is the sequence. */
export class CoiIssued extends eventClass<'CoiIssued', { readonly coi: string; readonly sequence: number }>('CoiIssued') {}

export const coiRegisterStreamId = (facilityId: string, year: number) => `coi-register-${facilityId}-${year}`;

export function bookPlanOn(state: Pathway | undefined, coi: string, holdId: string): PlanBooked[] {
  const pathway = requirePathway(state, coi);
  if (pathway.holdId !== holdId || pathway.status !== 'PLAN_HELD') {
    throw new ConflictError(`Pathway ${coi} no longer has plan ${holdId} on hold.`, { coi, holdId, status: pathway.status });
  }
  return [new PlanBooked({ coi, holdId })];
}

/** What a held plan must respect whoever built it: the washout, and manufacture only where the pinned DMMF designates. */
export interface PlanRules {
  readonly earliestCollectionDate: LocalDate;
  readonly designatedUnitIds: ReadonlySet<string>;
  readonly designatedSiteCodes: ReadonlySet<string>;
  /** Where a unit named in the plan stands on a day (its home, or where its deployments take it); undefined if unknown. */
  readonly unitSiteOn: (unitId: string, day: LocalDate) => string | undefined;
}

export function checkPlanSlots(slots: readonly SlotRef[], rules: PlanRules): void {
  for (const slot of slots) {
    if (slot.resourceKey.endsWith(':APHERESIS_CHAIR') && slot.day < rules.earliestCollectionDate) {
      throw new ValidationError('slots', `Collection on ${slot.day} is before the end of the washout (${rules.earliestCollectionDate}).`);
    }
    if (slot.resourceKey.startsWith('unit:')) {
      const unitId = slot.resourceKey.slice('unit:'.length);
      const site = rules.unitSiteOn(unitId, slot.day);
      if (!designatesUnitAt({ unitIds: rules.designatedUnitIds, siteCodes: rules.designatedSiteCodes }, unitId, site)) {
        throw new ValidationError('slots', `Unit ${unitId} is not designated for this product under the pathway's DMMF version${site ? ` where it stands on ${slot.day} (${site})` : ''}; choose a designated unit.`);
      }
    }
  }
}

/**
 * Repair replaces the booked plan, keeping what is done: allowed until conditioning starts (then the
 * infusion day is fixed by the regimen). After a failed product the repair is a new collection.
 */
export function repairPlanOn(state: Pathway | undefined, coi: string, toHoldId: string, slots: readonly SlotRef[], reason: string): PlanRepaired[] {
  const pathway = requirePathway(state, coi);
  if (pathway.status !== 'BOOKED' || !pathway.holdId) throw new ConflictError(`Pathway ${coi} has no booked plan to repair.`, { coi });
  if (pathway.progress.patient !== 'WAITING') {
    throw new ConflictError(`Pathway ${coi}: the patient is ${pathway.progress.patient.toLowerCase()}, so the plan can no longer be repaired here; arrange the remaining care by hand.`, { coi });
  }
  const recollection = pathway.progress.product === 'FAILED';
  return [new PlanRepaired({ coi, fromHoldId: pathway.holdId, toHoldId, reason, slots, ...(recollection && { recollection }) })];
}

/** A postponement moves the first collection day too while nothing is collected yet. */
export function postponedDates(earliest: LocalDate, progress: Progress, until: LocalDate): { earliestCollectionDate: LocalDate; postponedUntil: LocalDate } {
  return { earliestCollectionDate: progress.product === 'NOT_COLLECTED' && until > earliest ? until : earliest, postponedUntil: until };
}

/**
 * A patient not fit to go on (infection, illness, their own choice) is postponed to a day after today.
 * Only before conditioning: once lymphodepletion has started the infusion follows the regimen.
 */
export function postponePatient(state: Pathway | undefined, coi: string, rawUntil: string, rawReason: string, today: LocalDate): PatientPostponed[] {
  const pathway = requirePathway(state, coi);
  const until = parseLocalDate('until', rawUntil);
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Record why the patient is postponed.');
  if (until <= today) throw new ValidationError('until', `Postpone to a day after today (${today}); to go ahead now, keep the booking.`);
  const { patient } = pathway.progress;
  if (patient === 'WITHDRAWN' || patient === 'DISCHARGED') throw new StepOutOfOrderError('Postponement', `the pathway is ${patient.toLowerCase()}.`);
  if (patient !== 'WAITING') {
    throw new StepOutOfOrderError('Postponement', 'conditioning has started, so infusion follows the regimen; if the patient cannot be infused, record that and escalate to the treating consultant.');
  }
  return [new PatientPostponed({ coi, until, reason })];
}

/**
 * Records where the patient will stay for the monitoring period when not at home (issue 14 §4). From then
 * on the plan search offers centres within reach of that district, and the lifecycle judges conditioning
 * and infusion by it. Not once the pathway is over.
 */
export function arrangeMonitoringStay(state: Pathway | undefined, coi: string, rawDistrict: string, rawReason: string): MonitoringStayArranged[] {
  const pathway = requirePathway(state, coi);
  const district = postcodeDistrict('district', rawDistrict);
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Say why the patient will stay away from home (e.g. "hospital accommodation within reach of the centre").');
  const { patient } = pathway.progress;
  if (patient === 'DISCHARGED' || patient === 'WITHDRAWN') throw new ConflictError(`Pathway ${coi} is ${patient.toLowerCase()}: there is no monitoring stay left to arrange.`, { coi, status: patient });
  if (district === pathway.stayDistrict) throw new ValidationError('district', `The patient already stays in ${district} for the monitoring period.`);
  return [new MonitoringStayArranged({ coi, district, reason })];
}
