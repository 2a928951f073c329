import type { EntityManager } from 'typeorm';
import type { RecordedAs } from '@bedside/event-store';
import { upsertRows, type Projection } from '@bedside/read-model';
import type { ScenarioAssumptions, ScenarioEvent } from '../domain/scenario';

/** A row of `scenario_versions`: one version of a scenario, never changed once written. */
export interface ScenarioVersionRow {
  scenario_id: string;
  version: number;
  name: string;
  as_of: string;
  assumptions: ScenarioAssumptions;
  reason: string | null;
  recorded_at: Date;
  recorded_by: string;
}

/** Every column of a `scenario_versions` row, its day as 'YYYY-MM-DD' text. */
export const SCENARIO_COLUMNS = `scenario_id, version, name, to_char(as_of, 'YYYY-MM-DD') AS as_of, assumptions, reason, recorded_at, recorded_by`;

/** `scenario_versions`: every version of every scenario, as planners wrote it. */
export class ScenariosProjection implements Projection<ScenarioEvent> {
  readonly name = 'scenarios';
  readonly tables = ['scenario_versions'];
  readonly eventTypes: readonly ScenarioEvent['type'][] = ['ScenarioCreated', 'ScenarioRevised'];

  async apply(events: readonly RecordedAs<ScenarioEvent>[], manager: EntityManager): Promise<void> {
    const rows: ScenarioVersionRow[] = events.map((event) => ({
      scenario_id: event.data.scenarioId,
      version: event.data.version,
      name: event.data.assumptions.name,
      as_of: event.data.assumptions.asOf,
      assumptions: event.data.assumptions,
      reason: event.data.reason,
      recorded_at: event.recordedAt,
      recorded_by: event.metadata.actor,
    }));
    await upsertRows(
      manager,
      'scenario_versions',
      { scenario_id: 'text', version: 'integer', name: 'text', as_of: 'date', assumptions: 'jsonb', reason: 'text', recorded_at: 'timestamptz', recorded_by: 'text' },
      ['scenario_id', 'version'],
      rows,
    );
  }
}
