import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live capacity's tables, owned by the capacity slice (issue 12 §1): what capacity is laid out from
 * (sites, units, calendars, exceptions, bank holidays), the slots laid out, and the places held and
 * booked on them. Databases made before the slice existed already have these tables from the network
 * model's migration (CreateNetworkModel1763700000300 created them then), hence IF NOT EXISTS.
 */
export class CapacityTables1763700000900 implements MigrationInterface {
  name = 'CapacityTables1763700000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS capacity_sites (site_code text PRIMARY KEY, time_zone text NOT NULL, status_history jsonb NOT NULL)`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS capacity_units (
        unit_id text PRIMARY KEY, site_code text NOT NULL, batch_capacity integer NOT NULL,
        registered_day date NOT NULL, qualification_history jsonb NOT NULL
      )`);
    await q.query(`CREATE TABLE IF NOT EXISTS capacity_calendars (site_code text NOT NULL, resource text NOT NULL, calendar jsonb NOT NULL, PRIMARY KEY (site_code, resource))`);
    await q.query(`CREATE TABLE IF NOT EXISTS capacity_exceptions (exception_id text PRIMARY KEY, site_code text, unit_id text, exception jsonb NOT NULL)`);
    await q.query(`CREATE TABLE IF NOT EXISTS bank_holidays (region text NOT NULL, day date NOT NULL, PRIMARY KEY (region, day))`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS capacity_slots (
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
    await q.query('CREATE INDEX IF NOT EXISTS capacity_slots_by_day ON capacity_slots (day, resource_key, session)');
    await q.query('CREATE INDEX IF NOT EXISTS capacity_slots_by_site ON capacity_slots (site_code, day)');
    // Holds and bookings (vein-to-vein scheduling) count against slots here.
    await q.query(`
      CREATE TABLE IF NOT EXISTS capacity_commitments (
        resource_key text NOT NULL,
        day date NOT NULL,
        session text NOT NULL,
        committed integer NOT NULL DEFAULT 0 CHECK (committed >= 0),
        tentative integer NOT NULL DEFAULT 0 CHECK (tentative >= 0),
        PRIMARY KEY (resource_key, day, session)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['capacity_commitments', 'capacity_slots', 'bank_holidays', 'capacity_exceptions', 'capacity_calendars', 'capacity_units', 'capacity_sites']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
