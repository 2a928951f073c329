import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `modular_units.current_site_code` only ever held the home site, whatever a unit's deployments said, and
 * queries that read it as "where the unit is" judged deployed units wrongly (issue 13 §1). Where a unit is
 * on a day is `siteOn(home_site_code, deployments, day)`; the column goes.
 */
export class DropUnitCurrentSiteCode1763700001360 implements MigrationInterface {
  name = 'DropUnitCurrentSiteCode1763700001360';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE modular_units DROP COLUMN IF EXISTS current_site_code');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE modular_units ADD COLUMN IF NOT EXISTS current_site_code text');
    await q.query('UPDATE modular_units SET current_site_code = home_site_code');
    await q.query('ALTER TABLE modular_units ALTER COLUMN current_site_code SET NOT NULL');
  }
}
