import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log. Design notes (architecture.md §2):
 * - `transaction_id` lets readers avoid the out-of-order-commit bug: they read only below the oldest
 *   running transaction (`pg_snapshot_xmin`) and order by (transaction_id, global_position).
 * - (stream_id, stream_position) is unique: the optimistic-concurrency backstop if the append
 *   function's version check were ever bypassed.
 * - The log is append-only (MHRA GXP Data Integrity 6.13, EU GMP Annex 11 §9): a trigger refuses
 *   UPDATE, DELETE and TRUNCATE; corrections are new events with a reason.
 */
export class CreateEventStore1763700000000 implements MigrationInterface {
  name = 'CreateEventStore1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE streams (
        stream_id text PRIMARY KEY,
        stream_position bigint NOT NULL CHECK (stream_position > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL,
        stream_id text NOT NULL,
        stream_position bigint NOT NULL,
        type text NOT NULL,
        schema_version integer NOT NULL DEFAULT 1,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_event_id_unique UNIQUE (event_id),
        CONSTRAINT events_stream_position_unique UNIQUE (stream_id, stream_position)
      )`);
    await queryRunner.query(`CREATE INDEX events_log_order ON events (transaction_id, global_position)`);
    await queryRunner.query(`
      CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the event log is append-only: record a correcting event instead of changing or deleting one'
          USING ERRCODE = 'BS002';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION events_refuse_change()`);
    await queryRunner.query(`
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()`);
    await queryRunner.query(APPEND_TO_STREAMS);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION append_to_streams');
    await queryRunner.query('DROP TABLE events');
    await queryRunner.query('DROP FUNCTION events_refuse_change');
    await queryRunner.query('DROP TABLE streams');
  }
}

/**
 * Appends to several streams in one transaction and one round trip.
 * Expected versions: n >= 0 exact (0 = the stream has no events), -1 any, -2 no stream, -3 exists.
 * Events arrive grouped by stream, in the order of p_stream_ids, p_counts[i] of them for stream i.
 * Each expected version is checked, and the stream row locked, before any sequence value is taken;
 * streams are locked in stream_id order so two multi-stream appends cannot deadlock.
 * A mismatch raises SQLSTATE BS001 with a JSON detail naming stream, expected and actual version.
 */
export const APPEND_TO_STREAMS = `
CREATE FUNCTION append_to_streams(
  p_stream_ids text[],
  p_expected bigint[],
  p_counts integer[],
  p_event_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_data jsonb[],
  p_metadata jsonb[]
) RETURNS TABLE (stream_id text, stream_position bigint, transaction_id xid8, last_global_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_stream integer;
  v_id text;
  v_expected bigint;
  v_count integer;
  v_version bigint;
  v_actual bigint;
  v_offset integer;
  v_offsets integer[] := array_fill(0, ARRAY[cardinality(p_stream_ids)]);
  v_new_versions bigint[] := array_fill(0::bigint, ARRAY[cardinality(p_stream_ids)]);
  v_event_streams text[] := array_fill(NULL::text, ARRAY[cardinality(p_event_ids)]);
  v_positions bigint[] := array_fill(0::bigint, ARRAY[cardinality(p_event_ids)]);
  v_last bigint;
BEGIN
  v_offset := 0;
  FOR v_stream IN 1 .. cardinality(p_stream_ids) LOOP
    v_offsets[v_stream] := v_offset;
    v_offset := v_offset + p_counts[v_stream];
  END LOOP;

  FOR v_stream IN
    SELECT s.ord FROM unnest(p_stream_ids) WITH ORDINALITY AS s(id, ord) ORDER BY s.id
  LOOP
    v_id := p_stream_ids[v_stream];
    v_expected := p_expected[v_stream];
    v_count := p_counts[v_stream];
    v_version := NULL;

    IF v_expected = -2 OR v_expected = 0 THEN
      INSERT INTO streams AS s (stream_id, stream_position) VALUES (v_id, v_count)
        ON CONFLICT ON CONSTRAINT streams_pkey DO NOTHING
        RETURNING 0::bigint INTO v_version;
    ELSIF v_expected = -1 THEN
      INSERT INTO streams AS s (stream_id, stream_position) VALUES (v_id, v_count)
        ON CONFLICT ON CONSTRAINT streams_pkey
        DO UPDATE SET stream_position = s.stream_position + v_count, updated_at = now()
        RETURNING s.stream_position - v_count INTO v_version;
    ELSIF v_expected = -3 THEN
      UPDATE streams AS s SET stream_position = s.stream_position + v_count, updated_at = now()
        WHERE s.stream_id = v_id
        RETURNING s.stream_position - v_count INTO v_version;
    ELSE
      UPDATE streams AS s SET stream_position = s.stream_position + v_count, updated_at = now()
        WHERE s.stream_id = v_id AND s.stream_position = v_expected
        RETURNING v_expected INTO v_version;
    END IF;

    IF v_version IS NULL THEN
      SELECT s.stream_position INTO v_actual FROM streams AS s WHERE s.stream_id = v_id;
      RAISE EXCEPTION 'wrong expected version for stream %', v_id
        USING ERRCODE = 'BS001',
              DETAIL = json_build_object('streamId', v_id, 'expected', v_expected, 'actual', coalesce(v_actual, -2))::text;
    END IF;

    v_new_versions[v_stream] := v_version + v_count;
    FOR v_offset IN 1 .. v_count LOOP
      v_event_streams[v_offsets[v_stream] + v_offset] := v_id;
      v_positions[v_offsets[v_stream] + v_offset] := v_version + v_offset;
    END LOOP;
  END LOOP;

  WITH inserted AS (
    INSERT INTO events (event_id, stream_id, stream_position, type, schema_version, data, metadata)
    SELECT e.event_id, e.stream_id, e.stream_position, e.type, e.schema_version, e.data, e.metadata
      FROM unnest(p_event_ids, v_event_streams, v_positions, p_types, p_schema_versions, p_data, p_metadata)
           WITH ORDINALITY AS e(event_id, stream_id, stream_position, type, schema_version, data, metadata, ord)
     ORDER BY e.ord
    RETURNING global_position
  )
  SELECT max(global_position) INTO v_last FROM inserted;

  -- No pg_notify here: NOTIFY takes a database-wide lock at commit and would serialise every
  -- append's commit. The store sends a coalesced wake-up after the append instead (notifier.ts).

  RETURN QUERY
    SELECT u.id, u.version, pg_current_xact_id(), v_last
      FROM unnest(p_stream_ids, v_new_versions) AS u(id, version);
END $$`;
