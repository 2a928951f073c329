import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Resource } from '@bedside/network';
import { appliedKeySql } from '@bedside/read-model';
import { addDays, daysBetween, type LocalDate } from '@bedside/shared';
import type { FreeSlot } from '../domain/slot';
import { LAYOUT_PROJECTION } from '../projections/capacity-rows';

/** Which slots a reader can use: the batch slots of some units, and some resources of some sites. */
export interface UsableSlots {
  readonly unitIds: ReadonlySet<string>;
  readonly siteCodes: ReadonlySet<string>;
  /** Of the sites' resources, these only. */
  readonly siteResources: ReadonlySet<Resource>;
}

export interface SlotRange {
  readonly from: LocalDate;
  readonly to: LocalDate;
}

/** Days since 1970-01-01: slot keys are built from these rather than formatted dates. */
const dayNumber = (day: LocalDate) => daysBetween('1970-01-01', day);
/** Capacity is laid out and kept in blocks of this many days. */
const BLOCK_DAYS = 64;

/** A capacity slot as laid out (no commitments), kept between reads. */
interface LaidOutSlot {
  readonly key: string;
  readonly dayNumber: number;
  readonly resourceKey: string;
  readonly siteCode: string;
  readonly unitId: string | null;
  readonly resource: Resource;
  readonly day: LocalDate;
  readonly session: string;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly capacity: number;
}

const laidOutKey = (resourceKey: string, day: number, session: string) => `${resourceKey}\n${day}\n${session}`;

/** A block's slots by resource key, worked out once per block kept. */
const blocksByResource = new WeakMap<readonly LaidOutSlot[], Map<string, LaidOutSlot[]>>();
function byResource(block: readonly LaidOutSlot[]): Map<string, LaidOutSlot[]> {
  let index = blocksByResource.get(block);
  if (!index) {
    index = new Map();
    for (const slot of block) {
      const list = index.get(slot.resourceKey);
      if (list) list.push(slot);
      else index.set(slot.resourceKey, [slot]);
    }
    blocksByResource.set(block, index);
  }
  return index;
}

/**
 * Live capacity as the plan search reads it: the slots a reader can use over a range of days, with
 * what is free on each. The layout (calendars, exceptions, closures) changes rarely and reading and
 * converting thousands of slot rows per search cost more than the search itself, so it is kept in
 * memory, in blocks of days, and read again only when the layout projection has applied something
 * since (its checkpoint says so, read in the same statement as the commitments). What is held and
 * booked is read afresh every time.
 */
@Injectable()
export class SlotLayoutCache {
  private layout: { readonly key: string; readonly blocks: Map<number, Promise<LaidOutSlot[]>> } = { key: '', blocks: new Map() };

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Every usable slot in the range, full ones too (a full day still breaks a run of opening days),
   * with its places not held or booked. A slot that has begun by `now` is listed with nothing free:
   * it is the past.
   */
  async freeSlots(usable: UsableSlots, range: SlotRange, now: Date): Promise<FreeSlot[]> {
    // Places held or booked, and the layout's key, in one statement: both as of the same moment.
    const [{ layout_key: key, used }]: { layout_key: string | null; used: [string, number, string, number][] }[] = await this.dataSource.query(
      `SELECT ${appliedKeySql('$3')} AS layout_key,
              coalesce((SELECT json_agg(json_build_array(resource_key, day - DATE '1970-01-01', session, committed + tentative))
                          FROM capacity_commitments WHERE day BETWEEN $1 AND $2 AND committed + tentative > 0), '[]') AS used`,
      [range.from, range.to, [LAYOUT_PROJECTION]],
    );
    const taken = new Map<string, number>();
    for (const [resourceKey, day, session, places] of used) taken.set(laidOutKey(resourceKey, day, session), places);
    return this.slots(usable, key, range, now, taken);
  }

