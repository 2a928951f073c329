export interface PathwaysOptions {
  /** How long a held plan stays reserved unless confirmed (default 30 minutes). */
  readonly holdSeconds: number;
  /** How often expired holds are looked for and released. */
  readonly expirySweepMs: number;
  /** Facility part of the Chain of Identity identifiers Bedside issues (a letter and 4 digits). */
  readonly coiFacilityId: string;
}

export const PATHWAYS_OPTIONS = Symbol('PATHWAYS_OPTIONS');
