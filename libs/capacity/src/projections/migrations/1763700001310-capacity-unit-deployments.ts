import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The deployments of each unit, as live capacity lays its slots out from them (issue 13 §1): a mobile
 * unit's slots belong to the site it is at on each day, and are closed while it moves.
 */
export class CapacityUnitDeployments1763700001310 implements MigrationInterface {
  name = 'CapacityUnitDeployments1763700001310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE capacity_units ADD COLUMN IF NOT EXISTS deployments jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE capacity_units DROP COLUMN IF EXISTS deployments');
  }
}
