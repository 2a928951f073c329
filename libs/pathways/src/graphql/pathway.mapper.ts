import { NETWORK_TIME_ZONE, daysBetween, localDateOf } from '@bedside/shared';
import type { PathwayRow } from '../application/pathway-reads';
import { NOT_STARTED, type VeinToVeinPlan as Plan } from '../domain';
import type { Pathway, VeinToVeinPlan } from './pathway.types';

export const toPathway = (r: PathwayRow): Pathway => ({
  coi: r.coi,
  patientRef: r.patient_ref,
  referringTrust: r.referring_trust,
  productCode: r.product_code,
  dmmfVersion: r.dmmf_version,
  treatmentCentre: r.treatment_centre,
  status: r.status,
  productState: r.progress?.product ?? 'NOT_COLLECTED',
  patientState: r.progress?.patient ?? 'WAITING',
  priority: r.priority,
  washout: r.washout,
  earliestCollectionDate: r.earliest_collection_date,
  clinicalDeadline: r.clinical_deadline,
  postponedUntil: r.postponed_until,
  postponementReason: r.postponement_reason,
  homeDistrict: r.home_district ?? null,
  stayDistrict: r.stay_district ?? null,
  stayReason: r.stay_reason ?? null,
  holdId: r.hold_id,
  holdExpiresAt: r.hold_expires_at,
  referredAt: r.referred_at,
  batchId: r.progress?.batchId ?? null,
  version: r.stream_version,
  progress: { ...NOT_STARTED, ...r.progress },
  planBooked: r.plan_status === 'BOOKED',
});


/** A plan as GraphQL shows it, with referral-to-infusion days counted from the referral's UK date. */
export const toPlan = (plan: Plan, referredAt: Date): VeinToVeinPlan => ({
  ...plan,
  referralToInfusionDays: daysBetween(localDateOf(referredAt, NETWORK_TIME_ZONE), plan.infusionDay),
  collectionDays: [...plan.collectionDays],
  conditioningDays: [...plan.conditioningDays],
  steps: plan.steps.map((s) => ({ ...s, slots: [...s.slots] })),
  slots: [...plan.slots],
});
