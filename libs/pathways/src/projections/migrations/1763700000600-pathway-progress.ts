import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The clinical lifecycle after booking (both tracks of each pathway), and the waitlist. */
export class PathwayProgress1763700000600 implements MigrationInterface {
  name = 'PathwayProgress1763700000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pathways ADD COLUMN plan_status text NOT NULL DEFAULT 'REFERRED'`);
    await q.query(`ALTER TABLE pathways ADD COLUMN progress jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`ALTER TABLE pathways ADD COLUMN waitlisted_at timestamptz, ADD COLUMN waitlist_reason text`);
    await q.query(`CREATE INDEX pathways_waitlist ON pathways (product_code) WHERE waitlisted_at IS NOT NULL`);
    await q.query(`UPDATE pathways SET plan_status = CASE WHEN status IN ('REFERRED', 'PLAN_HELD', 'BOOKED') THEN status ELSE 'BOOKED' END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE pathways DROP COLUMN waitlist_reason, DROP COLUMN waitlisted_at');
    await q.query('ALTER TABLE pathways DROP COLUMN progress');
    await q.query('ALTER TABLE pathways DROP COLUMN plan_status');
  }
}
