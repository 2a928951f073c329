import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A mobile unit's deployments in force (issue 13 §1; docs/domain.md "Deployments"): where it is on a day
 * follows them (siteOn), so the row keeps them rather than one location a projection cannot date.
 */
export class UnitDeployments1763700001300 implements MigrationInterface {
  name = 'UnitDeployments1763700001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE modular_units ADD COLUMN IF NOT EXISTS deployments jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE modular_units DROP COLUMN IF EXISTS deployments');
  }
}
