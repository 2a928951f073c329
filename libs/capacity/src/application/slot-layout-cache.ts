import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Resource } from '@bedside/network';
import { appliedKeySql } from '@bedside/read-model';
import { addDays, daysBetween, type LocalDate } from '@bedside/shared';
import { slotKey, type FreeSlot, type SlotRef } from '../domain/slot';
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

  private async slots(
    usable: UsableSlots,
    key: string | null,
    range: SlotRange,
    now: Date,
    taken: TakenPlaces,
    onlyResources?: ReadonlySet<string>,
  ): Promise<FreeSlot[]> {
    const first = dayNumber(range.from);
    const last = dayNumber(range.to);
    const nowMs = now.getTime();
    const free: FreeSlot[] = [];
    for (let block = Math.floor(first / BLOCK_DAYS); block <= Math.floor(last / BLOCK_DAYS); block++) {
      const laidOut = await this.laidOut(key, block);
      const resources = onlyResources
        ? [...onlyResources].flatMap((resourceKey) => (laidOut.has(resourceKey) ? [[resourceKey, laidOut.get(resourceKey)!] as const] : []))
        : laidOut.entries();
      for (const [resourceKey, { siteCode, unitId, resource, slots }] of resources) {
        if (unitId === null ? !(usable.siteCodes.has(siteCode) && usable.siteResources.has(resource)) : !usable.unitIds.has(unitId)) continue;
        const takenHere = taken.get(resourceKey);
        for (const slot of slots) {
          if (slot.dayNumber < first || slot.dayNumber > last) continue;
          // Begun (issue 11 §3): nothing free, as hasBegun judges it in the pathways slice.
          const begun = slot.startsAtMs <= nowMs;
          const places = takenHere?.get(slot.key) ?? 0;
          free.push(!begun && places === 0 ? slot : { ...slot, free: begun ? 0 : Math.max(0, slot.free - places) });
        }
      }
    }
    return free;
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
