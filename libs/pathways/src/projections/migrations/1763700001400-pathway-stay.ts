import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each patient stays after infusion (issue 14 §4): the postcode district the referral gives, and a
 * stay arranged elsewhere with its reason. Referrals made before carry no district, so the rows need no
 * rebuild: their columns stay empty, as their events do.
 */
export class PathwayStay1763700001400 implements MigrationInterface {
  name = 'PathwayStay1763700001400';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE pathways ADD COLUMN home_district text, ADD COLUMN stay_district text, ADD COLUMN stay_reason text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE pathways DROP COLUMN home_district, DROP COLUMN stay_district, DROP COLUMN stay_reason');
  }
}
