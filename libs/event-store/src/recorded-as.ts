import type { DomainEvent } from '@bedside/shared';
import type { RecordedAs, RecordedEvent } from './types';

/**
 * A recorded event as one of a domain union, when its type is one of `types` (issue 12 §2). For readers
 * handed raw stream reads (as-of answers) rather than a projection's delivered batch. The one place a
 * stored event's data is trusted to be its type's shape: upcasters bring older versions up to date as
 * they are read (upcasters.ts), and the registry refuses to record an unregistered type.
 */
export function recordedAs<E extends DomainEvent>(event: RecordedEvent, types: readonly E['type'][]): RecordedAs<E> | undefined {
  return types.includes(event.type) ? (event as unknown as RecordedAs<E>) : undefined;
}

/** The events of a read that are of a domain union's types, as that union, in order. */
export function recordedOfTypes<E extends DomainEvent>(events: readonly RecordedEvent[], types: readonly E['type'][]): RecordedAs<E>[] {
  return events.flatMap((event) => recordedAs<E>(event, types) ?? []);
}
