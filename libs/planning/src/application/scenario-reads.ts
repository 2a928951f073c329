import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ScenarioRunRow } from '../projections/scenario-runs.projection';
import { SCENARIO_COLUMNS, type ScenarioVersionRow } from '../projections/scenarios.projection';

/** Reads of the planning slice's `scenario_versions` and `scenario_runs` tables. */
@Injectable()
export class ScenarioReads {
  constructor(private readonly dataSource: DataSource) {}

  /** A scenario's latest version, or the version asked for. */
  async scenario(scenarioId: string, version?: number | null): Promise<ScenarioVersionRow | undefined> {
    const [row] = await this.dataSource.query<ScenarioVersionRow[]>(
      `SELECT ${SCENARIO_COLUMNS} FROM scenario_versions WHERE scenario_id = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
      [scenarioId, version ?? null],
    );
    return row;
  }

  /** Scenarios at their latest version, newest first then by id, `limit + 1` of them after a cursor. */
  scenarios(limit: number, after?: { recordedAt: string; scenarioId: string }): Promise<ScenarioVersionRow[]> {
    return this.dataSource.query(
      `SELECT * FROM (SELECT DISTINCT ON (scenario_id) ${SCENARIO_COLUMNS} FROM scenario_versions ORDER BY scenario_id, version DESC) latest
        WHERE $1::timestamptz IS NULL OR (recorded_at, scenario_id) < ($1::timestamptz, $2::text)
        ORDER BY recorded_at DESC, scenario_id DESC LIMIT $3`,
      [after?.recordedAt ?? null, after?.scenarioId ?? null, limit + 1],
    );
  }

  /** Runs by id, in the order asked (missing ones left out). */
  runs(runIds: readonly string[]): Promise<ScenarioRunRow[]> {
    return this.dataSource.query(`SELECT r.* FROM unnest($1::text[]) WITH ORDINALITY AS ids(run_id, n) JOIN scenario_runs r USING (run_id) ORDER BY n`, [runIds]);
  }

  /** A scenario's runs (every version), most recently asked for first, at most `limit` (scenario_runs_by_scenario). */
  runsOf(scenarioId: string, limit: number): Promise<ScenarioRunRow[]> {
    return this.dataSource.query(`SELECT * FROM scenario_runs WHERE scenario_id = $1 ORDER BY requested_at DESC, run_id DESC LIMIT $2`, [scenarioId, limit]);
  }
}
