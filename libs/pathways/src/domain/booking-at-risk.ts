import { resourceOwner, type SlotRef } from '@bedside/capacity/domain';
import { designatesUnitAt } from '@bedside/network/domain';
import { localDateOf, NETWORK_TIME_ZONE, type LocalDate } from '@bedside/shared';
import type { ProductProcess } from '@bedside/network';
import { icuCoverMissingDays, icuCoverWords, outOfReachWords, reconditioningFrom, staysWithinReach, type PatientStay } from './clinical-rules';
import type { Progress } from './lifecycle';

/** A booked slot of a step still to come, and whether it is the batch under way on its unit. */
export interface SlotAhead {
  readonly slot: SlotRef;
  readonly batch: boolean;
}

/** A slot as live capacity lays it out now (absent: no longer in the calendar). */
export interface SlotNow {
  readonly endsAt: Date;
  readonly capacity: number;
  readonly closedReason: string | null;
  /** Places held and booked on it, this pathway's among them. */
  readonly used: number;
}

/**
 * The booked slots a pathway still needs (issue 4 §5, issue 11 §5): a collection made or a batch
 * finished no longer needs its booking; a batch under way still needs its own unit for the days it
 * has left, and no other unit's bay.
 */
export function slotsAhead(progress: Pick<Progress, 'product' | 'manufactureUnitId'>, booked: readonly SlotRef[], layout: (slot: SlotRef) => SlotNow | undefined, now: Date): SlotAhead[] {
  const batchUnit = progress.product === 'IN_MANUFACTURE' ? progress.manufactureUnitId : null;
  return booked.flatMap((slot): SlotAhead[] => {
    const owner = resourceOwner(slot.resourceKey);
    if (owner.kind === 'site') return owner.resource === 'APHERESIS_CHAIR' && progress.product !== 'NOT_COLLECTED' ? [] : [{ slot, batch: false }];
    if (progress.product === 'MANUFACTURED' || progress.product === 'RELEASED') return [];
    if (progress.product !== 'IN_MANUFACTURE') return [{ slot, batch: false }];
    const endsAt = layout(slot)?.endsAt.getTime() ?? Number.POSITIVE_INFINITY;
    return owner.unitId === batchUnit && endsAt > now.getTime() ? [{ slot, batch: true }] : [];
  });
}

/** One reason a booking no longer holds, and whether it stops the batch under way. */
export interface BookingLost {
  readonly reason: string;
  readonly batch: boolean;
}

/**
 * The places ahead that live capacity can no longer give: a slot gone from the calendar, or one
 * whose capacity is now below what is held and booked on it. One line per resource and cause:
 * "Unit MU-1 is OUT_OF_SERVICE: fault (unit:MU-1, 2027-03-01 to 2027-03-07)".
 */
