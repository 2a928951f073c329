export * from './chain-of-identity';
export * from './washout';
export * from './slot';
export * from './hold';
export * from './hold-decisions';
export * from './pathway';
export * from './lifecycle';
export * from './lifecycle-steps';
export * from './steps-open';
export * from './corrections';
export * from './batch';
export * from './waitlist';
export * from './at-risk-flag';

import { HoldConfirmed, HoldPlaced, HoldReleased } from './hold';
import { CoiIssued, MonitoringStayArranged, PatientPostponed, PatientReferred, PlanBooked, PlanHeld, PlanReleased, PlanRepaired } from './pathway';
import { SlotBooked, SlotHeld, SlotReleased } from './slot';
import { LIFECYCLE_EVENT_CLASSES } from './lifecycle';
import { WaitlistJoined } from './waitlist';
import { StepCorrected, StepEnteredInError } from './corrections';
import { AdverseEventReported, BatchNumberIssued, BatchStarted } from './batch';
import { AT_RISK_FLAG_EVENT_CLASSES } from './at-risk-flag';

export const PATHWAY_EVENT_CLASSES = [CoiIssued, PatientReferred, PlanHeld, PlanBooked, PlanReleased, PlanRepaired, PatientPostponed, MonitoringStayArranged, HoldPlaced, HoldConfirmed, HoldReleased, SlotHeld, SlotBooked, SlotReleased, ...LIFECYCLE_EVENT_CLASSES, StepCorrected, StepEnteredInError, BatchNumberIssued, BatchStarted, AdverseEventReported, WaitlistJoined, ...AT_RISK_FLAG_EVENT_CLASSES] as const;
export * from './plan-search';
export * from './plan-judgement';
export * from './clinical-rules';
export * from './booking-at-risk';
