import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When a run's plan was committed as deployments, and by whom (issue 13 §5). */
export class ScenarioPlanCommits1763700001340 implements MigrationInterface {
  name = 'ScenarioPlanCommits1763700001340';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE scenario_runs ADD COLUMN IF NOT EXISTS committed_at timestamptz');
    await q.query('ALTER TABLE scenario_runs ADD COLUMN IF NOT EXISTS committed_by text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE scenario_runs DROP COLUMN IF EXISTS committed_by');
    await q.query('ALTER TABLE scenario_runs DROP COLUMN IF EXISTS committed_at');
  }
}