export function bookingsLost(ahead: readonly SlotAhead[], layout: (slot: SlotRef) => SlotNow | undefined): BookingLost[] {
  const groups = new Map<string, { reason: string; resourceKey: string; first: string; last: string; batch: boolean }>();
  for (const { slot, batch } of ahead) {
    const now = layout(slot);
    if (now && now.capacity >= now.used) continue;
    const reason = now?.closedReason ?? 'no longer in the calendar';
    const key = `${slot.resourceKey}\n${now ? (now.closedReason ?? '') : ''}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { reason, resourceKey: slot.resourceKey, first: slot.day, last: slot.day, batch });
    else {
      if (slot.day < group.first) group.first = slot.day;
      if (slot.day > group.last) group.last = slot.day;
      group.batch ||= batch;
    }
  }
  return [...groups.values()].map((g) => ({ reason: `${g.reason} (${g.resourceKey}, ${g.first}${g.last > g.first ? ` to ${g.last}` : ''})`, batch: g.batch }));
}

/** A mobile unit's move as the at-risk rules read it (DeploymentData in libs/network/src/domain/deployment.ts). */
export interface UnitMoveMade {
  readonly deploymentId: string;
  readonly unitId: string;
  readonly toSiteCode: string;
  readonly leavesOn: string;
  readonly strandedCois: readonly string[];
}

/**
 * Batch slots ahead that a deployment made anyway took away (docs/domain.md "Deployments"): from the day
 * the unit leaves it is on the road, then at another site, so a plan made for where it was no longer
 * holds even where the unit offers capacity again. Only pathways the deployment named as stranded: a
 * plan made after it was recorded already saw where the unit would be.
 */
export function strandedBy(coi: string, ahead: readonly SlotAhead[], moves: readonly UnitMoveMade[]): BookingLost[] {
  const lost: BookingLost[] = [];
  for (const move of moves) {
    if (!move.strandedCois.includes(coi)) continue;
    const key = `unit:${move.unitId}`;
    const taken = ahead.filter(({ slot }) => slot.resourceKey === key && slot.day >= move.leavesOn);
    if (taken.length === 0) continue;
    const days = taken.map(({ slot }) => slot.day).sort();
    lost.push({
      reason: `Unit ${move.unitId} leaves for ${move.toSiteCode} on ${move.leavesOn} (${move.deploymentId}) (${key}, ${days[0]}${days.length > 1 ? ` to ${days.at(-1)}` : ''})`,
      batch: taken.some((t) => t.batch),
    });
  }
  return lost;
}

/** The product's latest DMMF version, as the at-risk rules read it. */
export interface LatestDesignation {
  readonly productCode: string;
  readonly version: number;
  readonly reason: string;
  readonly unitIds: readonly string[];
  readonly siteCodes: readonly string[];
}

/**
 * Batch slots ahead on a unit a later DMMF version no longer designates where the unit will stand that
 * day (issue 11 §5; `designatesUnitAt`, HMR regs 17A/17B). The pinned version fixes how the product is
 * made; where it may be made is the Control Site's current word, so the latest version withdraws a unit,
 * pinned or not. `siteOn` says where a unit stands on a day (its deployments followed).
 */
export function withdrawnBy(pinnedVersion: number, latest: LatestDesignation | undefined, ahead: readonly SlotAhead[], siteOn: (unitId: string, day: string) => string | undefined): BookingLost[] {
  if (!latest || latest.version <= pinnedVersion) return [];
  const groups = new Map<string, SlotAhead[]>();
  for (const a of ahead) {
    if (!a.slot.resourceKey.startsWith('unit:')) continue;
    const unitId = a.slot.resourceKey.slice('unit:'.length);
    if (designatesUnitAt(latest, unitId, siteOn(unitId, a.slot.day))) continue;
    groups.set(a.slot.resourceKey, [...(groups.get(a.slot.resourceKey) ?? []), a]);
  }
  return [...groups].map(([key, taken]) => {
    const days = taken.map(({ slot }) => slot.day).sort();
    return {
      reason:
        `Unit ${key.slice('unit:'.length)} is no longer designated to make ${latest.productCode}: DMMF version ${latest.version} does not list it (${latest.reason}) ` +
        `(${key}, ${days[0]}${days.at(-1)! > days[0]! ? ` to ${days.at(-1)}` : ''})`,
      batch: taken.some((t) => t.batch),
    };
  });
}

/**
 * A conditioning course that lapsed with no infusion (issue 14 §4): from the day `reconditioningFrom`
 * gives (clinical-rules.ts, the rule `startConditioning` and the infusion window apply), the product can
 * no longer be infused on this course and a new one is needed. Null while the course holds, or when the
 * process sets no limit.
 */
export function conditioningLapsed(
  progress: Pick<Progress, 'patient' | 'doseTimes' | 'conditioningCourse'>,
  process: Pick<ProductProcess, 'reconditionAfterDays'>,
  today: LocalDate,
): BookingLost | null {
  const lastDoseAt = progress.patient === 'CONDITIONING' ? progress.doseTimes?.at(-1) : undefined;
  if (lastDoseAt === undefined) return null;
  const lastDoseOn = localDateOf(new Date(lastDoseAt), NETWORK_TIME_ZONE);
  const from = reconditioningFrom(process, lastDoseOn);
  if (from === null || today < from) return null;
  return {
    reason: `the conditioning course lapsed with no infusion: its last dose was given on ${lastDoseOn}, more than ${process.reconditionAfterDays} days ago. The treating consultant decides on a new course, which may start from ${from} (startConditioning)`,
    batch: false,
  };
}

/**
 * A booked treatment centre the patient can no longer stay within reach of (issue 14 §4): a planner
 * recorded a longer time from the district, or a stay was arranged elsewhere. The start of conditioning
 * and the infusion would be refused there (lifecycle.ts, the same staysWithinReach), so the pathway is at
 * risk before the day, and its repair looks at centres within reach. Null when within reach, when the
 * pathway has no district (referred before Bedside asked), or once the patient is infused.
 */
export function outOfReach(
  progress: Pick<Progress, 'patient'>,
  process: Pick<ProductProcess, 'stayWithinReachDays' | 'stayWithinReachMinutes'>,
  stay: PatientStay | null,
  booked: readonly SlotRef[],
): BookingLost | null {
  if (!stay || (progress.patient !== 'WAITING' && progress.patient !== 'CONDITIONING')) return null;
  const bed = booked.map((slot) => resourceOwner(slot.resourceKey)).find((owner) => owner.kind === 'site' && owner.resource === 'INFUSION_BED');
  if (!bed || bed.kind !== 'site' || staysWithinReach(process, stay.minutesTo(bed.siteCode))) return null;
  return { reason: `the patient can no longer stay within reach of ${bed.siteCode}: ${outOfReachWords(process, stay.district, bed.siteCode, stay.minutesTo(bed.siteCode))}`, batch: false };
}

/**
 * A booking without the ICU cover its infusion needs (issue 14 §4): one made before Bedside reserved cover,
 * whose conditioning would be refused (lifecycle.ts checkIcuCover, on the same icuCover). At risk while
 * the patient waits for conditioning, so the scheduler finds it with a repair that reserves the cover;
 * null once conditioning has started (the plan can no longer move) or when the cover is there.
 */
export function icuCoverMissing(
  progress: Pick<Progress, 'patient'>,
  process: Pick<ProductProcess, 'icuReserveProbability'>,
  booked: readonly SlotRef[],
): BookingLost | null {
  if (progress.patient !== 'WAITING') return null;
  const bed = booked.find((slot) => slot.resourceKey.endsWith(':INFUSION_BED'));
  const owner = bed && resourceOwner(bed.resourceKey);
  if (!bed || owner?.kind !== 'site') return null;
  const reserved = booked.filter((s) => s.resourceKey === `site:${owner.siteCode}:ICU_BED`).map((s) => s.day);
  const { cover, missing } = icuCoverMissingDays(process, bed.day, reserved);
  if (missing.length === 0) return null;
  return { reason: `no ICU cover is reserved on ${missing.join(' and ')}: ${icuCoverWords(process, owner.siteCode, cover)}`, batch: false };
}
