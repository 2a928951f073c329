/** What kind of place a site is (SI 2025/87: hospitals, ambulances, local care settings; domain.md). */
export const SITE_KINDS = ['CONTROL_SITE', 'HOSPITAL', 'AMBULANCE', 'LOCAL_CARE_SETTING', 'PATIENT_HOME'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

/**
 * Site lifecycle (domain.md, "Network resources"): proposed → onboarding → active → paused or
 * suspended → ceased. The Control Site onboards, pauses, suspends and closes sites, with reasons.
 */
export const SITE_STATUSES = ['PROPOSED', 'ONBOARDING', 'ACTIVE', 'PAUSED', 'SUSPENDED', 'CEASED'] as const;
export type SiteStatus = (typeof SITE_STATUSES)[number];

export type SiteAction = 'onboard' | 'activate' | 'pause' | 'suspend' | 'cease';

interface Transition {
  readonly from: readonly SiteStatus[];
  readonly to: SiteStatus;
  /** Statuses from which the action needs a recorded reason (GMP: "why" for every state change that restricts or restores manufacture). */
  readonly reasonRequiredFrom: readonly SiteStatus[];
  /** What the signature it needs means, when it needs one (issue 14 §2: a suspension is signed, approved). */
  readonly signed?: 'APPROVED';
}

export const SITE_TRANSITIONS: Readonly<Record<SiteAction, Transition>> = {
  onboard: { from: ['PROPOSED'], to: 'ONBOARDING', reasonRequiredFrom: [] },
  // Lifting a suspension (a regulatory or quality stop) needs a reason; ending a pause does not.
  activate: { from: ['ONBOARDING', 'PAUSED', 'SUSPENDED'], to: 'ACTIVE', reasonRequiredFrom: ['SUSPENDED'] },
  pause: { from: ['ACTIVE'], to: 'PAUSED', reasonRequiredFrom: ['ACTIVE'] },
  suspend: { from: ['ACTIVE', 'PAUSED'], to: 'SUSPENDED', reasonRequiredFrom: ['ACTIVE', 'PAUSED'], signed: 'APPROVED' },
  cease: {
    from: ['PROPOSED', 'ONBOARDING', 'ACTIVE', 'PAUSED', 'SUSPENDED'],
    to: 'CEASED',
    reasonRequiredFrom: ['PROPOSED', 'ONBOARDING', 'ACTIVE', 'PAUSED', 'SUSPENDED'],
  },
};

/** A lifecycle change a site may take from where it stands, as SITE_TRANSITIONS permits it. */
export interface SiteActionOpen {
  readonly action: SiteAction;
  readonly to: SiteStatus;
  /** Whether changeSiteStatus will ask for a reason from this status. */
  readonly reasonRequired: boolean;
  /** Whether it is signed (issue 14 §2): a recent sign-in is then needed. */
  readonly signed: boolean;
}

/**
 * The changes open to a site in `status`, in lifecycle order: read off SITE_TRANSITIONS, the table
 * changeSiteStatus judges by, so what a screen offers is what the decision allows (site.spec.ts proves
 * each offered change is accepted and each other refused).
 */
export function siteActionsFrom(status: SiteStatus): SiteActionOpen[] {
  return (Object.entries(SITE_TRANSITIONS) as [SiteAction, Transition][])
    .filter(([, t]) => t.from.includes(status))
    .map(([action, t]) => ({ action, to: t.to, reasonRequired: t.reasonRequiredFrom.includes(status), signed: !!t.signed }));
}
