import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each pathway's clinical steps as corrected (issue 14 §3; domain/corrections.ts): where it stands is
 * folded from them once a step is corrected. Rows written before had no steps, so the projection starts
 * again from the log (its checkpoint reset, as `npm run projections:rebuild pathways` would).
 */
export class PathwaySteps1763700001380 implements MigrationInterface {
  name = 'PathwaySteps1763700001380';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pathways ADD COLUMN steps jsonb NOT NULL DEFAULT '[]'`);
    await q.query('TRUNCATE pathways');
    await q.query(
      `UPDATE projection_checkpoints
          SET transaction_id = 0, global_position = 0, events_applied = 0, last_event_recorded_at = NULL, updated_at = now(), rebuilt_at = now()
        WHERE name = 'pathways'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE pathways DROP COLUMN steps');
  }
}
