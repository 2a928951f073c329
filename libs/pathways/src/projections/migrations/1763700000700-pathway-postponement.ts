import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Postponed patients: the day they can go on from, and why (disruption, issue 4 §5). */
export class PathwayPostponement1763700000700 implements MigrationInterface {
  name = 'PathwayPostponement1763700000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE pathways ADD COLUMN postponed_until date, ADD COLUMN postponement_reason text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE pathways DROP COLUMN postponement_reason, DROP COLUMN postponed_until');
  }
}
