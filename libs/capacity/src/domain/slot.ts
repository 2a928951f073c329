import type { CapacitySlot, Resource } from '@bedside/network';
import type { LocalDate } from '@bedside/shared';

/**
 * The vocabulary of places (issue 12 §1): what a slot of live capacity is called, everywhere. A
 * resource is either a site's resource (its chairs or beds of one kind) or a modular unit (its batch
 * slots); its key names which, and `resourceOwner` is the one place that reads a key back.
 */
export type ResourceKey = `site:${string}:${string}` | `unit:${string}`;

export const siteResourceKey = (siteCode: string, resource: string): ResourceKey => `site:${siteCode}:${resource}`;
export const unitResourceKey = (unitId: string): ResourceKey => `unit:${unitId}`;

/** Whose a resource is: a site's resource of one kind, or a unit's batch slots. */
export type ResourceOwner = { readonly kind: 'site'; readonly siteCode: string; readonly resource: string } | { readonly kind: 'unit'; readonly unitId: string };

/** Reads a resource key back; throws on a key that is neither (a bug, never user input). */
export function resourceOwner(key: string): ResourceOwner {
  if (key.startsWith('unit:')) return { kind: 'unit', unitId: key.slice('unit:'.length) };
  const [prefix, siteCode, resource] = key.split(':');
  if (prefix !== 'site' || !siteCode || !resource) throw new Error(`"${key}" is not a resource key (site:<site>:<resource> or unit:<unit>)`);
  return { kind: 'site', siteCode, resource };
}

/** The unit of a manufacturing-bay key; null for a site's resource. */
export const unitOfKey = (key: string): string | null => (key.startsWith('unit:') ? key.slice('unit:'.length) : null);

/** One bookable slot of live capacity: a chair session, a bed-day, a unit's batch slots on a day. */
export interface SlotRef {
  readonly resourceKey: string;
  readonly day: LocalDate;
  /** Session name; '' for resources booked by the day. */
  readonly session: string;
  /**
   * The share of one place taken, when less than a whole one: ICU cover, reserved at the process's
   * icuReserveProbability (issue 14 §4; libs/pathways/src/domain/clinical-rules.ts icuCover). Absent for
   * a whole place, as every chair, bed and bay day is. Never part of the slot's identity (slotKey).
   */
  readonly share?: number;
}

/** The places a slot reference takes: its share, or one whole place (a malformed event without its slot is judged by its reader). */
export const placesTaken = (slot: Pick<SlotRef, 'share'> | undefined): number => slot?.share ?? 1;

/**
 * Places as Bedside counts them: in hundredths of a place, so that shares add up exactly (three
 * patients' 0.3 of an ICU bed are 0.9 of it, never 0.8999999999999999) and a release takes back what
 * the hold took. Every sum of places goes through this.
 */
export const inHundredths = (places: number): number => Math.round(places * 100);
export const fromHundredths = (hundredths: number): number => hundredths / 100;
/** Two counts of places added exactly (inHundredths). */
export const addPlaces = (a: number, b: number): number => fromHundredths(inHundredths(a) + inHundredths(b));

/** A slot's identity as one string, for maps and sets. */
export const slotKey = (slot: SlotRef): string => `${slot.resourceKey}|${slot.day}|${slot.session}`;

/** A slot of live capacity with the places still free on it (capacity minus holds and bookings; >= 1 is bookable). */
export interface FreeSlot extends Omit<CapacitySlot, 'nominal' | 'capacity' | 'closedReason'> {
  readonly resource: Resource;
  readonly free: number;
}

/** Places held (tentative, not yet confirmed) and booked (committed) on a slot; fractions where ICU cover is shared (SlotRef.share). */
export interface Commitments {
  readonly committed: number;
  readonly tentative: number;
}
