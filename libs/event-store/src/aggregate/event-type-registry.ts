import type { DomainEvent } from '@bedside/shared';
import type { NewEvent, RecordedEvent } from '../types';

export interface EventClass<E extends DomainEvent = DomainEvent> {
  readonly type: string;
  new (data: never): E;
}

/**
 * Re-creates stored events as their classes: @nestjs/cqrs finds event handlers by class, and
 * evolvers switch on `type`. Every event a bounded context records is registered here once.
 */
export class EventTypeRegistry {
  private readonly classes = new Map<string, EventClass>();

  register(...classes: readonly EventClass[]): this {
    for (const eventClass of classes) {
      const existing = this.classes.get(eventClass.type);
      if (existing && existing !== eventClass) throw new Error(`Two event classes claim the type "${eventClass.type}".`);
      this.classes.set(eventClass.type, eventClass);
    }
    return this;
  }

  has(type: string): boolean {
    return this.classes.has(type);
  }

  toDomain<E extends DomainEvent>(recorded: RecordedEvent): E {
    const eventClass = this.classes.get(recorded.type);
    if (!eventClass) throw new Error(`No event class is registered for stored type "${recorded.type}" (stream ${recorded.streamId}).`);
    return new eventClass(recorded.data as never) as E;
  }

  toNewEvent(event: DomainEvent): NewEvent {
    if (!this.classes.has(event.type)) throw new Error(`Event type "${event.type}" is not registered; add its class to the registry.`);
    return { type: event.type, data: { ...event.data } };
  }
}
