import type { EntityManager } from 'typeorm';
import type { RecordedAs } from '@bedside/event-store';
import { upsertRows, type Projection } from '@bedside/read-model';
import type {
  AdverseEventReported,
  BatchStarted,
  ManufactureCompleted,
  ManufactureFailed,
  PatientInfused,
  ProductReleased,
  QcFailed,
  StepCorrected,
  StepEnteredInError,
} from '../domain';

export type BatchRowEvent =
  | BatchStarted
  | ManufactureCompleted
  | ManufactureFailed
  | QcFailed
  | ProductReleased
  | PatientInfused
  | AdverseEventReported
  | StepCorrected
  | StepEnteredInError;

/** A `batches` row as readers use it. */
export interface BatchRow {
  batch_id: string;
  coi: string;
  product_code: string;
  referring_trust: string;
  unit_id: string;
  site_code: string;
  issued: boolean;
  started_at: Date;
  completed_at: Date | null;
  failed_at: Date | null;
  failure_reason: string | null;
  released_at: Date | null;
  exceptional: boolean;
  infused_at: Date | null;
  entered_in_error: boolean;
  adverse_events: number;
  updated_at: Date;
}

/** Where a batch stands, in one word, from its row. */
export function batchStatus(row: Pick<BatchRow, 'entered_in_error' | 'failed_at' | 'released_at' | 'completed_at'>): string {
  if (row.entered_in_error) return 'ENTERED_IN_ERROR';
  if (row.failed_at) return 'FAILED';
  if (row.released_at) return 'RELEASED';
  if (row.completed_at) return 'MANUFACTURED';
  return 'IN_MANUFACTURE';
}

/** The row's column each step's instant lands in; corrections move it, an entry in error empties it. */
const STEP_COLUMN: Partial<Record<string, keyof BatchRow>> = {
  ManufactureStarted: 'started_at',
  ManufactureCompleted: 'completed_at',
  ManufactureFailed: 'failed_at',
  QcFailed: 'failed_at',
  ProductReleased: 'released_at',
  PatientInfused: 'infused_at',
};

const batchIdOf = (event: RecordedAs<BatchRowEvent>) => (event.data as { batchId?: string | null }).batchId ?? undefined;

/** `batches`: one row per batch (issue 14 §1), the lookback's starting point. Steps recorded before batches name none and are passed over. */
export class BatchesProjection implements Projection<BatchRowEvent> {
  readonly name = 'batches';
  readonly tables = ['batches'];
  readonly eventTypes: readonly BatchRowEvent['type'][] = [
    'BatchStarted',
    'ManufactureCompleted',
    'ManufactureFailed',
    'QcFailed',
    'ProductReleased',
    'PatientInfused',
    'AdverseEventReported',
    'StepCorrected',
    'StepEnteredInError',
  ];

  async apply(events: readonly RecordedAs<BatchRowEvent>[], manager: EntityManager): Promise<void> {
    const ids = [...new Set(events.map(batchIdOf).filter((id): id is string => id !== undefined))];
    if (ids.length === 0) return;
    const existing: BatchRow[] = await manager.query('SELECT * FROM batches WHERE batch_id = ANY($1)', [ids]);
    const rows = new Map(existing.map((r) => [r.batch_id, r]));
    for (const event of events) {
      const batchId = batchIdOf(event);
      if (batchId === undefined) continue;
      if (event.type === 'BatchStarted') {
        const d = event.data;
        if (!rows.has(batchId)) {
          rows.set(batchId, {
            batch_id: batchId,
            coi: d.coi,
            product_code: d.productCode,
            referring_trust: d.referringTrust,
            unit_id: d.unitId,
            site_code: d.siteCode,
            issued: d.issued,
            started_at: new Date(d.at),
            completed_at: null,
            failed_at: null,
            failure_reason: null,
            released_at: null,
            exceptional: false,
            infused_at: null,
            entered_in_error: false,
            adverse_events: 0,
            updated_at: event.recordedAt,
          });
        }
        continue;
      }
      const row = rows.get(batchId);
      if (!row) continue;
      const next: BatchRow = { ...row, updated_at: event.recordedAt };
      switch (event.type) {
        case 'ManufactureCompleted':
          next.completed_at = new Date(event.data.at);
          break;
        case 'ManufactureFailed':
        case 'QcFailed':
          Object.assign(next, { failed_at: new Date(event.data.at), failure_reason: event.data.reason });
          break;
        case 'ProductReleased':
          Object.assign(next, { released_at: new Date(event.data.at), exceptional: event.data.exceptional });
          break;
        case 'PatientInfused':
          next.infused_at = new Date(event.data.at);
          break;
        case 'AdverseEventReported':
          next.adverse_events = row.adverse_events + 1;
          break;
        case 'StepCorrected': {
          const column = STEP_COLUMN[event.data.step];
          if (column && event.data.now.at) Object.assign(next, { [column]: new Date(event.data.now.at) });
          break;
        }
        case 'StepEnteredInError': {
          if (event.data.step === 'ManufactureStarted') next.entered_in_error = true;
          const column = STEP_COLUMN[event.data.step];
          if (column && column !== 'started_at') Object.assign(next, { [column]: null }, column === 'failed_at' ? { failure_reason: null } : {}, column === 'released_at' ? { exceptional: false } : {});
          break;
        }
      }
      rows.set(batchId, next);
    }
    await upsertRows(
      manager,
      'batches',
      {
        batch_id: 'text',
        coi: 'text',
        product_code: 'text',
        referring_trust: 'text',
        unit_id: 'text',
        site_code: 'text',
        issued: 'boolean',
        started_at: 'timestamptz',
        completed_at: 'timestamptz',
        failed_at: 'timestamptz',
        failure_reason: 'text',
        released_at: 'timestamptz',
        exceptional: 'boolean',
        infused_at: 'timestamptz',
        entered_in_error: 'boolean',
        adverse_events: 'integer',
        updated_at: 'timestamptz',
      },
      ['batch_id'],
      [...rows.values()],
    );
  }
}
