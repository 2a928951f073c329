import type { DomainEvent } from '@bedside/shared';
import type { Delivered } from './projection';

/**
 * Acts on events of the log (sends commands) instead of keeping a read model, from a checkpoint of its
 * own in `projection_checkpoints` (issue 11 §8: what a process was about to do when it stopped is
 * done by the next one). Its checkpoint moves past an event only once `react` has returned, so after
 * a crash an event may be reacted to again: `react` must make that harmless (an idempotency key
 * derived from the event). Never rebuilt: replaying history would act on it all again.
 */
export interface Reactor<E extends DomainEvent = never> {
  /** Stable name: the checkpoint's key (distinct from every projection's). */
  readonly name: string;
  /** The event types it acts on; others only move its checkpoint on. */
  readonly eventTypes: readonly ([E] extends [never] ? string : E['type'])[];
  /** `E` is the union of the domain events it acts on (issue 12 §2); it is handed only those types. */
  react(event: Delivered<E>): Promise<void>;
}

/** Any reactor, as the engine and registry hold it. */
export type AnyReactor = Reactor<DomainEvent>;

/** Every reactor of the application; they run beside the projections, in processes that run those. */
export class ReactorRegistry {
  private readonly reactors = new Map<string, AnyReactor>();

  register(reactor: AnyReactor): void {
    if (this.reactors.has(reactor.name)) throw new Error(`Two reactors are named "${reactor.name}".`);
    this.reactors.set(reactor.name, reactor);
  }

  all(): AnyReactor[] {
    return [...this.reactors.values()];
  }
}
