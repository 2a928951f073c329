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
  /**
   * Where a reactor new to a log starts: at its head (the default: act on what happens from when it is
   * first deployed), or at its start, for a reactor that only keeps timers and must know of every
   * event still in force (a hold placed before it was deployed still expires).
   */
  readonly startsAt?: 'head' | 'start';
  /**
   * Its `react` only sets and cancels timers: no commands, no appends, nothing outside the transaction.
   * It is then handed a whole batch in one transaction, as a projection is, rather than one transaction
   * per event (which a reactor that sends commands needs, to move its checkpoint only past what is done).
   */
  readonly onlySetsTimers?: boolean;
  /**
   * For events of its types it reacts to only now and then (issue 12 §5: a booking matters to at-risk
   * detection only when its held places lost capacity while held): the key of a timer of its own that a
   * reaction set as a marker, without which the event is not reacted to (no transaction, as an event of
   * another type); undefined for events it always reacts to. The marker is a timer so it is durable and
   * ends by itself: it fires at its due instant like any other.
   */
  armedBy?(event: Delivered<E>): string | undefined;
  /**
   * `E` is the union of the domain events it acts on (issue 12 §2); it is handed only those types.
   * Timers it sets or cancels are kept in the transaction that moves its checkpoint past the event.
   */
  react(event: Delivered<E>, timers: ReactorTimers): Promise<void>;
  /** A timer it set is due (issue 12 §5): act on it. Called again after a crash before it returned, so it must be harmless to repeat. */
  wake?(key: string): Promise<void>;
}

/**
 * Durable timers a reactor sets while reacting (issue 12 §5): work due at an instant (a hold's expiry)
 * rather than on an event. Kept in `reactor_timers`, so a timer set before a restart still fires after
 * it, in whichever process runs the reactor then; one key per reactor, set again moves it.
 */
export interface ReactorTimers {
  set(key: string, dueAt: Date): void;
  cancel(key: string): void;
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
