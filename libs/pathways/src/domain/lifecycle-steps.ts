import {
  completeManufacture,
  confirmAvailability,
  discharge,
  failManufacture,
  failQc,
  recordCollection,
  recordConditioningDose,
  recordHandover,
  recordInfusion,
  recordThaw,
  releaseProduct,
  startConditioning,
  startManufacture,
  withdraw,
  type CollectionFacts,
  type HandoverFacts,
  type LifecycleContext,
  type LifecycleEvent,
  type Progress,
  type When,
} from './lifecycle';

/**
 * A clinical step as a scheduler records it: plain data, one kind per step (issue 12 §4: commands are
 * data, not closures built in resolvers). `decideStep` judges it with the rules of lifecycle.ts.
 */
export type LifecycleStep =
  | { readonly step: 'COLLECTION'; readonly collection: CollectionFacts }
  | { readonly step: 'HANDOVER'; readonly handover: HandoverFacts }
  | {
      readonly step: 'MANUFACTURE_STARTED';
      readonly siteCode: string;
      readonly unitId: string;
      /** The site's own batch id, when its system assigns one; else Bedside issues one. */
      readonly batchId?: string | null;
      /** The Chain of Identity read from the starting material's label at the unit. */
      readonly labelCoi?: string | null;
    }
  | { readonly step: 'MANUFACTURE_COMPLETED'; readonly siteCode: string }
  | { readonly step: 'MANUFACTURE_FAILED'; readonly siteCode: string; readonly reason: string }
  | { readonly step: 'PRODUCT_RELEASED'; readonly siteCode: string; readonly exceptional: boolean; readonly reason?: string | null }
  | { readonly step: 'QC_FAILED'; readonly siteCode: string; readonly reason: string }
  | { readonly step: 'AVAILABILITY_CONFIRMED'; readonly siteCode: string }
  | { readonly step: 'CONDITIONING_STARTED'; readonly siteCode: string }
  | { readonly step: 'CONDITIONING_DOSE'; readonly siteCode: string; readonly day: number }
  | { readonly step: 'THAWED'; readonly siteCode: string }
  | { readonly step: 'INFUSED'; readonly siteCode: string; readonly productCoi: string }
  | { readonly step: 'DISCHARGED'; readonly siteCode: string }
  | { readonly step: 'WITHDRAWN'; readonly siteCode: string; readonly reason: string; readonly died: boolean };

/** The events a step records on a pathway where it stands, or the refusal a scheduler is shown. */
export function decideStep(ctx: LifecycleContext, progress: Progress, step: LifecycleStep, when: When): LifecycleEvent[] {
  switch (step.step) {
    case 'COLLECTION':
      return recordCollection(ctx, progress, step.collection, when);
    case 'HANDOVER':
      return recordHandover(ctx, progress, step.handover, when);
    case 'MANUFACTURE_STARTED':
      return startManufacture(ctx, progress, step.siteCode, step.unitId, when, step.labelCoi);
    case 'MANUFACTURE_COMPLETED':
      return completeManufacture(ctx, progress, step.siteCode, when);
    case 'MANUFACTURE_FAILED':
      return failManufacture(ctx, progress, step.siteCode, when, step.reason);
    case 'PRODUCT_RELEASED':
      return releaseProduct(ctx, progress, step.siteCode, when, step);
    case 'QC_FAILED':
      return failQc(ctx, progress, step.siteCode, when, step.reason);
    case 'AVAILABILITY_CONFIRMED':
      return confirmAvailability(ctx, progress, step.siteCode, when);
    case 'CONDITIONING_STARTED':
      return startConditioning(ctx, progress, step.siteCode, when);
    case 'CONDITIONING_DOSE':
      return recordConditioningDose(ctx, progress, step.siteCode, when, step.day);
    case 'THAWED':
      return recordThaw(ctx, progress, step.siteCode, when);
    case 'INFUSED':
      return recordInfusion(ctx, progress, step.siteCode, when, step.productCoi);
    case 'DISCHARGED':
      return discharge(ctx, progress, step.siteCode, when);
    case 'WITHDRAWN':
      return withdraw(ctx, progress, step.siteCode, when, step.reason, step.died);
  }
}

/** What judging a step reads beyond the pathway: the booked units' states, the booked sessions' times. */
export interface StepNeeds {
  /** Units to look up besides the booked ones (the unit a step names). */
  readonly units: readonly string[];
  /** Receipt and manufacture are judged against the booked unit. */
  readonly bookedUnits: boolean;
  /** Collection: when the booked apheresis sessions begin. */
  readonly sessions: boolean;
}

export function stepNeeds(step: LifecycleStep): StepNeeds {
  switch (step.step) {
    case 'COLLECTION':
      return { units: [], bookedUnits: false, sessions: true };
    case 'HANDOVER':
      return { units: [], bookedUnits: step.handover.handover === 'RECEIVED', sessions: false };
    case 'MANUFACTURE_STARTED': {
      // The unit the step names, when it could be one (longer ids are refused by the rules).
      const named = step.unitId.trim().toUpperCase();
      return { units: named && named.length <= 40 ? [named] : [], bookedUnits: true, sessions: false };
    }
    default:
      return { units: [], bookedUnits: false, sessions: false };
  }
}

/** Why, for the audit trail, when the step carries its own reason (a failure, a withdrawal, an exceptional release). */
export function stepReason(step: LifecycleStep): string | undefined {
  switch (step.step) {
    case 'MANUFACTURE_FAILED':
    case 'QC_FAILED':
    case 'WITHDRAWN':
      return step.reason;
    case 'PRODUCT_RELEASED':
      return step.reason ?? undefined;
    default:
      return undefined;
  }
}
