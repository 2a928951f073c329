import { ForbiddenError, type Role } from './roles';

/** Who is asking, as far as access rules care: their role and, for a scheduler, their trusts. */
export interface Caller {
  readonly role?: string;
  readonly trusts?: readonly string[];
}

/** Every role: network, capacity and aggregate reads. */
export const EVERYONE: readonly Role[] = ['scheduler', 'planner', 'control_site_qa', 'dashboard'];
/** Patient-level rows (pathways, plans, holds, the waitlist): never dashboards (issue 5 §2). */
export const PATIENT_LEVEL_READERS: readonly Role[] = ['scheduler', 'planner', 'control_site_qa'];
/** Booking and recording clinical steps: the trust's schedulers and Control Site QA. */
export const CLINICAL: readonly Role[] = ['scheduler', 'control_site_qa'];
/** Calendars, travel times and bank holidays. */
export const NETWORK_PLANNING: readonly Role[] = ['planner', 'control_site_qa'];
/** Surge scenarios: planners create, edit and run them (issue 13). */
export const SCENARIO_PLANNERS: readonly Role[] = ['planner'];
/** Scenarios and their runs are read by planners and by Control Site QA, who commits a run's plan. */
export const SCENARIO_READERS: readonly Role[] = ['planner', 'control_site_qa'];
/** Sites, units and DMMFs (the Control Site's licence). */
export const CONTROL_SITE: readonly Role[] = ['control_site_qa'];

/** Schedulers are bound to their trusts; every other role is network-wide. */
export const isTrustBound = (caller: Caller) => caller.role === 'scheduler';

export function mayActFor(caller: Caller, trust: string): boolean {
  return !isTrustBound(caller) || (caller.trusts ?? []).includes(trust.toUpperCase());
}

/**
 * A scheduler may read and change only their own trusts' pathways. The message does not say whose
 * the pathway is: that is not theirs to know either.
 */
export function requireTrust(caller: Caller, trust: string, what: string): void {
  if (mayActFor(caller, trust)) return;
  throw new ForbiddenError(`You may ${what} only for ${(caller.trusts ?? []).join(', ') || 'no trust'}: this one is not your trust's.`, { trusts: caller.trusts ?? [] });
}

/** The trusts a caller's lists are limited to: null for network-wide roles. */
export const trustScope = (caller: Caller): readonly string[] | null => (isTrustBound(caller) ? (caller.trusts ?? []) : null);

/** Bedside's own background work (expiry sweeps, waitlist offers): network-wide, never a person. */
export const SYSTEM_CALLER: Caller = { role: 'system' };
