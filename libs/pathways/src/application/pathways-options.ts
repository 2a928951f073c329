export interface PathwaysOptions {
  /** How long a held plan stays reserved unless confirmed (default 30 minutes). */
  readonly holdSeconds: number;
  /** The longest a plan may be held, in minutes, whatever a request asks (HOLD_MAX_MINUTES, default 24 h). */
  readonly maxHoldMinutes: number;
  /** Facility part of the Chain of Identity identifiers Bedside issues (a letter and 4 digits). */
  readonly coiFacilityId: string;
  /**
   * A clinical step recorded more than this many minutes after it happened needs a reason
   * (LATE_RECORDING_MINUTES, default 60): records are contemporaneous, or say why not (issue 11 §2).
   */
  readonly lateRecordingMinutes: number;
}

export const PATHWAYS_OPTIONS = Symbol('PATHWAYS_OPTIONS');