  /**
   * The usable slots of these resources in the range, as laid out when the layout stood at `layoutKey`
   * (CapacityReads.placed reads it), each with its whole capacity free: for judging a plan's shape, not
   * whether its places are still free (the slot streams decide that).
   */
  laidOutSlots(usable: UsableSlots, layoutKey: string | null, range: SlotRange, now: Date, resources: ReadonlySet<string>): Promise<FreeSlot[]> {
    return this.slots(usable, layoutKey, range, now, new Map(), resources);
  }

  private async slots(
    usable: UsableSlots,
    key: string | null,
    range: SlotRange,
    now: Date,
    taken: ReadonlyMap<string, number>,
    onlyResources?: ReadonlySet<string>,
  ): Promise<FreeSlot[]> {
    const first = dayNumber(range.from);
    const last = dayNumber(range.to);
    const nowMs = now.getTime();
    const free: FreeSlot[] = [];
    for (let block = Math.floor(first / BLOCK_DAYS); block <= Math.floor(last / BLOCK_DAYS); block++) {
      const laidOut = await this.laidOut(key, block);
      const slots = onlyResources ? [...onlyResources].flatMap((resourceKey) => byResource(laidOut).get(resourceKey) ?? []) : laidOut;
      for (const slot of slots) {
        if (slot.dayNumber < first || slot.dayNumber > last) continue;
        if (slot.unitId === null ? !(usable.siteCodes.has(slot.siteCode) && usable.siteResources.has(slot.resource)) : !usable.unitIds.has(slot.unitId)) continue;
        free.push({
          resourceKey: slot.resourceKey,
          siteCode: slot.siteCode,
          unitId: slot.unitId,
          resource: slot.resource,
          day: slot.day,
          session: slot.session,
          startsAt: new Date(slot.startsAt),
          endsAt: new Date(slot.endsAt),
          // Begun (issue 11 §3): nothing free, as hasBegun judges it in the pathways slice.
          free: slot.startsAt <= nowMs ? 0 : Math.max(0, slot.capacity - (taken.get(slot.key) ?? 0)),
        });
      }
    }
    return free;
  }

  /** The slots of one block of days as laid out when the layout's read model stood at `key` (or later). */
  private laidOut(key: string | null, block: number): Promise<LaidOutSlot[]> {
    if (key === null || this.layout.key !== key) this.layout = { key: key ?? '', blocks: new Map() };
    const kept = this.layout.blocks.get(block);
    if (kept && key !== null) return kept;
    const slots = this.readBlock(block);
    this.layout.blocks.set(block, slots);
    slots.catch(() => this.layout.blocks.get(block) === slots && this.layout.blocks.delete(block));
    return slots;
  }

  private async readBlock(block: number): Promise<LaidOutSlot[]> {
    const from = addDays('1970-01-01', block * BLOCK_DAYS);
    type Row = [string, string, string | null, Resource, number, string, number, number, number];
    const rows: Row[] = (
      await this.dataSource.query(
        `SELECT json_build_array(resource_key, site_code, unit_id, resource, day - DATE '1970-01-01', session,
                                 extract(epoch FROM starts_at) * 1000, extract(epoch FROM ends_at) * 1000, capacity) AS slot
           FROM capacity_slots
          WHERE day BETWEEN $1 AND $2
          ORDER BY day, resource_key, session`,
        [from, addDays(from, BLOCK_DAYS - 1)],
      )
    ).map((r: { slot: Row }) => r.slot);
    const days = new Map<number, LocalDate>();
    return rows.map(([resourceKey, siteCode, unitId, resource, day, session, startsAt, endsAt, capacity]) => {
      let date = days.get(day);
      if (!date) days.set(day, (date = addDays('1970-01-01', day)));
      return { key: laidOutKey(resourceKey, day, session), dayNumber: day, resourceKey, siteCode, unitId, resource, day: date, session, startsAt, endsAt, capacity };
    });
  }
}
