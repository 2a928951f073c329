import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Resource } from '@bedside/network';
import { appliedKeySql } from '@bedside/read-model';
import { addDays, daysBetween, type LocalDate } from '@bedside/shared';
import { NO_SLOTS, resourceDaysOf, slotsOfResourceDays, type ResourceDays } from '../domain/resource-days';
import { addPlaces, slotKey, type FreeSlot, type SlotRef } from '../domain/slot';
import { COMMITMENTS_PROJECTION, LAYOUT_PROJECTION } from '../projections/capacity-rows';

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

/**
 * A capacity slot as laid out, kept between reads: `free` is its whole capacity, so a slot with nothing
 * held or booked on it (most of them) is handed out as it is, with no copy made per search.
 */
interface LaidOutSlot extends FreeSlot {
  readonly key: string;
  readonly dayNumber: number;
  readonly startsAtMs: number;
}

/** One resource's slots in a block, in day order, with whose it is (checked once per resource, not per slot). */
interface LaidOutResource {
  readonly siteCode: string;
  readonly unitId: string | null;
  readonly resource: Resource;
  readonly slots: LaidOutSlot[];
}

const laidOutKey = (resourceKey: string, day: number, session: string) => `${resourceKey}\n${day}\n${session}`;

/** Places held or booked, by resource key, then by laid-out key; a slot not listed has none. */
type TakenPlaces = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** A resource's slots in a block with what is free on each, for the places taken that were last asked about. */
const withTakenKept = new WeakMap<LaidOutResource, { readonly taken: ReadonlyMap<string, number>; readonly slots: readonly LaidOutSlot[] }>();
/**
 * A resource's slots in a block less the places held or booked on them. Kept while the resource's taken
 * places stay the same map (they are never changed in place: a change makes a new map for that resource
 * only), so a search copies slots only for the resources booked since the last (issue 12 §7).
 */
function withTaken(laidOut: LaidOutResource, taken: ReadonlyMap<string, number> | undefined): readonly LaidOutSlot[] {
  if (!taken) return laidOut.slots;
  const kept = withTakenKept.get(laidOut);
  if (kept?.taken === taken) return kept.slots;
  const slots = laidOut.slots.map((slot) => {
    const places = taken.get(slot.key);
    return places === undefined ? slot : Object.freeze({ ...slot, free: Math.max(0, addPlaces(slot.free, -places)) });
  });
  withTakenKept.set(laidOut, { taken, slots });
  return slots;
}

/** A block's slots of one resource by day of the block (index 0 its first day), with the first and last day that has any and the earliest start. */
interface BlockDays {
  readonly days: readonly (readonly FreeSlot[])[];
  readonly firstDay: number | null;
  readonly lastDay: number | null;
  readonly firstStartMs: number;
}

/** Kept while the slots listed are the same (withTaken makes a new list only when the places taken change). */
const daysKept = new WeakMap<readonly LaidOutSlot[], BlockDays>();
function daysOf(slots: readonly LaidOutSlot[], block: number): BlockDays {
  let kept = daysKept.get(slots);
  if (!kept) {
    const [grouped] = resourceDaysOf(slots, addDays('1970-01-01', block * BLOCK_DAYS), BLOCK_DAYS);
    // Every day of the block listed, none past it.
    const days = Array.from({ length: BLOCK_DAYS }, (_, i) => grouped?.days[i] ?? NO_SLOTS);
    const listed = days.flatMap((list, i) => (list.length > 0 ? [i] : []));
    const firstStartMs = Math.min(...slots.map((slot) => slot.startsAtMs));
    kept = { days, firstDay: listed[0] ?? null, lastDay: listed[listed.length - 1] ?? null, firstStartMs };
    daysKept.set(slots, kept);
  }
  return kept;
}

/**
 * The usable slots of the blocks from day `first` to `last` (day numbers), by resource and day, with
 * the places taken; a slot begun by `nowMs` has nothing free (issue 11 §3, as hasBegun judges it in the
 * pathways slice). A day's slots are in order of start, so a day whose first has not begun has none begun.
 */
