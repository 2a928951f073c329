import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of vein-to-vein scheduling: pathways and holds in force. */
export class CreatePathways1763700000500 implements MigrationInterface {
  name = 'CreatePathways1763700000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pathways (
        coi text PRIMARY KEY,
        patient_ref text NOT NULL,
        referring_trust text NOT NULL,
        product_code text NOT NULL,
        dmmf_version integer NOT NULL,
        treatment_centre text,
        status text NOT NULL,
        priority text NOT NULL,
        washout jsonb NOT NULL,
        earliest_collection_date date NOT NULL,
        clinical_deadline date,
        hold_id text,
        hold_expires_at timestamptz,
        referred_at timestamptz NOT NULL,
        referred_by text NOT NULL,
        updated_at timestamptz NOT NULL,
        stream_version integer NOT NULL
      )`);
    await q.query('CREATE INDEX pathways_trust_status ON pathways (referring_trust, status)');
    await q.query(`
      CREATE TABLE holds (
        hold_id text PRIMARY KEY,
        coi text NOT NULL,
        status text NOT NULL,
        slots jsonb NOT NULL,
        expires_at timestamptz NOT NULL,
        placed_at timestamptz NOT NULL,
        placed_by text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // The expiry sweep looks here for holds past their time.
    await q.query(`CREATE INDEX holds_in_force ON holds (expires_at) WHERE status = 'HELD'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE holds');
    await q.query('DROP TABLE pathways');
  }
}
