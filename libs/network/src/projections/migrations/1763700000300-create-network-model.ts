import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the network: units, DMMF versions and travel times. */
export class CreateNetworkModel1763700000300 implements MigrationInterface {
  name = 'CreateNetworkModel1763700000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE modular_units (
        unit_id text PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL,
        mobility text NOT NULL,
        batch_capacity integer NOT NULL,
        home_site_code text NOT NULL,
        current_site_code text NOT NULL,
        qualification text NOT NULL,
        qualification_reason text,
        qualification_changed_at timestamptz NOT NULL,
        fill_finish jsonb,
        registered_at timestamptz NOT NULL,
        registered_by text NOT NULL,
        stream_version integer NOT NULL
      )`);
    await q.query(`
      CREATE TABLE dmmf_versions (
        product_code text NOT NULL,
        version integer NOT NULL,
        name text NOT NULL,
        process jsonb NOT NULL,
        designated_site_codes text[] NOT NULL,
        designated_unit_ids text[] NOT NULL,
        reason text NOT NULL,
        published_at timestamptz NOT NULL,
        published_by text NOT NULL,
        PRIMARY KEY (product_code, version)
      )`);
    await q.query(`
      CREATE TABLE travel_times (
        from_site_code text NOT NULL,
        to_site_code text NOT NULL,
        hours double precision NOT NULL,
        fresh_courier boolean NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (from_site_code, to_site_code)
      )`);
    // Live capacity's tables were created here until the capacity slice took them over (issue 12 §1):
    // they are now CapacityTables1763700000900's, in libs/capacity.
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'travel_times',
      'dmmf_versions',
      'modular_units',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