function groupBlocks(
  blocks: readonly { readonly block: number; readonly laidOut: ReadonlyMap<string, LaidOutResource> }[],
  usable: UsableSlots,
  first: number,
  last: number,
  nowMs: number,
  taken: TakenPlaces,
  onlyResources?: ReadonlySet<string>,
): ResourceDays[] {
  const grouped = new Map<string, { owner: LaidOutResource; days: (readonly FreeSlot[])[] }>();
  for (const { block, laidOut } of blocks) {
    const start = block * BLOCK_DAYS;
    const from = Math.max(first, start);
    const to = Math.min(last, start + BLOCK_DAYS - 1);
    const resources = onlyResources ? [...onlyResources].flatMap((resourceKey) => (laidOut.has(resourceKey) ? [[resourceKey, laidOut.get(resourceKey)!] as const] : [])) : laidOut;
    for (const [resourceKey, owner] of resources) {
      if (owner.unitId === null ? !(usable.siteCodes.has(owner.siteCode) && usable.siteResources.has(owner.resource)) : !usable.unitIds.has(owner.unitId)) continue;
      const { days, firstDay, lastDay, firstStartMs } = daysOf(withTaken(owner, taken.get(resourceKey)), block);
      // Nothing in the part of the block asked for.
      if (firstDay === null || start + lastDay! < from || start + firstDay > to) continue;
      let entry = grouped.get(resourceKey);
      if (entry === undefined) grouped.set(resourceKey, (entry = { owner, days: new Array<readonly FreeSlot[]>(last - first + 1).fill(NO_SLOTS) }));
      const into = entry.days;
      for (let day = from; day <= to; day++) into[day - first] = days[day - start]!;
      // Begun (issue 11 §3): nothing free, as hasBegun judges it in the pathways slice. Only the first
      // days of a range can have begun, so the block's slots are looked at one by one only then.
      if (firstStartMs <= nowMs) {
        for (let day = from; day <= to; day++) {
          const list = into[day - first]!;
          if (list.length > 0 && list[0]!.startsAt.getTime() <= nowMs) into[day - first] = list.map((slot) => (slot.startsAt.getTime() > nowMs || slot.free === 0 ? slot : { ...slot, free: 0 }));
        }
      }
    }
  }
  return [...grouped.values()].map(({ owner: { slots, siteCode, unitId, resource }, days }) => ({ resourceKey: slots[0]!.resourceKey, siteCode, unitId, resource, days }));
}

/** Where and when a laid-out slot is. */
export type LaidOutPlace = Pick<FreeSlot, 'siteCode' | 'unitId' | 'resource' | 'startsAt' | 'endsAt'>;

