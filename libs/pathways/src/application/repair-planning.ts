import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { addPlaces, CapacityReads, placesTaken, resourceOwner, slotKey, unitOfKey } from '@bedside/capacity';
import { NETWORK_TIME_ZONE, addDays, CLOCK, localDateOf, type Clock, type LocalDate } from '@bedside/shared';
import { siteOn, type DeploymentData } from '@bedside/network';
import { daysBookedAfterInfusion, hasBegun, NOT_STARTED, searchPlans, type FreeSlot, type KeptSteps, type PlanSearchResult, type Progress, type SlotRef } from '../domain';
import type { PathwayRow } from './pathway-reads';
import { PlanOptions, searchInput } from './plan-options';

const REPAIR_HORIZON_DAYS = 120;
const MADE: readonly string[] = ['IN_MANUFACTURE', 'MANUFACTURED', 'RELEASED'];

export const isApheresisSlot = (s: SlotRef) => {
  const owner = resourceOwner(s.resourceKey);
  return owner.kind === 'site' && owner.resource === 'APHERESIS_CHAIR';
};
export const isBaySlot = (s: SlotRef) => unitOfKey(s.resourceKey) !== null;
const refKey = slotKey;

export interface RepairPlan {
  readonly result: PlanSearchResult;
  /** Booked slots of steps already done: the new booking keeps them. */
  readonly keptSlots: readonly SlotRef[];
  /** The product failed: the repair is a new collection. */
  readonly recollection: boolean;
}

/**
 * Plans the repair of a booked pathway from where it stands (issue 4 §5): before collection, a new
 * plan from today; once collected, the collection is kept and the material must reach a unit within its
 * hold; once manufacture has started, the batch stays on its unit; after a failed product, a new
 * collection. The pathway's own booking counts as free to it, so a repair keeps what still holds.
 */
