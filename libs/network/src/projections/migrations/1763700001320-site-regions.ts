import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every site's region (issue 13 §2): null for sites registered before regions were recorded, until one is set. */
export class SiteRegions1763700001320 implements MigrationInterface {
  name = 'SiteRegions1763700001320';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE sites ADD COLUMN IF NOT EXISTS region text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE sites DROP COLUMN IF EXISTS region');
  }
}
