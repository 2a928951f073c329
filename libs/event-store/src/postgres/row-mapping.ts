import type { EventMetadata, GlobalPosition, RecordedEvent } from '../types';
import type { UpcasterRegistry } from '../upcasters';

export interface EventRow {
  global_position: string;
  /** Text, because ORDER BY must sort the xid8 column, not a text alias of the same name. */
  transaction_id_text: string;
  event_id: string;
  stream_id: string;
  stream_position: string;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: Date;
}

export const EVENT_COLUMNS =
  'global_position, transaction_id::text AS transaction_id_text, event_id, stream_id, stream_position, type, schema_version, data, metadata, recorded_at';

export function toRecordedEvent(row: EventRow, upcasters: UpcasterRegistry): RecordedEvent {
  const upcast = upcasters.upcast({ type: row.type, schemaVersion: row.schema_version, data: row.data });
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    streamPosition: Number(row.stream_position),
    globalPosition: { transactionId: BigInt(row.transaction_id_text), position: BigInt(row.global_position) },
    type: upcast.type,
    schemaVersion: upcast.schemaVersion,
    data: upcast.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

export function positionParams(position: GlobalPosition): [string, string] {
  return [position.transactionId.toString(), position.position.toString()];
}
