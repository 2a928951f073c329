export * from './chain-of-identity';
export * from './washout';
export * from './slot';
export * from './hold';
export * from './hold-decisions';
export * from './pathway';
export * from './lifecycle';
export * from './lifecycle-steps';
export * from './waitlist';

import { HoldConfirmed, HoldPlaced, HoldReleased } from './hold';
import { CoiIssued, PatientPostponed, PatientReferred, PlanBooked, PlanHeld, PlanReleased, PlanRepaired } from './pathway';
import { SlotBooked, SlotHeld, SlotReleased } from './slot';
import { LIFECYCLE_EVENT_CLASSES } from './lifecycle';
import { WaitlistJoined } from './waitlist';

export const PATHWAY_EVENT_CLASSES = [CoiIssued, PatientReferred, PlanHeld, PlanBooked, PlanReleased, PlanRepaired, PatientPostponed, HoldPlaced, HoldConfirmed, HoldReleased, SlotHeld, SlotBooked, SlotReleased, ...LIFECYCLE_EVENT_CLASSES, WaitlistJoined] as const;
export * from './plan-search';
export * from './plan-judgement';
export * from './clinical-rules';
export * from './booking-at-risk';
