import type { Resource } from '@bedside/network';
import { daysBetween, type LocalDate } from '@bedside/shared';
import type { FreeSlot } from './slot';

/**
 * One resource's slots of live capacity, day by day: the shape the plan search indexes them in. The
 * capacity slice hands them over already grouped and keeps the groups between searches, since grouping
 * some 80,000 slots afresh on every search of a national network cost more than the search itself
 * (issue 12 §7, docs/benchmarks.md).
 */
export interface ResourceDays {
  readonly resourceKey: string;
  readonly siteCode: string;
  readonly unitId: string | null;
  readonly resource: Resource;
  /**
   * Its slots on each day from the first day asked for (index 0), each day's in order of start (equal
   * starts in the order listed); a day past the end of the list has none. Never changed once made.
   */
  readonly days: readonly (readonly FreeSlot[])[];
}

/** A day with no slot: one list shared by all such days, never written to. */
export const NO_SLOTS: readonly FreeSlot[] = Object.freeze([]);

const byStart = (a: FreeSlot, b: FreeSlot) => a.startsAt.getTime() - b.startsAt.getTime();

/**
 * Slots grouped by resource and by day from `from` (index 0), each day's in order of start; slots
 * before `from`, or `dayCount` days or more after it, are left out. Resources come in the order their
 * first slot is listed.
 */
export function resourceDaysOf(free: readonly FreeSlot[], from: LocalDate, dayCount = Number.POSITIVE_INFINITY): ResourceDays[] {
  const grouped = new Map<string, { readonly owner: FreeSlot; readonly days: FreeSlot[][] }>();
  const dayIndex = new Map<LocalDate, number>();
  // Slots of a resource usually come together: the group found last is looked up again only when the resource changes.
  let last: { readonly owner: FreeSlot; readonly days: FreeSlot[][] } | undefined;
  for (const slot of free) {
    let i = dayIndex.get(slot.day);
    if (i === undefined) dayIndex.set(slot.day, (i = daysBetween(from, slot.day)));
    if (i < 0 || i >= dayCount) continue;
    if (last?.owner.resourceKey !== slot.resourceKey) {
      last = grouped.get(slot.resourceKey);
      if (!last) grouped.set(slot.resourceKey, (last = { owner: slot, days: [] }));
    }
    const days = last.days;
    while (days.length <= i) days.push(NO_SLOTS as FreeSlot[]);
    if (days[i] === NO_SLOTS) days[i] = [slot];
    else days[i]!.push(slot);
  }
  return [...grouped.values()].map(({ owner, days }) => {
    for (const list of days) if (list.length > 1 && !inOrderOfStart(list)) list.sort(byStart); // stable
    return { resourceKey: owner.resourceKey, siteCode: owner.siteCode, unitId: owner.unitId, resource: owner.resource, days };
  });
}

function inOrderOfStart(list: readonly FreeSlot[]): boolean {
  for (let k = 1; k < list.length; k++) if (list[k]!.startsAt.getTime() < list[k - 1]!.startsAt.getTime()) return false;
  return true;
}

/** Every slot of the groups, resource by resource and day by day. */
export function slotsOfResourceDays(groups: readonly ResourceDays[]): FreeSlot[] {
  const slots: FreeSlot[] = [];
  for (const { days } of groups) for (const list of days) for (const slot of list) slots.push(slot);
  return slots;
}
