import type { Progress, StepEntry } from '../domain';

/**
 * The `pathways` and `holds` rows, owned by their projections (pathway.projections.ts), with the column
 * lists that read them; application readers import them from here (issue 12 §2).
 */

/** A `pathways` row as readers use it. */
export interface PathwayRow {
  coi: string;
  patient_ref: string;
  referring_trust: string;
  product_code: string;
  dmmf_version: number;
  treatment_centre: string | null;
  status: string;
  /** REFERRED, PLAN_HELD or BOOKED: the plan's own status, whatever the steps since. */
  plan_status?: string;
  progress: Partial<Progress> | null;
  /** The clinical steps as corrected; absent from the hot read (pathwayRowJson). */
  steps?: StepEntry[];
  priority: string;
  washout: { drugClass: string; lastDoseDate: string | null; days: number };
  earliest_collection_date: string;
  clinical_deadline: string | null;
  postponed_until: string | null;
  postponement_reason: string | null;
  /** The patient's postcode district, and where they stay after infusion (null for referrals made before Bedside asked). */
  home_district: string | null;
  stay_district: string | null;
  stay_reason: string | null;
  hold_id: string | null;
  hold_expires_at: Date | null;
  referred_at: Date;
  stream_version: number;
}

/** Every pathways column, its dates as 'YYYY-MM-DD' text (pg gives a DATE as a Date at local midnight). */
export const pathwayColumns = (alias = 'pathways') =>
  `${alias}.*, to_char(${alias}.earliest_collection_date, 'YYYY-MM-DD') AS earliest_collection_date, to_char(${alias}.clinical_deadline, 'YYYY-MM-DD') AS clinical_deadline, ` +
  `to_char(${alias}.postponed_until, 'YYYY-MM-DD') AS postponed_until`;

/** The columns of a PathwayRow (a `pathways` row has more: projections and the waitlist read them with pathwayColumns). */
const ROW_COLUMNS = [
  'coi', 'patient_ref', 'referring_trust', 'product_code', 'dmmf_version', 'treatment_centre', 'status', 'plan_status', 'progress', 'priority', 'washout',
  'postponement_reason', 'home_district', 'stay_district', 'stay_reason', 'hold_id', 'hold_expires_at', 'referred_at', 'stream_version',
] as const satisfies readonly (keyof PathwayRow)[];
const DAY_COLUMNS = ['earliest_collection_date', 'clinical_deadline', 'postponed_until'] as const satisfies readonly (keyof PathwayRow)[];

/**
 * A PathwayRow as one JSON value, for a hot read (pathwayRowFromJson reads it back). The driver
 * describes and sets up a parser for every column of every execution, which for a whole row cost
 * more than parsing it; one JSON column is parsed natively.
 */
export const pathwayRowJson = (alias: string) =>
  `json_build_object(${[
    ...ROW_COLUMNS.map((column) => `'${column}', ${alias}.${column}`),
    ...DAY_COLUMNS.map((column) => `'${column}', to_char(${alias}.${column}, 'YYYY-MM-DD')`),
  ].join(', ')})`;

/** The row pathwayRowJson gave, with its instants as Dates (as the driver gives a timestamptz column). */
export function pathwayRowFromJson(json: Omit<PathwayRow, 'hold_expires_at' | 'referred_at'> & { hold_expires_at: string | null; referred_at: string }): PathwayRow {
  return { ...json, hold_expires_at: json.hold_expires_at === null ? null : new Date(json.hold_expires_at), referred_at: new Date(json.referred_at) };
}

export interface HoldRow {
  hold_id: string;
  coi: string;
  status: string;
  slots: { resourceKey: string; day: string; session: string }[];
  expires_at: Date;
}

