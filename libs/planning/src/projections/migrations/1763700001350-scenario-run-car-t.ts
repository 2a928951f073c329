import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What a run's CAR-T what-if found (issue 13 §4), beside the surge optimiser's result. */
export class ScenarioRunCarT1763700001350 implements MigrationInterface {
  name = 'ScenarioRunCarT1763700001350';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE scenario_runs ADD COLUMN IF NOT EXISTS car_t jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE scenario_runs DROP COLUMN IF EXISTS car_t');
  }
}
