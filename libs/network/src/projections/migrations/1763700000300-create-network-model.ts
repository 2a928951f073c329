import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the network: units, DMMF versions, travel times, and live capacity. */
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
    // What capacity is computed from, kept by the capacity projection.
    await q.query(`CREATE TABLE capacity_sites (site_code text PRIMARY KEY, time_zone text NOT NULL, status_history jsonb NOT NULL)`);
    await q.query(`
      CREATE TABLE capacity_units (
        unit_id text PRIMARY KEY, site_code text NOT NULL, batch_capacity integer NOT NULL,
        registered_day date NOT NULL, qualification_history jsonb NOT NULL
      )`);
    await q.query(`CREATE TABLE capacity_calendars (site_code text NOT NULL, resource text NOT NULL, calendar jsonb NOT NULL, PRIMARY KEY (site_code, resource))`);
    await q.query(`CREATE TABLE capacity_exceptions (exception_id text PRIMARY KEY, site_code text, unit_id text, exception jsonb NOT NULL)`);
    await q.query(`CREATE TABLE bank_holidays (region text NOT NULL, day date NOT NULL, PRIMARY KEY (region, day))`);
    await q.query(`
      CREATE TABLE capacity_slots (
        resource_key text NOT NULL,
        day date NOT NULL,
        session text NOT NULL,
        site_code text NOT NULL,
        unit_id text,
        resource text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        nominal integer NOT NULL,
        capacity integer NOT NULL CHECK (capacity >= 0),
        closed_reason text,
        PRIMARY KEY (resource_key, day, session)
      )`);
    await q.query('CREATE INDEX capacity_slots_by_day ON capacity_slots (day, resource_key, session)');
    await q.query('CREATE INDEX capacity_slots_by_site ON capacity_slots (site_code, day)');
    // Bookings and holds (vein-to-vein scheduling) count against slots here.
    await q.query(`
      CREATE TABLE capacity_commitments (
        resource_key text NOT NULL,
        day date NOT NULL,
        session text NOT NULL,
        committed integer NOT NULL DEFAULT 0 CHECK (committed >= 0),
        tentative integer NOT NULL DEFAULT 0 CHECK (tentative >= 0),
        PRIMARY KEY (resource_key, day, session)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'capacity_commitments',
      'capacity_slots',
      'bank_holidays',
      'capacity_exceptions',
      'capacity_calendars',
      'capacity_units',
      'capacity_sites',
      'travel_times',
      'dmmf_versions',
      'modular_units',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
