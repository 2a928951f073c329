import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPEND_TO_STREAMS } from './1763700000000-create-event-store';

/**
 * `append_to_streams` takes the events as one JSON document instead of six parallel arrays.
 *
 * The driver sends a `jsonb[]` parameter as an array literal: every element (an event's data, an
 * event's metadata) is a JSON string it escapes quote by quote. A booking's hold writes about 24
 * events to 24 streams, and that escaping was the largest single source of garbage in the process
 * under load (measured with V8's sampling heap profiler in `bench:scheduling`), driving the garbage
 * collector. As one document, the events are stringified once and the server reads each event's data
 * as a value of it. The metadata every event shares travels once; an event's own metadata is merged
 * over it, as before. What is stored is unchanged.
 */
export class AppendEventsAsJson1763700000800 implements MigrationInterface {
  name = 'AppendEventsAsJson1763700000800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(APPEND_EVENTS);
    await queryRunner.query('DROP FUNCTION append_to_streams(text[], bigint[], integer[], uuid[], text[], integer[], jsonb[], jsonb[])');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(APPEND_TO_STREAMS);
    await queryRunner.query('DROP FUNCTION append_to_streams(text[], bigint[], integer[], jsonb, jsonb)');
  }
}

/**
 * Appends to several streams in one transaction and one round trip.
 * Expected versions: n >= 0 exact (0 = the stream has no events), -1 any, -2 no stream, -3 exists.
 * `p_events` is a JSON array of {id, type, v, data, metadata?}, grouped by stream in the order of
 * p_stream_ids, p_counts[i] of them for stream i; each event's metadata is `p_metadata` with the
 * event's own `metadata` (if any) merged over it.
 * Each expected version is checked, and the stream row locked, before any sequence value is taken;
 * streams are locked in stream_id order so two multi-stream appends cannot deadlock.
 * A mismatch raises SQLSTATE BS001 with a JSON detail naming stream, expected and actual version.
 */
const APPEND_EVENTS = `
CREATE FUNCTION append_to_streams(
  p_stream_ids text[],
  p_expected bigint[],
  p_counts integer[],
  p_events jsonb,
  p_metadata jsonb
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
  v_event_streams text[] := array_fill(NULL::text, ARRAY[jsonb_array_length(p_events)]);
  v_positions bigint[] := array_fill(0::bigint, ARRAY[jsonb_array_length(p_events)]);
  v_last bigint;
BEGIN
  v_offset := 0;
  FOR v_stream IN 1 .. cardinality(p_stream_ids) LOOP
    v_offsets[v_stream] := v_offset;
    v_offset := v_offset + p_counts[v_stream];
  END LOOP;
  IF v_offset <> jsonb_array_length(p_events) THEN
    RAISE EXCEPTION 'append_to_streams: the stream counts add up to % events but % were given', v_offset, jsonb_array_length(p_events);
  END IF;

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
    SELECT e.id, v_event_streams[e.ord], v_positions[e.ord], e.type, coalesce(e.v, 1), e.data, coalesce(p_metadata || e.metadata, p_metadata)
      FROM ROWS FROM (jsonb_to_recordset(p_events) AS (id uuid, type text, v integer, data jsonb, metadata jsonb)) WITH ORDINALITY AS e(id, type, v, data, metadata, ord)
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