@Injectable()
export class RepairPlanning {
  constructor(
    private readonly dataSource: DataSource,
    private readonly capacity: CapacityReads,
    private readonly plans: PlanOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async plan(row: PathwayRow, holdSlots: readonly SlotRef[], count = 1, now = this.clock.now()): Promise<RepairPlan | { note: string }> {
    const progress: Progress = { ...NOT_STARTED, ...row.progress };
    if (progress.patient !== 'WAITING') {
      return { note: 'Conditioning has started, so the infusion day follows the regimen: rebook beds at the treatment centre by hand, or escalate to the treating consultant.' };
    }
    const recollection = progress.product === 'FAILED';
    const collected = !recollection && progress.product !== 'NOT_COLLECTED';
    const started = collected && MADE.includes(progress.product);
    const keptSlots = holdSlots.filter((s) => (collected && isApheresisSlot(s)) || (started && isBaySlot(s)));
    const today = localDateOf(now, NETWORK_TIME_ZONE);
    const earliest = collected || row.earliest_collection_date < today ? today : row.earliest_collection_date;

    const basis = await this.plans.basis(row.product_code, row.dmmf_version);
    const process = basis.process;
    const kept = collected ? await this.keptSteps(progress, keptSlots, process.conditioningGate === 'RELEASE_BEFORE_CONDITIONING' ? process.qcReleaseDays : 0, now) : null;
    const free = await this.freeFor(
      await this.plans.freeSlots(basis, earliest, addDays(earliest, REPAIR_HORIZON_DAYS + daysBookedAfterInfusion(process)), now),
      holdSlots.filter((s) => !keptSlots.includes(s)),
      now,
    );
    const input = {
      ...searchInput(basis, { free }, { earliest, deadline: row.clinical_deadline, preferredCentre: row.treatment_centre, horizonDays: REPAIR_HORIZON_DAYS, count }, today),
      kept,
      patientAvailableFrom: row.postponed_until,
      stay: await this.plans.stayOf(row.stay_district),
    };
    return { result: searchPlans(input), keptSlots, recollection };
  }

  /** Live free places, with the pathway's own booked places given back and nothing that has already begun. */
  private async freeFor(free: readonly FreeSlot[], own: readonly SlotRef[], now: Date): Promise<FreeSlot[]> {
    const ownFree = new Map<string, number>();
    if (own.length > 0) {
      const { slots } = await this.capacity.placed(own);
      const taken = new Map(own.map((s) => [slotKey(s), placesTaken(s)]));
      for (const [key, slot] of slots) ownFree.set(key, Math.max(0, addPlaces(slot.capacity, -addPlaces(slot.committed, slot.tentative) + (taken.get(key) ?? 1))));
    }
    return free.map((s) => ({ ...s, free: hasBegun(s, now) ? 0 : (ownFree.get(refKey(s)) ?? s.free) }));
  }

  /** What is done, from the recorded steps and the booked slots they used. */
  private async keptSteps(progress: Progress, keptSlots: readonly SlotRef[], qcDays: number, now: Date): Promise<KeptSteps> {
    const times = await this.slotTimes(keptSlots);
    const chairs = keptSlots.filter(isApheresisSlot);
    const collectedAt = new Date(progress.collectedAt ?? now);
    const firstChair = chairs[0] && resourceOwner(chairs[0].resourceKey);
    const collectionSite = progress.collectionSite ?? (firstChair?.kind === 'site' ? firstChair.siteCode : '');
    const firstSession = chairs.map((s) => times.get(refKey(s))?.startsAt).filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
    const startedAt = firstSession && firstSession < collectedAt ? firstSession : collectedAt;
    const booked = [...new Set(chairs.map((s) => s.day))].sort();
    // Collection happened when it was recorded; the booked days stand only if it ended on the last of them.
    const collectedOn = localDateOf(collectedAt, NETWORK_TIME_ZONE);
    const collection: KeptSteps['collection'] = {
      apheresisCentre: collectionSite,
      days: booked.at(-1) === collectedOn ? booked : [collectedOn],
      startedAt,
      collectedAt,
      materialSite: progress.materialSite ?? collectionSite,
      // Material still where it was collected leaves from now; material on its way or received is timed from collection.
      departsAt: progress.product === 'COLLECTED' ? now : null,
      slots: chairs,
    };
    if (!MADE.includes(progress.product) || !progress.manufactureUnitId) return { collection, manufacture: null };

    const bays = keptSlots.filter(isBaySlot).sort((a, b) => (a.day < b.day ? -1 : 1));
    // The batch is made where the unit is now (its deployments say; it cannot move with a batch under way).
    const [unit]: { home_site_code: string; deployments: DeploymentData[] }[] = await this.dataSource.query('SELECT home_site_code, deployments FROM modular_units WHERE unit_id = $1', [progress.manufactureUnitId]);
    const manufactureStartedAt = new Date(progress.manufactureStartedAt ?? now);
    const plannedEnd = bays.map((s) => times.get(refKey(s))?.endsAt).filter((d): d is Date => !!d).sort((a, b) => b.getTime() - a.getTime())[0];
    const endsAt = progress.manufacturedAt ? new Date(progress.manufacturedAt) : (plannedEnd ?? now);
    // R6: released product is ready the day it was released; otherwise the end of manufacture plus QC under the gate.
    const readyDay: LocalDate = progress.releasedAt ? localDateOf(new Date(progress.releasedAt), NETWORK_TIME_ZONE) : addDays(localDateOf(endsAt, NETWORK_TIME_ZONE), qcDays);
    return {
      collection,
      manufacture: {
        unit: { unitId: progress.manufactureUnitId, siteCode: unit ? siteOn(unit.home_site_code, unit.deployments, localDateOf(now, NETWORK_TIME_ZONE)) : collection.materialSite },
        startDay: bays[0]?.day ?? localDateOf(manufactureStartedAt, NETWORK_TIME_ZONE),
        startedAt: manufactureStartedAt,
        endsAt,
        readyDay,
        slots: bays,
      },
    };
  }

  private async slotTimes(slots: readonly SlotRef[]): Promise<ReadonlyMap<string, { startsAt: Date; endsAt: Date }>> {
    if (slots.length === 0) return new Map();
    return (await this.capacity.placed(slots)).slots;
  }
}
