import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every version of every surge scenario (issue 13 §2), owned by the planning slice's scenarios projection. */
export class CreateScenarios1763700001000 implements MigrationInterface {
  name = 'CreateScenarios1763700001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scenario_versions (
        scenario_id text NOT NULL,
        version integer NOT NULL,
        name text NOT NULL,
        as_of date NOT NULL,
        assumptions jsonb NOT NULL,
        reason text,
        recorded_at timestamptz NOT NULL,
        recorded_by text NOT NULL,
        PRIMARY KEY (scenario_id, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE scenario_versions');
  }
}
