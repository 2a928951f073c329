import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The at-risk flags Bedside has recorded and not cleared (issue 12 §5): one row per flagged pathway. */
export class CreateAtRiskFlags1763700001100 implements MigrationInterface {
  name = 'CreateAtRiskFlags1763700001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE at_risk_flags (
      coi text PRIMARY KEY,
      reasons text[] NOT NULL,
      flagged_at timestamptz NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE at_risk_flags');
  }
}
