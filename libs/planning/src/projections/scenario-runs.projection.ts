import type { EntityManager } from 'typeorm';
import type { RecordedAs } from '@bedside/event-store';
import type { Projection } from '@bedside/read-model';
import { SCENARIO_RUN_EVENT_TYPES, type CarTRunResult, type RunOptions, type RunStatus, type ScenarioRunEvent, type ScenarioRunResult } from '../domain/scenario-run';

/** A row of `scenario_runs`: one run of a scenario, from its request to how it ended. */
export interface ScenarioRunRow {
  run_id: string;
  scenario_id: string;
  scenario_version: number;
  status: RunStatus;
  options: RunOptions;
  result: ScenarioRunResult | null;
  car_t: CarTRunResult | null;
  failure: string | null;
  requested_by: string;
  requested_at: Date;
  finished_at: Date | null;
  committed_at: Date | null;
  committed_by: string | null;
}

/** `scenario_runs`: every run, as recorded on its `scenario-run-<id>` stream. */
export class ScenarioRunsProjection implements Projection<ScenarioRunEvent> {
  readonly name = 'scenario-runs';
  readonly tables = ['scenario_runs'];
  readonly eventTypes = SCENARIO_RUN_EVENT_TYPES;

  async apply(events: readonly RecordedAs<ScenarioRunEvent>[], manager: EntityManager): Promise<void> {
    for (const event of events) {
      switch (event.type) {
        case 'ScenarioRunRequested':
          await manager.query(
            `INSERT INTO scenario_runs (run_id, scenario_id, scenario_version, status, options, requested_by, requested_at)
             VALUES ($1, $2, $3, 'RUNNING', $4, $5, $6) ON CONFLICT (run_id) DO NOTHING`,
            [event.data.runId, event.data.scenarioId, event.data.scenarioVersion, JSON.stringify(event.data.options), event.metadata.actor, event.recordedAt],
          );
          break;
        case 'ScenarioRunFinished':
          await manager.query(`UPDATE scenario_runs SET status = 'FINISHED', result = $2, car_t = $4, finished_at = $3 WHERE run_id = $1`, [
            event.data.runId,
            event.data.result === null ? null : JSON.stringify(event.data.result),
            event.recordedAt,
            event.data.carT ? JSON.stringify(event.data.carT) : null,
          ]);
          break;
        case 'ScenarioRunFailed':
          await manager.query(`UPDATE scenario_runs SET status = 'FAILED', failure = $2, finished_at = $3 WHERE run_id = $1`, [event.data.runId, event.data.reason, event.recordedAt]);
          break;
        case 'ScenarioPlanCommitted':
          await manager.query(`UPDATE scenario_runs SET committed_at = $2, committed_by = $3 WHERE run_id = $1`, [event.data.runId, event.recordedAt, event.metadata.actor]);
          break;
      }
    }
  }
}
