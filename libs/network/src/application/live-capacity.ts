import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RecordedEvent } from '@bedside/event-store';
import { LiveUpdates } from '@bedside/read-model';
import type { LocalDate } from '@bedside/shared';
import { capacityChangeOf } from '../projections/capacity-inputs';

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

/** A place on a capacity slot, as the commitments projection's events name it (pathways' SlotRef). */
export interface SlotPlace {
  readonly resourceKey: string;
  readonly day: LocalDate;
  readonly session: string;
}

/**
 * The events of the `capacity-commitments` projection (recorded by pathways, which this library may
 * not import), as far as this feed reads them: a slot event names its one slot; a confirmation lists
 * its hold's slots (none on confirmations recorded before 2026-11-22, whose SlotBooked events did).
 */
type CommitmentEvent =
  | { readonly type: 'SlotHeld' | 'SlotBooked' | 'SlotReleased'; readonly data: { readonly slot: SlotPlace } }
  | { readonly type: 'HoldConfirmed'; readonly data: { readonly slots?: readonly SlotPlace[] } };

const place = (value: unknown, type: string, field: string): SlotPlace => {
  const p = value as Partial<SlotPlace> | null | undefined;
  if (typeof p?.resourceKey !== 'string' || typeof p.day !== 'string') throw new Error(`${type} has no ${field} with a resourceKey and day`);
  return p as SlotPlace;
};

/**
 * The slots one commitments event changes, each read by its own event's shape: a HoldConfirmed
 * every slot it lists, a slot event its one slot, any other event none. Throws on an event of a
 * known type that does not have the shape its type promises.
 */
export function slotsChangedBy(event: Pick<RecordedEvent, 'type' | 'data'>): SlotPlace[] {
  const known = event as CommitmentEvent;
  switch (known.type) {
    case 'SlotHeld':
    case 'SlotBooked':
    case 'SlotReleased':
      return [place(known.data.slot, known.type, 'slot')];
    case 'HoldConfirmed': {
      const slots: unknown = known.data.slots ?? [];
      if (!Array.isArray(slots)) throw new Error('HoldConfirmed has slots that are not a list');
      return slots.map((slot, i) => place(slot, known.type, `slots[${i}]`));
    }
    default:
      return [];
  }
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

  constructor(
    private readonly live: LiveUpdates,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.live.feed(['capacity', 'capacity-commitments'], CAPACITY_CHANGED, async (events, projection) => {
      const touches = projection === 'capacity' ? this.layoutTouches(events) : await this.bookingTouches(events);
      return touches.length > 0 ? [{ touches } satisfies CapacityChangePayload] : [];
    });
  }

  /** Each event's result, or nothing (logged, with its type) for an event that cannot be read. */
  private eachReadable<T>(events: readonly RecordedEvent[], read: (event: RecordedEvent) => readonly T[]): T[] {
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
    return this.eachReadable(events, (event): CapacityTouch[] => {
      const change = capacityChangeOf(event);
      if (!change) return [];
      if (change.kind === 'bankHolidays') return [{ siteCode: null, unitId: null, days: [...change.dates] }];
      if (change.kind === 'exceptionAdded') return [{ siteCode: change.exception.owner.siteCode ?? null, unitId: change.exception.owner.unitId ?? null, days: null }];
      if (change.kind === 'exceptionWithdrawn') return [{ siteCode: change.owner.siteCode ?? null, unitId: change.owner.unitId ?? null, days: null }];
      if ('unitId' in change) return [{ siteCode: null, unitId: change.unitId, days: null }];
      return [{ siteCode: change.siteCode, unitId: null, days: null }];
    });
  }

  private async bookingTouches(events: readonly RecordedEvent[]): Promise<CapacityTouch[]> {
    const slots = this.eachReadable(events, slotsChangedBy);
    if (slots.length === 0) return [];
    const owners: { resource_key: string; site_code: string; unit_id: string | null }[] = await this.dataSource.query(
      'SELECT DISTINCT resource_key, site_code, unit_id FROM capacity_slots WHERE resource_key = ANY($1)',
      [[...new Set(slots.map((s) => s.resourceKey))]],
    );
    const ownerOf = new Map(owners.map((o) => [o.resource_key, o]));
    const days = new Map<string, Set<LocalDate>>();
    for (const slot of slots) days.set(slot.resourceKey, (days.get(slot.resourceKey) ?? new Set()).add(slot.day));
    return [...days].flatMap(([resourceKey, set]) => {
      const owner = ownerOf.get(resourceKey);
      return owner ? [{ siteCode: owner.unit_id ? null : owner.site_code, unitId: owner.unit_id, days: [...set].sort() }] : [];
    });
  }
}
