/** The projection that lays out `capacity_slots` (its name is its checkpoint's key). */
export const LAYOUT_PROJECTION = 'capacity';
/** The projection that adds up `capacity_commitments`. */
export const COMMITMENTS_PROJECTION = 'capacity-commitments';

/** A row of `capacity_slots` joined with its `capacity_commitments`, as the `capacity` query pages them. */
export interface CapacityRow {
  resource_key: string;
  day: string;
  session: string;
  site_code: string;
  unit_id: string | null;
  resource: string;
  starts_at: Date;
  ends_at: Date;
  nominal: number;
  capacity: number;
  /** null: another trust's capacity, shown to a scheduler as free or busy only. */
  committed: number | null;
  tentative: number | null;
  free: number;
  closed_reason: string | null;
  free_busy_only: boolean;
}

/** Capacity and commitments summed per site resource and per unit over a range. */
export interface UtilisationRow {
  site_code: string;
  unit_id: string | null;
  resource: string;
  capacity: number;
  committed: number;
  tentative: number;
}

/** Capacity summed per site resource or unit and per day (the capacity heatmap's cells). */
export interface DailyCapacityRow {
  site_code: string;
  unit_id: string | null;
  resource: string;
  day: string;
  nominal: number;
  capacity: number;
  free: number;
  closed_reason: string | null;
  /** true: another trust's capacity, shown to a scheduler as free (1) or busy (0) only. */
  free_busy_only: boolean;
}
