import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Places held and booked may be a share of one (issue 14 §4): each booked CAR-T plan reserves
 * icuReserveProbability (0.3 in the demo) of an ICU bed on days 5 and 6 after infusion. Exact decimals
 * to the hundredth, so shares added and taken back leave exactly what was there (SlotRef.share).
 */
export class CommitmentsInShares1763700001420 implements MigrationInterface {
  name = 'CommitmentsInShares1763700001420';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE capacity_commitments ALTER COLUMN committed TYPE numeric(12,2), ALTER COLUMN tentative TYPE numeric(12,2)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE capacity_commitments ALTER COLUMN committed TYPE integer USING ceil(committed), ALTER COLUMN tentative TYPE integer USING ceil(tentative)');
  }
}
