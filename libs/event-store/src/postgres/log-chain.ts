import { createHash } from 'node:crypto';

/**
 * The event log's hash chain, checked (issue 14 §5; docs/record.md). Each event's hash is SHA-256 of
 * the hash before it in its stream and of what the event records; the database sets it as the event is
 * inserted (migration 1763700001370-hash-chained-events.ts), and this file computes it again from the
 * stored values, so the check does not trust the database's own function.
 *
 * Beside the chains, the whole log has a running digest: SHA-256 over every event's hash in global
 * order. Kept outside the database (printed by `npm run verify-log`, written at the end of an archive),
 * a digest at a position proves that nothing up to there was later removed, whole streams included,
 * which a stream's own chain cannot show of its last events.
 */

/** An event as the chain hashes it, and its hash: also one line of an archive of the log. */
export interface ChainedEvent {
  readonly globalPosition: string;
  readonly streamId: string;
  readonly streamPosition: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** When it was recorded, in microseconds since 1970 (UTC). */
  readonly recordedAtMicros: string;
  /** The data as PostgreSQL prints jsonb: one text for one value, so the bytes hashed are the same each time. */
  readonly data: string;
  readonly metadata: string;
  /** Its hash, hexadecimal. */
  readonly hash: string;
}

/** The hash of an event chained to `previous` (null for a stream's first event): the migration's, byte for byte. */
export function chainHash(previous: Buffer | null, e: Omit<ChainedEvent, 'hash' | 'globalPosition'>): Buffer {
  const text = [
    `${Buffer.byteLength(e.streamId)}:${e.streamId}`,
    String(e.streamPosition),
    e.eventId,
    `${Buffer.byteLength(e.type)}:${e.type}`,
    String(e.schemaVersion),
    e.recordedAtMicros,
    e.data,
    e.metadata,
  ].join('\n');
  return createHash('sha256')
    .update(previous ?? Buffer.alloc(0))
    .update(text, 'utf8')
    .digest();
}

/** Where the record no longer holds: the event, and what is wrong with it, in words. */
export interface ChainBreak {
  readonly streamId: string;
  readonly streamPosition: number;
  readonly globalPosition: string | null;
  readonly problem: string;
}

/** A digest of the whole log up to a global position, kept outside the database to check against later. */
export interface LogAnchor {
  readonly globalPosition: string;
  readonly digest: string;
}

export interface ChainVerification {
  readonly events: number;
  readonly streams: number;
  /** The last event checked (null when there was none) and the log's digest up to it. */
  readonly anchor: LogAnchor | null;
  readonly intact: boolean;
  /** The first breaks found (at most MAX_BREAKS). */
  readonly breaks: readonly ChainBreak[];
}

const MAX_BREAKS = 100;

/**
 * Checks events fed in global order: each stream's positions follow on from 1 with none missing, each
 * hash is what its event and the hash before it give, and the log's digest matches the anchors given.
 * After a break it goes on from the stored hash, so one altered event is reported once.
 */
export class ChainVerifier {
  private readonly heads = new Map<string, { position: number; hash: Buffer }>();
  /** Anchors still to meet, earliest first. */
  private readonly anchors: LogAnchor[];
  private readonly found: ChainBreak[] = [];
  private digest = Buffer.alloc(32);
  private last: string | null = null;
  private count = 0;

  constructor(anchors: readonly LogAnchor[] = []) {
    const distinct = new Map(anchors.map((a) => [`${BigInt(a.globalPosition)}:${a.digest.toLowerCase()}`, a]));
    this.anchors = [...distinct.keys()].map((key) => parseAnchor(key)).sort((a, b) => (BigInt(a.globalPosition) < BigInt(b.globalPosition) ? -1 : 1));
  }

  get events(): number {
    return this.count;
  }

  add(e: ChainedEvent): void {
    this.count++;
    while (this.anchors.length > 0 && BigInt(this.anchors[0]!.globalPosition) < BigInt(e.globalPosition)) {
      const { globalPosition } = this.anchors.shift()!;
      this.report(e, `the event at global position ${globalPosition}, up to which a digest was kept, is missing: events were removed`);
    }
    const head = this.heads.get(e.streamId);
    const stored = Buffer.from(e.hash, 'hex');
    const expected = (head?.position ?? 0) + 1;
    if (e.streamPosition !== expected) {
      const missing = e.streamPosition - 1 > expected ? `events ${expected}-${e.streamPosition - 1} of the stream are` : `event ${expected} of the stream is`;
      this.report(e, e.streamPosition > expected ? `${missing} missing before it` : `it repeats position ${e.streamPosition} of the stream`);
    } else if (!chainHash(head?.hash ?? null, e).equals(stored)) {
      this.report(e, 'its content or its hash was altered: the hash it carries is not the hash of its content chained to the event before it');
    }
    this.heads.set(e.streamId, { position: e.streamPosition, hash: stored });
    this.digest = createHash('sha256').update(this.digest).update(stored).digest();
    this.last = e.globalPosition;
    while (this.anchors[0]?.globalPosition === e.globalPosition) {
      const { digest } = this.anchors.shift()!;
      if (digest !== this.digest.toString('hex')) this.report(e, `the log's digest up to global position ${e.globalPosition} is not the one kept (${digest}): events up to there were removed or altered`);
    }
  }

  /** Stream lengths as the store's own index of streams has them: a stream whose last events were removed shows here. */
  checkLengths(lengths: Iterable<{ streamId: string; length: number }>): void {
    for (const { streamId, length } of lengths) {
      const logged = this.heads.get(streamId)?.position ?? 0;
      if (logged !== length && this.found.length < MAX_BREAKS) this.found.push({ streamId, streamPosition: logged, globalPosition: null, problem: `the store's index of streams counts ${length} event(s) in this stream and the log holds ${logged}: ${logged < length ? 'its last events were removed' : 'the index was altered'}` });
    }
  }

  result(): ChainVerification {
    for (const { globalPosition } of this.anchors.splice(0)) {
      if (this.found.length < MAX_BREAKS) this.found.push({ streamId: '', streamPosition: 0, globalPosition, problem: `the log ends before global position ${globalPosition}, up to which a digest was kept: events were removed` });
    }
    return {
      events: this.count,
      streams: this.heads.size,
      anchor: this.last === null ? null : { globalPosition: this.last, digest: this.digest.toString('hex') },
      intact: this.found.length === 0,
      breaks: [...this.found],
    };
  }

  private report(e: ChainedEvent, problem: string): void {
    if (this.found.length < MAX_BREAKS) this.found.push({ streamId: e.streamId, streamPosition: e.streamPosition, globalPosition: e.globalPosition, problem });
  }
}

/** `<global position>:<digest>`, as `npm run verify-log` prints an anchor and takes one back. */
export function parseAnchor(text: string): LogAnchor {
  const match = /^(\d+):([0-9a-fA-F]{64})$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not an anchor: give <global position>:<64 hexadecimal digits>, as verify-log printed it.`);
  return { globalPosition: BigInt(match[1]!).toString(), digest: match[2]!.toLowerCase() };
}

export const formatAnchor = (anchor: LogAnchor): string => `${anchor.globalPosition}:${anchor.digest}`;