/** A block's slots by key, worked out once per block kept. */
const slotIndexes = new WeakMap<Map<string, LaidOutResource>, Map<string, LaidOutSlot>>();
function slotIndex(block: Map<string, LaidOutResource>): Map<string, LaidOutSlot> {
  let index = slotIndexes.get(block);
  if (!index) {
    index = new Map();
    for (const { slots } of block.values()) for (const slot of slots) index.set(slot.key, slot);
    slotIndexes.set(block, index);
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
  private layout: { readonly key: string; readonly blocks: Map<number, Promise<Map<string, LaidOutResource>>> } = { key: '', blocks: new Map() };
  /**
   * Places held or booked on each slot (by laid-out key), as the commitments projection had them at
   * `version` (its batch number, capacity_commitments_version) since it was last rebuilt at `rebuilt`.
   * Kept up to date by reading only the rows changed since (issue 12 §7): a year filled to 80% at ten
   * times the demo network holds some 50,000 of them, and reading them all cost more than the search.
   * Never changed in place: a search still listing slots keeps the counts it started with.
   */
  private taken: { rebuilt: string | null; version: number; places: TakenPlaces } = { rebuilt: null, version: -1, places: new Map() };

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Every usable slot in the range, full ones too (a full day still breaks a run of opening days),
   * with its places not held or booked. A slot that has begun by `now` is listed with nothing free:
   * it is the past.
   */
  async freeSlots(usable: UsableSlots, range: SlotRange, now: Date): Promise<FreeSlot[]> {
    const { layoutKey, taken } = await this.commitments();
    return this.slots(usable, layoutKey, range, now, taken);
  }

  /**
   * Places held or booked now, and the layout's key, both as of the same moment (one statement): the
   * rows of `capacity_commitments` changed since the version held, or all of them after a rebuild (its
   * rows may have gone). Rows carry whole counts, not deltas, so applying a newer answer over an older
   * one is right; an answer older than the one held (two searches at once) is not applied, since the
   * newer shows everything the older does.
   */
  private async commitments(): Promise<{ layoutKey: string | null; taken: TakenPlaces }> {
    const held = this.taken;
    const [row]: { layout_key: string | null; rebuilt: string | null; version: string; changed: [string, number, string, number][] }[] = await this.dataSource.query(
      `SELECT ${appliedKeySql('$2')} AS layout_key,
              (SELECT coalesce(rebuilt_at::text, '-') FROM projection_checkpoints WHERE name = $3) AS rebuilt,
              (SELECT version FROM capacity_commitments_version)::text AS version,
              coalesce((SELECT json_agg(json_build_array(resource_key, day - DATE '1970-01-01', session, committed + tentative))
                          FROM capacity_commitments WHERE changed_in > $1), '[]') AS changed`,
      [held.rebuilt === null ? -1 : held.version, [LAYOUT_PROJECTION], COMMITMENTS_PROJECTION],
    );
    const { layout_key: layoutKey, rebuilt, changed } = row!;
    const version = Number(row!.version);
    const full = held.rebuilt === null;
    // Rebuilt since the version held: rows may have gone, so read them all again.
    if (!full && rebuilt !== held.rebuilt) {
      this.taken = { rebuilt: null, version: -1, places: new Map() };
      return this.commitments();
    }
    const current = this.taken;
    const sameEpoch = current.rebuilt !== null && current.rebuilt === rebuilt;
    if (sameEpoch && current.version >= version) return { layoutKey, taken: current.places }; // as new, or newer
    // Changes since `held` go onto what is held now only if both come from the same rebuild.
    if (!full && !sameEpoch) return this.commitments();
    // A new outer map, and new maps for the resources that changed only: cheap, and a copy.
    const places = new Map(full ? [] : current.places);
    const copied = new Set<string>();
    for (const [resourceKey, day, session, used] of changed) {
      let slots = places.get(resourceKey);
      if (!copied.has(resourceKey)) {
        copied.add(resourceKey);
        places.set(resourceKey, (slots = new Map(slots ?? [])));
      }
      const key = laidOutKey(resourceKey, day, session);
      if (used > 0) (slots as Map<string, number>).set(key, used);
      else (slots as Map<string, number>).delete(key);
    }
    this.taken = { rebuilt, version, places };
    return { layoutKey, taken: this.taken.places };
  }

  /**
   * The usable slots of these resources in the range, as laid out when the layout stood at `layoutKey`
   * (CapacityReads.placed reads it), each with its whole capacity free: for judging a plan's shape, not
   * whether its places are still free (the slot streams decide that).
   */
  laidOutSlots(usable: UsableSlots, layoutKey: string | null, range: SlotRange, now: Date, resources: ReadonlySet<string>): Promise<FreeSlot[]> {
    return this.slots(usable, layoutKey, range, now, new Map(), resources);
  }

  /**
   * Where and when the slots named are, as laid out when the layout stood at `layoutKey` (read by the
   * caller in the statement that read the slots' names, with `appliedKeySql` over `[LAYOUT_PROJECTION]`); a slot not laid out is
   * left out. From memory while the layout stands: a pathway's timeline costs no read of capacity.
   */
  async placedAt(layoutKey: string | null, refs: readonly SlotRef[]): Promise<Map<string, LaidOutPlace>> {
    const placed = new Map<string, LaidOutPlace>();
    for (const ref of refs) {
      const day = dayNumber(ref.day);
      const slot = slotIndex(await this.laidOut(layoutKey, Math.floor(day / BLOCK_DAYS))).get(laidOutKey(ref.resourceKey, day, ref.session));
      if (slot) placed.set(slotKey(ref), slot);
    }
    return placed;
  }

  /**
   * The usable slots in the range, grouped by resource and day (day 0 is `range.from`), with their
   * places not held or booked: the plan search's own shape (ResourceDays), made from groups kept
   * between searches, so a search copies no slot but those booked since the last and those begun.
   * A slot that has begun by `now` is listed with nothing free: it is the past.
   */
  async resourceDays(usable: UsableSlots, range: SlotRange, now: Date): Promise<ResourceDays[]> {
    const { layoutKey, taken } = await this.commitments();
    return this.grouped(usable, layoutKey, range, now, taken);
  }

  private async slots(usable: UsableSlots, key: string | null, range: SlotRange, now: Date, taken: TakenPlaces, onlyResources?: ReadonlySet<string>): Promise<FreeSlot[]> {
    return slotsOfResourceDays(await this.grouped(usable, key, range, now, taken, onlyResources));
  }

  private async grouped(
    usable: UsableSlots,
    key: string | null,
    range: SlotRange,
    now: Date,
    taken: TakenPlaces,
    onlyResources?: ReadonlySet<string>,
  ): Promise<ResourceDays[]> {
    const first = dayNumber(range.from);
    const last = dayNumber(range.to);
    const blocks: { block: number; laidOut: Map<string, LaidOutResource> }[] = [];
    for (let block = Math.floor(first / BLOCK_DAYS); block <= Math.floor(last / BLOCK_DAYS); block++) blocks.push({ block, laidOut: await this.laidOut(key, block) });
    return groupBlocks(blocks, usable, first, last, now.getTime(), taken, onlyResources);
  }

  /** The slots of one block of days, by resource, as laid out when the layout's read model stood at `key` (or later). */
  private laidOut(key: string | null, block: number): Promise<Map<string, LaidOutResource>> {
    if (key === null || this.layout.key !== key) this.layout = { key: key ?? '', blocks: new Map() };
    const kept = this.layout.blocks.get(block);
    if (kept && key !== null) return kept;
    const slots = this.readBlock(block);
    this.layout.blocks.set(block, slots);
    slots.catch(() => this.layout.blocks.get(block) === slots && this.layout.blocks.delete(block));
    return slots;
  }

  private async readBlock(block: number): Promise<Map<string, LaidOutResource>> {
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
    const resources = new Map<string, LaidOutResource>();
    for (const [resourceKey, siteCode, unitId, resource, day, session, startsAt, endsAt, capacity] of rows) {
      let date = days.get(day);
      if (!date) days.set(day, (date = addDays('1970-01-01', day)));
      let owner = resources.get(resourceKey);
      if (!owner) resources.set(resourceKey, (owner = { siteCode, unitId, resource, slots: [] }));
      owner.slots.push(
        Object.freeze({
          key: laidOutKey(resourceKey, day, session),
          dayNumber: day,
          startsAtMs: startsAt,
          resourceKey,
          siteCode,
          unitId,
          resource,
          day: date,
          session,
          startsAt: new Date(startsAt),
          endsAt: new Date(endsAt),
          free: capacity,
        }),
      );
    }
    return resources;
  }
}
