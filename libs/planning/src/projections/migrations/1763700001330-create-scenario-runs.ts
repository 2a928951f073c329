import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every run of a scenario (issue 13 §6): who, when, which version, options, and how it ended; owned by the scenario-runs projection. */
export class CreateScenarioRuns1763700001330 implements MigrationInterface {
  name = 'CreateScenarioRuns1763700001330';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS scenario_runs (
        run_id text PRIMARY KEY,
        scenario_id text NOT NULL,
        scenario_version integer NOT NULL,
        status text NOT NULL,
        options jsonb NOT NULL,
        result jsonb,
        failure text,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL,
        finished_at timestamptz
      )`);
    await q.query('CREATE INDEX IF NOT EXISTS scenario_runs_by_scenario ON scenario_runs (scenario_id, requested_at DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS scenario_runs');
  }
}
