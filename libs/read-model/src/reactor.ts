import type { RecordedEvent } from '@bedside/event-store';

/**
 * Acts on events of the log (sends commands) instead of keeping a read model, from a checkpoint of its
 * own in `projection_checkpoints` (issue 11 §8: what a process was about to do when it stopped is
 * done by the next one). Its checkpoint moves past an event only once `react` has returned, so after
 * a crash an event may be reacted to again: `react` must make that harmless (an idempotency key
 * derived from the event). Never rebuilt: replaying history would act on it all again.
 */
export interface Reactor {
  /** Stable name: the checkpoint's key (distinct from every projection's). */
  readonly name: string;
  /** The event types it acts on; others only move its checkpoint on. */
  readonly eventTypes: readonly string[];
  react(event: RecordedEvent): Promise<void>;
}

/** Every reactor of the application; they run beside the projections, in processes that run those. */
export class ReactorRegistry {
  private readonly reactors = new Map<string, Reactor>();

  register(reactor: Reactor): void {
    if (this.reactors.has(reactor.name)) throw new Error(`Two reactors are named "${reactor.name}".`);
    this.reactors.set(reactor.name, reactor);
  }

  all(): Reactor[] {
    return [...this.reactors.values()];
  }
}
