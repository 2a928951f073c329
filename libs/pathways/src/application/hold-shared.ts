import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AggregateRepository, isAfter, type RetryOnConflict, type GlobalPosition, type Loaded } from '@bedside/event-store';
import { ConflictError } from '@bedside/shared';
import { type Hold, holdEvolver, holdStreamId, type Pathway, pathwayEvolver, pathwayStreamId } from '../domain';
import type { PathwayChanged } from './referral-commands';

// What the hold commands share: their answer, the holds this process placed, and reading a hold with its pathway.

export interface HoldChanged extends PathwayChanged {
  readonly holdId: string;
}

/** A hold and its pathway as this process left them when it placed the hold, with their stream versions. */
export interface PlacedHold {
  readonly hold: Hold;
  readonly holdVersion: number;
  readonly pathway: Pathway;
  readonly pathwayVersion: number;
}

/**
 * Which pathway each hold placed here is for, and the hold and its pathway as placing it left them.
 * A hold's pathway never changes, so that part is never stale: confirming or releasing a hold this
 * process placed reads the hold and its pathway in one round trip instead of one after the other.
 * The states may be stale, so they are only ever used with the versions they were read at: an
 * append at those versions lands only if neither stream has changed since (else it is refused and
 * the streams are read). Bounded; a hold it has forgotten (or one placed by another process) is read
 * first, as before.
 */
@Injectable()
export class KnownHolds {
  private static readonly LIMIT = 20_000;
  private readonly holds = new Map<string, { readonly coi: string; placed?: PlacedHold }>();

  remember(holdId: string, coi: string): void {
    if (this.holds.has(holdId)) return;
    if (this.holds.size >= KnownHolds.LIMIT) this.holds.delete(this.holds.keys().next().value!);
    this.holds.set(holdId, { coi });
  }

  coiOf(holdId: string): string | undefined {
    return this.holds.get(holdId)?.coi;
  }

  /** Placing the hold appended these states at these versions. */
  rememberPlaced(holdId: string, placed: PlacedHold): void {
    this.remember(holdId, placed.hold.coi);
    this.holds.get(holdId)!.placed = placed;
  }

  /** The hold and pathway as placing it left them, once: whatever happens to the hold next makes them stale. */
  takePlaced(holdId: string): PlacedHold | undefined {
    const known = this.holds.get(holdId);
    const placed = known?.placed;
    if (known) known.placed = undefined;
    return placed;
  }
}

/** The same request (pathway and idempotency key) always names the same hold, so a retry finds the first. */
export const holdIdFor = (coi: string, idempotencyKey: string) => createHash('sha256').update(`${coi}\n${idempotencyKey}`).digest('hex').slice(0, 32);

/** A hold's race lost on every attempt: said in the scheduler's words. */
export const SLOTS_KEPT_CHANGING: RetryOnConflict = {
  giveUp: (error) => new ConflictError('Other schedulers kept changing the same slots; nothing was held. Try again.', { streamId: error.streamId }),
};

/** A hold and the pathway it is for: one read when the pathway is known here, else the hold first. */
export async function loadHoldAndPathway(
  repository: AggregateRepository,
  knownHolds: KnownHolds,
  holdId: string,
): Promise<{ hold: Hold | undefined; version: number; position?: GlobalPosition; pathway: Loaded<Pathway | undefined> | null }> {
  const known = knownHolds.coiOf(holdId);
  if (known) {
    const streams = await repository.readMany([holdStreamId(holdId), pathwayStreamId(known)]);
    const { state: hold, version, position } = streams.load(holdStreamId(holdId), holdEvolver);
    if (hold?.coi === known) return { hold, version, position, pathway: streams.load(pathwayStreamId(known), pathwayEvolver) };
  }
  const { state: hold, version, position } = await repository.load(holdStreamId(holdId), holdEvolver);
  return { hold, version, position, pathway: hold ? await repository.load(pathwayStreamId(hold.coi), pathwayEvolver) : null };
}

/** The later of two log positions (either may be absent). */
export const later = (a: GlobalPosition | undefined, b: GlobalPosition | undefined): GlobalPosition | undefined => (!a ? b : !b ? a : isAfter(b, a) ? b : a);
