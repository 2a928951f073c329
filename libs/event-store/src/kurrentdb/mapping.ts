import { NO_STREAM, START, STREAM_EXISTS, ANY, type AppendStreamState, type CurrentStreamState, type Position, type ReadPosition } from '@kurrent/kurrentdb-client';
import { ConcurrencyError } from '../errors';
import { START_OF_LOG, type EventMetadata, type ExpectedVersion, type GlobalPosition, type StreamAppend } from '../types';

/*
 * The pure half of the KurrentDB adapter: how the port's positions, versions, metadata and errors
 * map to KurrentDB's. Kept free of I/O so it is unit-tested without a server (mapping.spec.ts).
 */

// ---------------------------------------------------------------------------------------------
// Positions
//
// A KurrentDB event sits at a $all Position { commit, prepare }, and $all is ordered by commit,
// then prepare. The port's GlobalPosition is compared the same way (transactionId, then position:
// see isAfter), so the mapping is the identity on the pair:
//   transactionId = commit position, position = prepare position.
// It is order-preserving by construction: isAfter(toGlobal(a), toGlobal(b)) exactly when a comes
// after b in $all. Unlike PostgreSQL, events of one append do NOT share a transactionId: KurrentDB
// gives every event of an append (an implicit transaction) its own commit position, equal to its
// prepare position. What holds instead is that an append's events are adjacent in $all.
// Both are log offsets below 2^63, so they also fit the bigint checkpoint columns of the read models.
// ---------------------------------------------------------------------------------------------

export function toGlobalPosition(position: Position): GlobalPosition {
  return { transactionId: position.commit, position: position.prepare };
}

/** Where a read "after" a GlobalPosition starts: the log's start, or that event's own position (reads include it). */
export function toReadPosition(after: GlobalPosition): ReadPosition {
  if (after.transactionId === START_OF_LOG.transactionId && after.position === START_OF_LOG.position) return START;
  if (after.transactionId < 0n || after.position < 0n) throw new RangeError(`${after.transactionId}/${after.position} is not a KurrentDB position.`);
  return { commit: after.transactionId, prepare: after.position };
}

// ---------------------------------------------------------------------------------------------
// Stream versions
//
// Port: a stream with no events is at version 0 and its first event is 1.
// KurrentDB: the first event has revision 0; an expected revision r means "the last event is r".
// So version = revision + 1, and expecting version v > 0 is expecting revision v - 1; expecting
// version 0 is expecting no stream.
// ---------------------------------------------------------------------------------------------

export function toStreamState(expected: ExpectedVersion): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`Expected version ${expected} is not a whole number >= 0.`);
      return expected === 0 ? NO_STREAM : BigInt(expected - 1);
  }
}

/** The port's version of a stream whose last event has this revision. */
export function versionOfRevision(revision: bigint): number {
  const version = revision + 1n;
  if (version > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`Stream revision ${revision} is beyond the port's version range.`);
  return Number(version);
}

/** The port's stream position of an event at this revision (same as the version it brings the stream to). */
export const streamPositionOfRevision = versionOfRevision;

/** Where a stream read starts: the port's stream position p is revision p - 1. */
export function revisionOfStreamPosition(streamPosition: number): bigint {
  return BigInt(Math.max(streamPosition, 1) - 1);
}

/** A stream's actual state, as a KurrentDB conflict reports it, in the port's terms. */
export function actualVersion(state: CurrentStreamState | bigint | string | undefined): number | 'no_stream' {
  if (state === undefined || state === NO_STREAM) return 'no_stream';
  const revision = typeof state === 'bigint' ? state : BigInt(state);
  // -1 is "no stream" on the wire; deleted (-5) and tombstoned (-6) streams have no events to be at either.
  return revision < 0n ? 'no_stream' : versionOfRevision(revision);
}

// ---------------------------------------------------------------------------------------------
// Metadata
//
// multiStreamAppend (KurrentDB 25.1) accepts metadata only as a flat object of string values, and
// the server returns it to readers as a JSON object to which it adds its own `$`-prefixed keys
// (the schema name and format). One encoding serves both append paths so that reads are uniform:
//   - string fields are stored as they are (actor, role, onBehalfOf, correlationId, ...), readable
//     by any KurrentDB tool;
//   - any other value (e.g. the `trusts` array a CommandContext carries) is stored as JSON text
//     under `<key>.json`;
//   - the event's schema version is stored as `bedside.schemaVersion`.
// Decoding keeps every field except the server's `$` keys and our own `bedside.` keys.
// ---------------------------------------------------------------------------------------------

const JSON_SUFFIX = '.json';
const OWN_PREFIX = 'bedside.';
export const SCHEMA_VERSION_KEY = `${OWN_PREFIX}schemaVersion`;

export function encodeMetadata(metadata: EventMetadata, schemaVersion: number): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) continue;
    if (key.startsWith('$') || key.startsWith(OWN_PREFIX) || key.endsWith(JSON_SUFFIX)) {
      throw new RangeError(`Metadata key "${key}" is reserved in the KurrentDB adapter.`);
    }
    if (typeof value === 'string') encoded[key] = value;
    else encoded[`${key}${JSON_SUFFIX}`] = JSON.stringify(value);
  }
  encoded[SCHEMA_VERSION_KEY] = String(schemaVersion);
  return encoded;
}

export interface DecodedMetadata {
  readonly metadata: EventMetadata;
  readonly schemaVersion: number;
}

export function decodeMetadata(stored: unknown): DecodedMetadata {
  const fields: Record<string, unknown> = {};
  let schemaVersion = 1;
  // Events written by other tools may carry no metadata, or metadata that is not a JSON object.
  if (stored && typeof stored === 'object' && !Array.isArray(stored) && !(stored instanceof Uint8Array)) {
    for (const [key, value] of Object.entries(stored as Record<string, unknown>)) {
      if (key === SCHEMA_VERSION_KEY) {
        const parsed = Number(value);
        if (Number.isSafeInteger(parsed) && parsed > 0) schemaVersion = parsed;
      } else if (key.startsWith('$') || key.startsWith(OWN_PREFIX)) {
        continue;
      } else if (key.endsWith(JSON_SUFFIX) && typeof value === 'string') {
        fields[key.slice(0, -JSON_SUFFIX.length)] = JSON.parse(value);
      } else {
        fields[key] = value;
      }
    }
  }
  return { metadata: fields as unknown as EventMetadata, schemaVersion };
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** The parts of the client's WrongExpectedVersionError this adapter reads. */
interface WrongExpectedVersionLike {
  readonly type: string;
  readonly streamName?: string;
  readonly actualState?: CurrentStreamState;
}

/**
 * A refused expected version becomes the port's ConcurrencyError, naming the stream, the version
 * the caller expected (as the caller said it, not KurrentDB's revision) and the actual version.
 * Anything else is returned unchanged.
 */
export function translateAppendError(error: unknown, streams: readonly StreamAppend[]): unknown {
  const conflict = error as Partial<WrongExpectedVersionLike> | null;
  if (!conflict || conflict.type !== 'wrong-expected-version') return error;
  // A single-stream append's error may not name the stream; a multi-stream one's does.
  const stream = streams.find((s) => s.streamId === conflict.streamName) ?? (streams.length === 1 ? streams[0] : undefined);
  if (!stream) return error;
  const translated = new ConcurrencyError(stream.streamId, stream.expectedVersion, actualVersion(conflict.actualState));
  (translated as { cause?: unknown }).cause = error;
  return translated;
}
