import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSites1763700000200 implements MigrationInterface {
  name = 'CreateSites1763700000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sites (
        code text PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        time_zone text NOT NULL,
        latitude double precision NOT NULL,
        longitude double precision NOT NULL,
        trust_code text,
        address text,
        status_reason text,
        status_changed_at timestamptz NOT NULL,
        status_changed_by text NOT NULL,
        registered_at timestamptz NOT NULL,
        registered_by text NOT NULL,
        stream_version integer NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX sites_kind_status ON sites (kind, status)');
    await queryRunner.query('CREATE INDEX sites_trust_code ON sites (trust_code)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE sites');
  }
}
