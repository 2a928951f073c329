import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which commitments changed since a reader last looked (issue 12 §7): each batch the commitments
 * projection applies takes the next number from `capacity_commitments_version` (one row, in the batch's
 * transaction, so numbers follow commit order: batches of one projection are applied one at a time),
 * and stamps the rows it changed with it. The plan search's reader then reads only the rows changed
 * since the number it holds, instead of every place held or booked in the next four months per search.
 */
export class CapacityCommitmentChanges1763700001200 implements MigrationInterface {
  name = 'CapacityCommitmentChanges1763700001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE capacity_commitments ADD COLUMN IF NOT EXISTS changed_in bigint NOT NULL DEFAULT 0');
    await q.query('CREATE INDEX IF NOT EXISTS capacity_commitments_changed_in ON capacity_commitments (changed_in)');
    await q.query('CREATE TABLE IF NOT EXISTS capacity_commitments_version (one boolean PRIMARY KEY DEFAULT true CHECK (one), version bigint NOT NULL)');
    await q.query('INSERT INTO capacity_commitments_version (version) VALUES (0) ON CONFLICT DO NOTHING');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS capacity_commitments_version');
    await q.query('DROP INDEX IF EXISTS capacity_commitments_changed_in');
    await q.query('ALTER TABLE capacity_commitments DROP COLUMN IF EXISTS changed_in');
  }
}
