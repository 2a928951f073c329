import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `batches`: each batch, where and when it was made, where it stands, and whom it reached (issue 14 §1). */
export class CreateBatches1763700001390 implements MigrationInterface {
  name = 'CreateBatches1763700001390';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE batches (
        batch_id text PRIMARY KEY,
        coi text NOT NULL,
        product_code text NOT NULL,
        referring_trust text NOT NULL,
        unit_id text NOT NULL,
        site_code text NOT NULL,
        issued boolean NOT NULL,
        started_at timestamptz NOT NULL,
        completed_at timestamptz,
        failed_at timestamptz,
        failure_reason text,
        released_at timestamptz,
        exceptional boolean NOT NULL DEFAULT false,
        infused_at timestamptz,
        entered_in_error boolean NOT NULL DEFAULT false,
        adverse_events integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL
      )`);
    // The lookback's filters: by unit or site over a range of start days, by product.
    await q.query('CREATE INDEX batches_unit_started ON batches (unit_id, started_at)');
    await q.query('CREATE INDEX batches_site_started ON batches (site_code, started_at)');
    await q.query('CREATE INDEX batches_started ON batches (started_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE batches');
  }
}
