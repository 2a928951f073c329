import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The clinical lifecycle after booking: both tracks (product and patient) of each pathway. */
export class PathwayProgress1763700000600 implements MigrationInterface {
  name = 'PathwayProgress1763700000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pathways ADD COLUMN plan_status text NOT NULL DEFAULT 'REFERRED'`);
    await q.query(`ALTER TABLE pathways ADD COLUMN progress jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`UPDATE pathways SET plan_status = CASE WHEN status IN ('REFERRED', 'PLAN_HELD', 'BOOKED') THEN status ELSE 'BOOKED' END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE pathways DROP COLUMN progress');
    await q.query('ALTER TABLE pathways DROP COLUMN plan_status');
  }
}
