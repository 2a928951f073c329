/**
 * An event as the domain sees it: a named fact with plain, JSON-serialisable data.
 * Pure TypeScript: no framework, no I/O, so rules can be unit-tested on their own.
 */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * Declares an event class: `class SitePaused extends eventClass<'SitePaused', Data>('SitePaused') {}`.
 * `type` is the stored name (never rename one); the class is what @nestjs/cqrs finds handlers by.
 */
export function eventClass<Type extends string, Data extends object>(type: Type) {
  return class implements DomainEvent<Type, Data> {
    static readonly type: Type = type;
    readonly type: Type = type;
    constructor(readonly data: Data) {}
  };
}

/** How an aggregate's state is rebuilt from its events. */
export interface Evolver<State, Event extends DomainEvent> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
}

/** Folds a stream's events into state. */
export function replay<State, Event extends DomainEvent>(evolver: Evolver<State, Event>, events: Iterable<Event>): State {
  let state = evolver.initialState;
  for (const event of events) state = evolver.evolve(state, event);
  return state;
}
