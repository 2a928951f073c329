import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Timers reactors set (libs/read-model/src/reactor.ts, issue 12 §5): one per reactor and key, fired when due. */
export class CreateReactorTimers1763700000950 implements MigrationInterface {
  name = 'CreateReactorTimers1763700000950';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE reactor_timers (reactor text NOT NULL, key text NOT NULL, due_at timestamptz NOT NULL, PRIMARY KEY (reactor, key))`);
    await queryRunner.query('CREATE INDEX reactor_timers_due ON reactor_timers (due_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE reactor_timers');
  }
}
