import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A tamper-evident record (issue 14 §5; EU GMP Annex 11 §9, MHRA GXP Data Integrity 6.13): each event
 * carries a SHA-256 hash of what it records and of the hash of the event before it in its stream, so
 * altering or removing an event breaks the chain from there on (docs/record.md). The hash is set by a
 * trigger as the event is inserted, by every way of appending, so no writer can forget it or skip it.
 *
 * What is hashed, byte for byte (`chainHash` in libs/event-store/src/postgres/log-chain.ts does the same
 * in TypeScript, which is how the record is checked): the previous hash (nothing for a stream's first
 * event), then UTF-8 text of the stream id and type (each after its length in bytes and a colon), the
 * stream position, event id, schema version, the recording instant in microseconds since 1970, the data
 * and the metadata as PostgreSQL prints jsonb, one per line.
 */
const CHAIN_TEXT = `
  octet_length(e.stream_id)::text || ':' || e.stream_id || E'\\n' ||
  e.stream_position::text || E'\\n' ||
  e.event_id::text || E'\\n' ||
  octet_length(e.type)::text || ':' || e.type || E'\\n' ||
  e.schema_version::text || E'\\n' ||
  (extract(epoch FROM e.recorded_at) * 1000000)::bigint::text || E'\\n' ||
  e.data::text || E'\\n' ||
  e.metadata::text`;

export class HashChainedEvents1763700001370 implements MigrationInterface {
  name = 'HashChainedEvents1763700001370';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE events ADD COLUMN hash bytea');
    await queryRunner.query(`
      CREATE FUNCTION event_chain_hash(previous bytea, e events) RETURNS bytea LANGUAGE sql STABLE AS $$
        SELECT sha256(coalesce(previous, ''::bytea) || convert_to(${CHAIN_TEXT}, 'UTF8'))
      $$`);
    // Events recorded before the chain existed are chained now, stream by stream in order. The
    // append-only trigger stands aside for this one statement of the migration, and only here.
    await queryRunner.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
    await queryRunner.query(`
      DO $$
      DECLARE
        e events;
        previous bytea;
        stream text;
      BEGIN
        FOR e IN SELECT * FROM events ORDER BY stream_id, stream_position LOOP
          IF stream IS DISTINCT FROM e.stream_id THEN previous := NULL; stream := e.stream_id; END IF;
          previous := event_chain_hash(previous, e);
          UPDATE events SET hash = previous WHERE global_position = e.global_position;
        END LOOP;
      END $$`);
    await queryRunner.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
    await queryRunner.query('ALTER TABLE events ALTER COLUMN hash SET NOT NULL');
    await queryRunner.query(`
      CREATE FUNCTION events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        previous bytea;
      BEGIN
        IF NEW.stream_position > 1 THEN
          -- Rows inserted earlier by the same statement are visible here, so an append of several events chains them in order.
          SELECT hash INTO previous FROM events WHERE stream_id = NEW.stream_id AND stream_position = NEW.stream_position - 1;
          IF previous IS NULL THEN
            RAISE EXCEPTION 'event % of stream % has no event % before it to chain to', NEW.stream_position, NEW.stream_id, NEW.stream_position - 1
              USING ERRCODE = 'BS003';
          END IF;
        END IF;
        NEW.hash := event_chain_hash(previous, NEW);
        RETURN NEW;
      END $$`);
    await queryRunner.query('CREATE TRIGGER events_chain BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_chain()');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER events_chain ON events');
    await queryRunner.query('DROP FUNCTION events_chain');
    await queryRunner.query('DROP FUNCTION event_chain_hash');
    await queryRunner.query('ALTER TABLE events DROP COLUMN hash');
  }
}
