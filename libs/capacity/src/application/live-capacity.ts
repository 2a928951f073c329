import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { recordedOfTypes, type RecordedEvent } from '@bedside/event-store';
import { LiveUpdates } from '@bedside/read-model';
import type { LocalDate } from '@bedside/shared';
import { COMMITMENT_EVENT_TYPES, commitmentChanges, type CommitmentEvent } from '../domain/commitments';
import { resourceOwner, type SlotRef } from '../domain/slot';
import { CAPACITY_INPUT_EVENT_TYPES, capacityChangeOf, type CapacityInputEvent } from '../projections/capacity-inputs';
import { COMMITMENTS_PROJECTION, LAYOUT_PROJECTION } from '../projections/capacity-rows';

export const CAPACITY_CHANGED = 'CAPACITY_CHANGED';

/** Where capacity changed: a site's or unit's slots, on given days or (null) on any day. */
export interface CapacityTouch {
  readonly siteCode: string | null;
  readonly unitId: string | null;
  readonly days: readonly LocalDate[] | null;
}

/** One committed batch's capacity changes; both null means the whole network (bank holidays). */
export interface CapacityChangePayload {
  readonly touches: readonly CapacityTouch[];
}

/**
 * The slots one commitments event changes (commitmentChanges), each checked to be a slot: a feed
 * must not stop on one malformed event, so it throws naming the event type and the caller skips it.
 */
export function slotsChangedBy(event: CommitmentEvent): SlotRef[] {
  if (event.type === 'HoldConfirmed' && event.data.slots !== undefined && !Array.isArray(event.data.slots)) throw new Error('HoldConfirmed has slots that are not a list');
  return commitmentChanges(event).map(({ slot }, i) => {
    const place: Partial<SlotRef> | undefined = slot;
    if (typeof place?.resourceKey !== 'string' || typeof place.day !== 'string') {
      throw new Error(`${event.type} has no ${event.type === 'HoldConfirmed' ? `slots[${i}]` : 'slot'} with a resourceKey and day`);
    }
    return slot;
  });
}

/**
 * Feeds capacityChanged from the two projections capacity is read from: `capacity` (calendars,
 * exceptions, site and unit states: any day of that site or unit may have changed) and
 * `capacity-commitments` (holds and bookings: exactly these slots and days). An event it cannot read
 * is logged and skipped: the rest of its batch is still told.
 */
@Injectable()
export class LiveCapacity implements OnModuleInit {
  private readonly logger = new Logger('LiveCapacity');

  constructor(private readonly live: LiveUpdates) {}

  onModuleInit(): void {
    this.live.feed([LAYOUT_PROJECTION, COMMITMENTS_PROJECTION], CAPACITY_CHANGED, async (events, projection) => {
      const touches = projection === LAYOUT_PROJECTION ? this.layoutTouches(events) : this.bookingTouches(events);
      return touches.length > 0 ? [{ touches } satisfies CapacityChangePayload] : [];
    });
  }

  /** Each event's result, or nothing (logged, with its type) for an event that cannot be read. */
  private eachReadable<E extends Pick<RecordedEvent, 'type' | 'eventId' | 'streamId'>, T>(events: readonly E[], read: (event: E) => readonly T[]): T[] {
    return events.flatMap((event) => {
      try {
        return read(event);
      } catch (error) {
        this.logger.warn(`capacityChanged skips a ${event.type} event it cannot read (${event.eventId} on ${event.streamId}): ${(error as Error).message}`);
        return [];
      }
    });
  }

  private layoutTouches(events: readonly RecordedEvent[]): CapacityTouch[] {
    return this.eachReadable(recordedOfTypes<CapacityInputEvent>(events, CAPACITY_INPUT_EVENT_TYPES), (event): CapacityTouch[] => {
      const change = capacityChangeOf(event);
      if (change.kind === 'bankHolidays') return [{ siteCode: null, unitId: null, days: [...change.dates] }];
      if (change.kind === 'exceptionAdded') return [{ siteCode: change.exception.owner.siteCode ?? null, unitId: change.exception.owner.unitId ?? null, days: null }];
      if (change.kind === 'exceptionWithdrawn') return [{ siteCode: change.owner.siteCode ?? null, unitId: change.owner.unitId ?? null, days: null }];
      if ('unitId' in change) return [{ siteCode: null, unitId: change.unitId, days: null }];
      return [{ siteCode: change.siteCode, unitId: null, days: null }];
    });
  }

  /** Exactly the slots and days booked or released, each told as its site's or unit's. */
  private bookingTouches(events: readonly RecordedEvent[]): CapacityTouch[] {
    const slots = this.eachReadable(recordedOfTypes<CommitmentEvent>(events, COMMITMENT_EVENT_TYPES), slotsChangedBy);
    const days = new Map<string, Set<LocalDate>>();
    for (const slot of slots) days.set(slot.resourceKey, (days.get(slot.resourceKey) ?? new Set()).add(slot.day));
    return [...days].map(([resourceKey, set]) => {
      const owner = resourceOwner(resourceKey);
      return owner.kind === 'unit' ? { siteCode: null, unitId: owner.unitId, days: [...set].sort() } : { siteCode: owner.siteCode, unitId: null, days: [...set].sort() };
    });
  }
}
