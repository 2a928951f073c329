import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One row per projection: how far into the log it has applied, kept in its write transactions. */
export class CreateProjectionCheckpoints1763700000100 implements MigrationInterface {
  name = 'CreateProjectionCheckpoints1763700000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        transaction_id bigint NOT NULL DEFAULT 0,
        global_position bigint NOT NULL DEFAULT 0,
        events_applied bigint NOT NULL DEFAULT 0,
        last_event_recorded_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        rebuilt_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE projection_checkpoints');
  }
}
