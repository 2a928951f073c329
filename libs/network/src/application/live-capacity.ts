import { Injectable, type OnModuleInit } from '@nestjs/common';
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

/**
 * Feeds capacityChanged from the two projections capacity is read from: `capacity` (calendars,
 * exceptions, site and unit states: any day of that site or unit may have changed) and
 * `capacity-commitments` (holds and bookings: exactly these slots and days).
 */
@Injectable()
export class LiveCapacity implements OnModuleInit {
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

  private layoutTouches(events: readonly RecordedEvent[]): CapacityTouch[] {
    const touches: CapacityTouch[] = [];
    for (const event of events) {
      const change = capacityChangeOf(event);
      if (!change) continue;
      if (change.kind === 'bankHolidays') touches.push({ siteCode: null, unitId: null, days: [...change.dates] });
      else if (change.kind === 'exceptionAdded') touches.push({ siteCode: change.exception.owner.siteCode ?? null, unitId: change.exception.owner.unitId ?? null, days: null });
      else if (change.kind === 'exceptionWithdrawn') touches.push({ siteCode: change.owner.siteCode ?? null, unitId: change.owner.unitId ?? null, days: null });
      else if ('unitId' in change) touches.push({ siteCode: null, unitId: change.unitId, days: null });
      else touches.push({ siteCode: change.siteCode, unitId: null, days: null });
    }
    return touches;
  }

  private async bookingTouches(events: readonly RecordedEvent[]): Promise<CapacityTouch[]> {
    const slots = events.map((e) => (e.data as { slot: { resourceKey: string; day: LocalDate } }).slot);
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
