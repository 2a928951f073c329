import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Minutes from a postcode district to a treatment centre, as planners record them (issue 14 §4): the
 * stay-within-reach rule judges a patient's district against them. Looked up by district.
 */
export class DistrictTravelTimes1763700001410 implements MigrationInterface {
  name = 'DistrictTravelTimes1763700001410';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE district_travel_times (
        district text NOT NULL,
        site_code text NOT NULL,
        minutes integer NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (district, site_code)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE district_travel_times');
  }
}
