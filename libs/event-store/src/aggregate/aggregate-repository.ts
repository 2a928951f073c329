import { Inject, Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { replay, type DomainEvent, type Evolver } from '@bedside/shared';
import type { EventStore, ExpectedVersion, GlobalPosition, RecordedEvent, StreamAppend } from '../types';
import type { CommandContext } from './command-context';
import { EventTypeRegistry } from './event-type-registry';
import { retryOnConflict } from './retry-policy';

export const EVENT_STORE = Symbol('EVENT_STORE');

export interface Loaded<State> {
  readonly state: State;
  /** The stream's version: 0 when it has no events. */
  readonly version: number;
  /**
   * Where the stream's last event sits in the global log (absent when it has none): a retried command
   * that finds its work already done answers once read models reach it, as the first answer did.
   */
  readonly position?: GlobalPosition;
}

const loaded = <State, Event extends DomainEvent>(evolver: Evolver<State, Event>, recorded: readonly RecordedEvent[], events: readonly Event[]): Loaded<State> => ({
  state: replay(evolver, events),
  version: recorded.at(-1)?.streamPosition ?? 0,
  position: recorded.at(-1)?.globalPosition,
});

/** Streams read together by `readMany`. */
export interface StreamsRead {
  load<State, Event extends DomainEvent>(streamId: string, evolver: Evolver<State, Event>): Loaded<State>;
}

/** Domain events for another stream, written in the same transaction. */
export interface AlsoAppend {
  readonly streamId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly DomainEvent[];
}

export interface ExecuteOptions<Event extends DomainEvent> {
  /** Further streams to write in the same transaction (e.g. a uniqueness reservation). */
  readonly alsoAppend?: (events: readonly Event[]) => readonly AlsoAppend[];
}

export interface Executed<State, Event> extends Loaded<State> {
  readonly events: readonly Event[];
  /** Where the append landed in the global log (absent when nothing was recorded); read models that reach it show the change. */
  readonly position?: GlobalPosition;
}

/**
 * Event-sourced persistence for command handlers: load by replay, decide with the domain's pure
 * functions, append with the expected version, and only after the append has committed publish the
 * events on the @nestjs/cqrs EventBus (AggregateRoot.commit() cannot await storage, so it is not used).
 */
@Injectable()
export class AggregateRepository {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly registry: EventTypeRegistry,
    private readonly eventBus: EventBus,
  ) {}

  async load<State, Event extends DomainEvent>(streamId: string, evolver: Evolver<State, Event>, recordedUpTo?: Date): Promise<Loaded<State>> {
    const recorded = await this.store.readStream(streamId, recordedUpTo ? { recordedUpTo } : {});
    return loaded(evolver, recorded, recorded.map((e) => this.registry.toDomain<Event>(e)));
  }

  /**
   * Appends decisions about several streams, each at the version it was decided on, in one
   * transaction; publishes after the commit. A ConcurrencyError names the stream that moved: callers
   * read again and decide again under `retryOnConflict` (retry-policy.ts), which gives up with CONFLICT
   * (the GraphQL error formatter turns any that escapes into the same).
   */
  async appendDecisions(streams: readonly AlsoAppend[], context: CommandContext): Promise<GlobalPosition> {
    const appends = streams.filter((s) => s.events.length > 0);
    const result = await this.store.append(
      appends.map((s) => ({ streamId: s.streamId, expectedVersion: s.expectedVersion, events: s.events.map((e) => this.registry.toNewEvent(e)) })),
      context,
    );
    this.eventBus.publishAll(appends.flatMap((s) => s.events));
    return result.lastPosition;
  }

  /** Records facts that no decision depends on (e.g. a network-wide list); appends without replaying the stream. */
  async record(streamId: string, events: readonly DomainEvent[], context: CommandContext): Promise<GlobalPosition> {
    const result = await this.store.append([{ streamId, expectedVersion: 'any', events: events.map((e) => this.registry.toNewEvent(e)) }], context);
    this.eventBus.publishAll([...events]);
    return result.lastPosition;
  }

  /** Several streams of one kind in one read (e.g. every slot of a plan). */
  async loadMany<State, Event extends DomainEvent>(streamIds: readonly string[], evolver: Evolver<State, Event>): Promise<Map<string, Loaded<State>>> {
    const streams = await this.readMany(streamIds);
    return new Map(streamIds.map((id) => [id, streams.load(id, evolver)]));
  }

  /**
   * Streams of different kinds in one query (a round trip each would dominate a command that needs
   * a pathway, its hold and every slot): replay each with its own evolver from the result.
   */
  async readMany(streamIds: readonly string[]): Promise<StreamsRead> {
    const streams = await this.store.readStreams(streamIds);
    return {
      load: <State, Event extends DomainEvent>(streamId: string, evolver: Evolver<State, Event>): Loaded<State> => {
        const recorded = streams.get(streamId);
        if (!recorded) throw new Error(`Stream ${streamId} was not among those read.`);
        return loaded(evolver, recorded, recorded.map((e) => this.registry.toDomain<Event>(e)));
      },
    };
  }

  /**
   * Load, decide, append; a race on the stream is decided again under the retry policy
   * (retry-policy.ts), then answers CONFLICT. A race on another stream is its caller's to judge.
   */
  async execute<State, Event extends DomainEvent>(
    streamId: string,
    evolver: Evolver<State, Event>,
    decide: (state: State) => readonly Event[],
    context: CommandContext,
    options: ExecuteOptions<Event> = {},
  ): Promise<Executed<State, Event>> {
    return retryOnConflict(
      async () => {
        const { state, version } = await this.load(streamId, evolver);
        const events = decide(state);
        if (events.length === 0) return { state, version, events };
        const others = options.alsoAppend?.(events) ?? [];
        const streams: StreamAppend[] = [{ streamId, expectedVersion: version, events }, ...others].map((append) => ({
          streamId: append.streamId,
          expectedVersion: append.expectedVersion,
          events: append.events.map((e) => this.registry.toNewEvent(e)),
        }));
        const result = await this.store.append(streams, context);
        const newState = events.reduce(evolver.evolve, state);
        this.eventBus.publishAll([...events, ...others.flatMap((o) => o.events)]);
        return { state: newState, version: result.versions.get(streamId)!, events, position: result.lastPosition };
      },
      { retries: (error) => error.streamId === streamId },
    );
  }
}
