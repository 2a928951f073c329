import { randomUUID } from 'node:crypto';
import { jsonEvent, UnsupportedError, type AppendStreamRequest, type EventData, type KurrentDBClient } from '@kurrent/kurrentdb-client';
import { InvalidAppendError } from '../errors';
import type { AppendResult, EventMetadata, GlobalPosition, StreamAppend } from '../types';
import { encodeMetadata, toGlobalPosition, toStreamState, translateAppendError, versionOfRevision } from './mapping';

/**
 * One stream: appendToStream (every KurrentDB version). Several: multiStreamAppend, which KurrentDB
 * 25.1+ commits atomically: every stream at its expected revision, or none written.
 */
export async function appendToKurrent(client: KurrentDBClient, streams: readonly StreamAppend[], metadata: EventMetadata): Promise<AppendResult> {
  validate(streams);
  const requests: AppendStreamRequest[] = streams.map((stream) => ({
    streamName: stream.streamId,
    expectedState: toStreamState(stream.expectedVersion),
    events: stream.events.map((event) => toEventData(event, metadata)),
  }));
  let revisions: Map<string, bigint>;
  try {
    if (requests.length === 1) {
      const [only] = requests;
      const result = await client.appendToStream(only!.streamName, only!.events, { streamState: only!.expectedState });
      revisions = new Map([[only!.streamName, result.nextExpectedRevision]]);
    } else {
      const result = await client.multiStreamAppend(requests);
      revisions = new Map(result.responses.map((r) => [r.streamName, r.revision]));
    }
  } catch (error) {
    if (error instanceof UnsupportedError) {
      throw new Error('Appending to several streams at once needs KurrentDB 25.1 or later (multiStreamAppend).', { cause: error });
    }
    throw translateAppendError(error, streams);
  }
  return {
    versions: new Map([...revisions].map(([streamId, revision]) => [streamId, versionOfRevision(revision)])),
    lastPosition: await lastPositionOf(client, revisions),
  };
}

function toEventData(event: StreamAppend['events'][number], metadata: EventMetadata): EventData {
  return jsonEvent({
    id: event.eventId ?? randomUUID(),
    type: event.type,
    data: event.data,
    metadata: encodeMetadata(event.metadata ? { ...metadata, ...event.metadata } : metadata, event.schemaVersion ?? 1),
  });
}

/**
 * The $all position of the last event written, read back from the streams at their new revisions.
 * The append responses are not used for this: appendToStream's position and multiStreamAppend's
 * single number mean different things across server versions and protocols, and read-your-writes
 * (projections waiting for this position) needs the position of an event exactly: a position past it
 * waits for an event that may never come, one before it returns too early.
 */
async function lastPositionOf(client: KurrentDBClient, revisions: ReadonlyMap<string, bigint>): Promise<GlobalPosition> {
  const positions = await Promise.all(
    [...revisions].map(async ([streamId, revision]) => {
      for await (const resolved of client.readStream(streamId, { fromRevision: revision, maxCount: 1, requiresLeader: true })) {
        if (resolved.event?.position) return toGlobalPosition(resolved.event.position);
      }
      throw new Error(`The event just appended to "${streamId}" at revision ${revision} could not be read back.`);
    }),
  );
  return positions.reduce((a, b) => (b.transactionId > a.transactionId || (b.transactionId === a.transactionId && b.position > a.position) ? b : a));
}

function validate(streams: readonly StreamAppend[]): void {
  if (streams.length === 0) throw new InvalidAppendError('An append needs at least one stream.');
  const seen = new Set<string>();
  for (const stream of streams) {
    if (!stream.streamId) throw new InvalidAppendError('A stream id must not be empty.');
    if (stream.streamId.startsWith('$')) throw new InvalidAppendError(`Stream "${stream.streamId}": names starting with $ are KurrentDB system streams.`);
    if (seen.has(stream.streamId)) throw new InvalidAppendError(`Stream "${stream.streamId}" appears twice in one append; merge its events.`);
    seen.add(stream.streamId);
    if (stream.events.length === 0) throw new InvalidAppendError(`The append to stream "${stream.streamId}" has no events.`);
    const version = stream.expectedVersion;
    if (typeof version === 'number' && (!Number.isSafeInteger(version) || version < 0)) {
      throw new InvalidAppendError(`Expected version ${version} for "${stream.streamId}" is not a whole number >= 0.`);
    }
    for (const event of stream.events) {
      // Types starting with $ are KurrentDB's own and filtered out of every $all read.
      if (!event.type || event.type.startsWith('$')) throw new InvalidAppendError(`Event type "${event.type}" is empty or reserved.`);
    }
  }
}
