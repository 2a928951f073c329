import type { EntityManager } from 'typeorm';
import type { RecordedAs } from '@bedside/event-store';
import { upsertRows, type Projection } from '@bedside/read-model';
import { evolveProgress, LIFECYCLE_EVENT_CLASSES, NOT_STARTED, postponedDates, productTrackRestarted, progressOfSteps, statusOf, stepsAfter, type HoldEvent, type PathwayEvent, type Progress, type StepEntry } from '../domain';
import { pathwayColumns } from './pathway-row';

/** Every event of a pathway's stream, which the pathways row folds. */
export const PATHWAY_EVENT_TYPES: readonly PathwayEvent['type'][] = [
  'PatientReferred',
  'PlanHeld',
  'PlanBooked',
  'PlanReleased',
  'PlanRepaired',
  'PatientPostponed',
  'MonitoringStayArranged',
  'WaitlistJoined',
  'StepCorrected',
  'StepEnteredInError',
  'AdverseEventReported',
  ...LIFECYCLE_EVENT_CLASSES.map((c) => c.type),
];

/**
 * Folds one event of a pathway's stream into its `pathways` row. Used by the projection and, for
 * `asOf` reads, directly on the stream, so both show a pathway the same way.
 */
export function applyPathwayEvent(row: Record<string, unknown> | undefined, event: RecordedAs<PathwayEvent>): Record<string, unknown> | undefined {
  if (event.type === 'PatientReferred') {
    const d = event.data;
    return {
      coi: d.coi,
      patient_ref: d.patientRef,
      referring_trust: d.referringTrust,
      product_code: d.productCode,
      dmmf_version: d.dmmfVersion,
      treatment_centre: d.treatmentCentre,
      status: 'REFERRED',
      plan_status: 'REFERRED',
      progress: NOT_STARTED,
      steps: [],
      priority: d.priority,
      washout: d.washout,
      earliest_collection_date: d.earliestCollectionDate,
      clinical_deadline: d.clinicalDeadline,
      hold_id: null,
      hold_expires_at: null,
      waitlisted_at: null,
      waitlist_reason: null,
      postponed_until: null,
      postponement_reason: null,
      home_district: d.homeDistrict ?? null,
      stay_district: d.homeDistrict ?? null,
      stay_reason: null,
      referred_at: d.referredAt ? new Date(d.referredAt) : event.recordedAt,
      referred_by: event.metadata.actor,
      updated_at: event.recordedAt,
      stream_version: event.streamPosition,
    };
  }
  if (!row) return row;
  const next: Record<string, unknown> = { ...row, updated_at: event.recordedAt, stream_version: event.streamPosition };
  const progress = (): Progress => ({ ...NOT_STARTED, ...(row.progress as Partial<Progress>) });
  // The steps as corrected (corrections.ts), the same fold the pathway's own state makes.
  const steps = () =>
    stepsAfter((row.steps as StepEntry[] | null) ?? [], event.streamPosition, event, { eventId: event.eventId, recordedAt: event.recordedAt.toISOString(), recordedBy: event.metadata.actor });
  switch (event.type) {
    case 'PlanHeld':
      Object.assign(next, { plan_status: 'PLAN_HELD', hold_id: event.data.holdId, hold_expires_at: event.data.expiresAt, waitlisted_at: null, waitlist_reason: null });
      break;
    case 'PlanRepaired':
      Object.assign(next, { plan_status: 'BOOKED', hold_id: event.data.toHoldId, hold_expires_at: null, steps: steps(), ...(event.data.recollection ? { progress: productTrackRestarted(progress()) } : {}) });
      break;
    case 'AdverseEventReported':
      break;
    case 'StepCorrected':
    case 'StepEnteredInError':
      next.steps = steps();
      next.progress = progressOfSteps(next.steps as StepEntry[]);
      break;
    case 'PatientPostponed': {
      const { earliestCollectionDate, postponedUntil } = postponedDates(row.earliest_collection_date as string, progress(), event.data.until);
      Object.assign(next, { earliest_collection_date: earliestCollectionDate, postponed_until: postponedUntil, postponement_reason: event.data.reason });
      break;
    }
    case 'MonitoringStayArranged':
      Object.assign(next, { stay_district: event.data.district, stay_reason: event.data.reason });
      break;
    case 'WaitlistJoined':
      Object.assign(next, { waitlisted_at: event.data.joinedAt ? new Date(event.data.joinedAt) : event.recordedAt, waitlist_reason: event.data.reason });
      break;
    case 'PlanBooked':
      Object.assign(next, { plan_status: 'BOOKED', hold_expires_at: null });
      break;
    case 'PlanReleased':
      Object.assign(next, { plan_status: 'REFERRED', hold_id: null, hold_expires_at: null });
      break;
    default:
      // What is left is a lifecycle step, folded by the lifecycle's own evolver.
      next.progress = evolveProgress(progress(), event);
      next.steps = steps();
  }
  next.status = statusOf(next.plan_status as 'REFERRED' | 'PLAN_HELD' | 'BOOKED', { ...NOT_STARTED, ...(next.progress as Partial<Progress>) });
  return next;
}

