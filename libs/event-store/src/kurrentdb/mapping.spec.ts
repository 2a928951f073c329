import { ANY, NO_STREAM, START, STREAM_EXISTS, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import { ConcurrencyError } from '../errors';
import { START_OF_LOG, isAfter, type EventMetadata } from '../types';
import {
  SCHEMA_VERSION_KEY,
  actualVersion,
  decodeMetadata,
  encodeMetadata,
  revisionOfStreamPosition,
  streamPositionOfRevision,
  toGlobalPosition,
  toReadPosition,
  toStreamState,
  translateAppendError,
  versionOfRevision,
} from './mapping';

describe('KurrentDB adapter mapping (no server needed)', () => {
  describe('positions', () => {
    it('maps commit to transactionId and prepare to position, and back', () => {
      const position = { commit: 1_234_567n, prepare: 1_234_500n };
      expect(toGlobalPosition(position)).toEqual({ transactionId: 1_234_567n, position: 1_234_500n });
      expect(toReadPosition(toGlobalPosition(position))).toEqual(position);
    });

    it('preserves $all order: (commit, prepare) compared lexicographically, as isAfter compares', () => {
      // In $all order, including an explicit transaction whose events share a commit position.
      const log = [
        { commit: 100n, prepare: 100n },
        { commit: 250n, prepare: 250n },
        { commit: 900n, prepare: 300n },
        { commit: 900n, prepare: 420n },
        { commit: 1_000n, prepare: 1_000n },
        { commit: 2n ** 62n, prepare: 2n ** 62n },
      ].map(toGlobalPosition);
      for (let i = 0; i < log.length; i++) {
        for (let j = 0; j < log.length; j++) expect(isAfter(log[i]!, log[j]!)).toBe(i > j);
      }
      for (const position of log) expect(isAfter(position, START_OF_LOG)).toBe(true);
    });

    it('starts a read of the whole log at the start, and refuses a position no KurrentDB has', () => {
      expect(toReadPosition(START_OF_LOG)).toBe(START);
      expect(() => toReadPosition({ transactionId: -1n, position: 0n })).toThrow(RangeError);
    });
  });

  describe('stream versions', () => {
    it('expects revision v - 1 for version v, and no stream for version 0', () => {
      expect(toStreamState(0)).toBe(NO_STREAM);
      expect(toStreamState(1)).toBe(0n);
      expect(toStreamState(42)).toBe(41n);
      expect(toStreamState('no_stream')).toBe(NO_STREAM);
      expect(toStreamState('exists')).toBe(STREAM_EXISTS);
      expect(toStreamState('any')).toBe(ANY);
      expect(() => toStreamState(-1)).toThrow(RangeError);
      expect(() => toStreamState(1.5)).toThrow(RangeError);
    });

    it('numbers events from 1: revision r is stream position and version r + 1', () => {
      expect(versionOfRevision(0n)).toBe(1);
      expect(streamPositionOfRevision(2n)).toBe(3);
      expect(revisionOfStreamPosition(1)).toBe(0n);
      expect(revisionOfStreamPosition(3)).toBe(2n);
      // Reading forwards "from 0" is reading from the first event.
      expect(revisionOfStreamPosition(0)).toBe(0n);
      expect(() => versionOfRevision(BigInt(Number.MAX_SAFE_INTEGER))).toThrow(RangeError);
    });

    it('reports the actual version of a conflict in the port\'s terms', () => {
      expect(actualVersion(NO_STREAM)).toBe('no_stream');
      expect(actualVersion(undefined)).toBe('no_stream');
      expect(actualVersion(3n)).toBe(4);
      expect(actualVersion(0n)).toBe(1);
      expect(actualVersion(-1n)).toBe('no_stream');
    });
  });

  describe('metadata', () => {
    const metadata: EventMetadata = {
      actor: 'qa.lead@control-site',
      role: 'control_site_qa',
      onBehalfOf: 'RX1',
      correlationId: 'corr-1',
      causationId: 'cmd-9',
      reason: 'batch record corrected: wrong bay "B-2"',
    };

    it('stores string fields as strings, other values as JSON text, and the schema version', () => {
      const encoded = encodeMetadata({ ...metadata, trusts: ['RX1', 'RYJ'] } as EventMetadata, 3);
      expect(encoded).toEqual({ ...metadata, 'trusts.json': '["RX1","RYJ"]', [SCHEMA_VERSION_KEY]: '3' });
      // multiStreamAppend accepts only string values.
      expect(Object.values(encoded).every((value) => typeof value === 'string')).toBe(true);
    });

    it('round-trips who, for whom, why, the trusts and the schema version', () => {
      const withTrusts = { ...metadata, trusts: ['RX1', 'RYJ'] } as EventMetadata;
      expect(decodeMetadata(encodeMetadata(withTrusts, 2))).toEqual({ metadata: withTrusts, schemaVersion: 2 });
    });

    it('leaves out absent fields and the keys the server adds on a multi-stream append', () => {
      const minimal: EventMetadata = { actor: 'planner', correlationId: 'c' };
      const encoded = encodeMetadata({ ...minimal, reason: undefined } as EventMetadata, 1);
      expect(encoded).toEqual({ actor: 'planner', correlationId: 'c', [SCHEMA_VERSION_KEY]: '1' });
      const asRead = { ...encoded, '$schema.name': 'SlotHeld', '$schema.format': 'Json' };
      expect(decodeMetadata(asRead)).toEqual({ metadata: minimal, schemaVersion: 1 });
    });

    it('reads events without metadata of ours as schema version 1 with empty metadata', () => {
      expect(decodeMetadata(undefined)).toEqual({ metadata: {}, schemaVersion: 1 });
      expect(decodeMetadata(new Uint8Array([1, 2]))).toEqual({ metadata: {}, schemaVersion: 1 });
      expect(decodeMetadata({ [SCHEMA_VERSION_KEY]: 'nonsense' }).schemaVersion).toBe(1);
    });

    it('refuses metadata keys it reserves, rather than losing them on read', () => {
      expect(() => encodeMetadata({ ...metadata, $correlationId: 'x' } as EventMetadata, 1)).toThrow(/reserved/);
      expect(() => encodeMetadata({ ...metadata, 'bedside.x': 'x' } as EventMetadata, 1)).toThrow(/reserved/);
      expect(() => encodeMetadata({ ...metadata, 'notes.json': 'x' } as EventMetadata, 1)).toThrow(/reserved/);
    });
  });

  describe('errors', () => {
    const streams = [
      { streamId: 'chair-1', expectedVersion: 'no_stream' as const, events: [{ type: 'Held', data: {} }] },
      { streamId: 'bay-1', expectedVersion: 4, events: [{ type: 'Held', data: {} }] },
    ];

    it('turns a wrong expected revision into a ConcurrencyError naming stream, expected version and actual version', () => {
      // As the client builds it from a multi-stream append's StreamRevisionConflict details.
      const conflict = new WrongExpectedVersionError(undefined, { streamName: 'bay-1', expected: 3n, current: 6n });
      const translated = translateAppendError(conflict, streams);
      expect(translated).toBeInstanceOf(ConcurrencyError);
      expect(translated).toMatchObject({ streamId: 'bay-1', expected: 4, actual: 7, cause: conflict });
    });

    it('reports a stream that does not exist as no_stream', () => {
      const conflict = new WrongExpectedVersionError(undefined, { streamName: 'chair-1', expected: 'stream_exists', current: 'no_stream' });
      expect(translateAppendError(conflict, [{ ...streams[0]!, expectedVersion: 'exists' }])).toMatchObject({
        name: 'ConcurrencyError',
        streamId: 'chair-1',
        expected: 'exists',
        actual: 'no_stream',
      });
    });

    it('attributes an unnamed conflict to the only stream of a single-stream append', () => {
      const conflict = new WrongExpectedVersionError(undefined, { streamName: '', expected: NO_STREAM, current: 0n });
      expect(translateAppendError(conflict, [streams[0]!])).toMatchObject({ streamId: 'chair-1', expected: 'no_stream', actual: 1 });
    });

    it('passes other errors through unchanged', () => {
      const other = new Error('unavailable');
      expect(translateAppendError(other, streams)).toBe(other);
      const unknownStream = new WrongExpectedVersionError(undefined, { streamName: 'elsewhere', expected: ANY, current: 1n });
      expect(translateAppendError(unknownStream, streams)).toBe(unknownStream);
    });
  });
});