/** `pathways`: one row per referral with where it stands. */
export class PathwaysProjection implements Projection<PathwayEvent> {
  readonly name = 'pathways';
  readonly tables = ['pathways'];
  readonly eventTypes = PATHWAY_EVENT_TYPES;

  async apply(events: readonly RecordedAs<PathwayEvent>[], manager: EntityManager): Promise<void> {
    const cois = [...new Set(events.map((e) => e.data.coi))];
    const existing: Record<string, unknown>[] = await manager.query(
      `SELECT ${pathwayColumns()}
         FROM pathways WHERE coi = ANY($1)`,
      [cois],
    );
    const rows = new Map(existing.map((r) => [r.coi as string, r]));
    for (const event of events) {
      const coi = event.data.coi;
      const next = applyPathwayEvent(rows.get(coi), event);
      if (next) rows.set(coi, next);
    }
    await upsertRows(
      manager,
      'pathways',
      {
        coi: 'text',
        patient_ref: 'text',
        referring_trust: 'text',
        product_code: 'text',
        dmmf_version: 'integer',
        treatment_centre: 'text',
        status: 'text',
        plan_status: 'text',
        progress: 'jsonb',
        steps: 'jsonb',
        priority: 'text',
        washout: 'jsonb',
        earliest_collection_date: 'date',
        clinical_deadline: 'date',
        hold_id: 'text',
        hold_expires_at: 'timestamptz',
        waitlisted_at: 'timestamptz',
        waitlist_reason: 'text',
        postponed_until: 'date',
        home_district: 'text',
        stay_district: 'text',
        stay_reason: 'text',
        postponement_reason: 'text',
        referred_at: 'timestamptz',
        referred_by: 'text',
        updated_at: 'timestamptz',
        stream_version: 'integer',
      },
      ['coi'],
      [...rows.values()],
    );
  }
}

/** `holds`: every hold and its status; the expiry sweep reads the ones in force. */
export class HoldsProjection implements Projection<HoldEvent> {
  readonly name = 'holds';
  readonly tables = ['holds'];
  readonly eventTypes: readonly HoldEvent['type'][] = ['HoldPlaced', 'HoldConfirmed', 'HoldReleased'];

  /** At most two statements a batch: new holds with their latest status, then the status of older ones. */
  async apply(events: readonly RecordedAs<HoldEvent>[], manager: EntityManager): Promise<void> {
    const placed = new Map<string, Record<string, unknown>>();
    const changed = new Map<string, { hold_id: string; status: string; updated_at: Date }>();
    for (const event of events) {
      if (event.type === 'HoldPlaced') {
        const d = event.data;
        if (!placed.has(d.holdId)) {
          placed.set(d.holdId, { hold_id: d.holdId, coi: d.coi, status: 'HELD', slots: d.slots, expires_at: d.expiresAt, placed_at: event.recordedAt, placed_by: event.metadata.actor, updated_at: event.recordedAt });
        }
        continue;
      }
      const { holdId } = event.data;
      const status = event.type === 'HoldConfirmed' ? 'CONFIRMED' : event.data.expired ? 'EXPIRED' : 'RELEASED';
      const row = placed.get(holdId);
      if (row) Object.assign(row, { status, updated_at: event.recordedAt });
      else changed.set(holdId, { hold_id: holdId, status, updated_at: event.recordedAt });
    }
    if (placed.size > 0) {
      // DO NOTHING: a hold already in the table (a replayed batch) keeps the row it has.
      await manager.query(
        `INSERT INTO holds (hold_id, coi, status, slots, expires_at, placed_at, placed_by, updated_at)
         SELECT hold_id, coi, status, slots, expires_at, placed_at, placed_by, updated_at
           FROM jsonb_to_recordset($1::jsonb) AS r(hold_id text, coi text, status text, slots jsonb, expires_at timestamptz, placed_at timestamptz, placed_by text, updated_at timestamptz)
         ON CONFLICT (hold_id) DO NOTHING`,
        [JSON.stringify([...placed.values()])],
      );
    }
    if (changed.size > 0) {
      await manager.query(
        `UPDATE holds h SET status = r.status, updated_at = r.updated_at
           FROM jsonb_to_recordset($1::jsonb) AS r(hold_id text, status text, updated_at timestamptz)
          WHERE h.hold_id = r.hold_id`,
        [JSON.stringify([...changed.values()])],
      );
    }
  }
}
