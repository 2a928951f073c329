import type { ChainOfIdentity } from '../domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, EVENT_STORE, retryOnConflict, type CommandContext, type EventStore } from '@bedside/event-store';
import { CapacityReads, slotKey, unitOfKey } from '@bedside/capacity';
import { siteOn, unitEvolver, unitStreamId } from '@bedside/network';
import {
  CLINICAL,
  CLOCK,
  ConflictError,
  type Clock,
  numberIn,
  parseLocalDate,
  replay,
  requireRole,
  requireText,
  ValidationError,
  type LocalDate,
} from '@bedside/shared';
import {
  checkPlanSlots,
  decidePlaceHold,
  describeSlot,
  holdEvolver,
  holdStreamId,
  judgePlanSlots,
  normaliseCoi,
  type Pathway,
  pathwayEvolver,
  pathwayStreamId,
  type PlanRules,
  refuseBegunSlots,
  slotEvolver,
  type SlotRef,
  slotStreamId,
} from '../domain';
import { actingForTrust } from './pathway-access';
import { PATHWAYS_OPTIONS, type PathwaysOptions } from './pathways-options';
import { BASIS_PROJECTIONS, PlanOptions, type JudgementKeys } from './plan-options';
import { holdIdFor, KnownHolds, SLOTS_KEPT_CHANGING, type HoldChanged } from './hold-shared';

export class HoldPlanCommand {
  constructor(
    readonly input: { coi: ChainOfIdentity; slots: readonly SlotRef[]; idempotencyKey: string; holdMinutes?: number | null },
    readonly context: CommandContext,
  ) {}
}

function normaliseSlots(slots: readonly SlotRef[]): SlotRef[] {
  if (slots.length === 0 || slots.length > 200) throw new ValidationError('slots', 'A plan holds 1 to 200 slots.');
  const unique = new Map<string, SlotRef>();
  for (const [i, slot] of slots.entries()) {
    const ref = { resourceKey: requireText(`slots[${i}].resourceKey`, slot.resourceKey, 100), day: parseLocalDate(`slots[${i}].day`, slot.day), session: slot.session ?? '' };
    unique.set(slotStreamId(ref), ref);
  }
  return [...unique.values()];
}

/**
 * Holds every slot of a plan at once, for a set time: one atomic append over the pathway, the hold
 * and every slot stream, each at the version it was decided on. Two schedulers can never get the
 * same last place: one append wins, the other re-reads, finds the slot full and gets SLOT_TAKEN.
 */
@CommandHandler(HoldPlanCommand)
export class HoldPlanHandler implements ICommandHandler<HoldPlanCommand, HoldChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly capacity: CapacityReads,
    @Inject(PATHWAYS_OPTIONS) private readonly options: PathwaysOptions,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly knownHolds: KnownHolds,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly plans: PlanOptions,
  ) {}

  private readonly designations = new Map<string, Pick<PlanRules, 'designatedUnitIds' | 'designatedSiteCodes'>>();

  async execute({ input, context }: HoldPlanCommand): Promise<HoldChanged> {
    requireRole(context.role, CLINICAL, 'hold a plan');
    const coi = input.coi;
    // Who before what (issue 11 §7): input that fails validation is judged only once the caller may act
    // for the pathway's trust, so no answer says anything about another trust's patients or plans.
    const checked = settle(() => this.checkInput(input));
    if ('error' in checked) {
      const { state } = await this.repository.load(pathwayStreamId(coi), pathwayEvolver);
      if (state) actingForTrust(context, state.referringTrust, 'hold plans');
      throw checked.error;
    }
    const { idempotencyKey, slots, seconds } = checked.value;
    const holdId = holdIdFor(coi, idempotencyKey);
    this.knownHolds.remember(holdId, coi);
    const unitIds = [...new Set(slots.flatMap((s) => unitOfKey(s.resourceKey) ?? []))];
    // Everything the decision reads, in one query: the hold (a retry finds it), the pathway, the units' sites, every slot.
    const streamIds = [holdStreamId(holdId), pathwayStreamId(coi), ...unitIds.map(unitStreamId), ...slots.map(slotStreamId)];
    const read = () => this.repository.readMany(streamIds);
    // Live capacity and the streams do not depend on each other: read them side by side.
    // What live capacity says about the slots is judged after the trust check, like the input.
    // The slots as held: ICU cover takes the product's share of a bed (SlotRef.share), set by the judge's plan.
    let held: readonly SlotRef[] = slots;
    let [capacities, streams] = await Promise.all([this.capacities(slots).then((value) => ({ value }), (error: unknown) => ({ error })), read()]);
    return retryOnConflict(async (attempt) => {
      if (attempt > 1) streams = await read();
      const pathway = streams.load(pathwayStreamId(coi), pathwayEvolver);
      const acting = pathway.state ? actingForTrust(context, pathway.state.referringTrust, 'hold plans') : context;
      const existing = streams.load(holdStreamId(holdId), holdEvolver);
      if (existing.state) return { coi, holdId }; // a retried request: the hold it made stands
      if ('error' in capacities) throw capacities.error;
      const now = this.clock.now();
      // A plan in the past is refused first, naming the slot, before any rule of the plan is judged.
      refuseBegunSlots(slots, capacities.value.startsAt, now);
      if (pathway.state) {
        const unitSiteOn = (unitId: string, day: LocalDate) => {
          const unit = streams.load(unitStreamId(unitId), unitEvolver).state;
          return unit && siteOn(unit.homeSiteCode, unit.deployments, day);
        };
        const designation = await this.designation(pathway.state.productCode, pathway.state.dmmfVersion);
        checkPlanSlots(slots, { earliestCollectionDate: pathway.state.earliestCollectionDate, ...designation, unitSiteOn });
        // A hold holds a plan (issue 11 §4): judged once, by the plan search's own rules; a retry after a race re-reads only capacity.
        if (attempt === 1) {
          const plan = judgePlanSlots(await this.plans.inputForPlan(pathway.state, slots, capacities.value.keys), slots);
          held = withShares(slots, plan.slots);
        }
      }
      const writes = decidePlaceHold({
        coi,
        holdId,
        idempotencyKey,
        slots: held,
        now,
        expiresAt: new Date(now.getTime() + seconds * 1000),
        pathway,
        hold: existing,
        slotStates: new Map(slots.map((slot) => [slotStreamId(slot), streams.load(slotStreamId(slot), slotEvolver)])),
        capacity: capacities.value.capacity,
        startsAt: capacities.value.startsAt,
      });
      const [planHeld, holdPlaced] = writes;
      if (!planHeld || !holdPlaced) return { coi, holdId }; // placed meanwhile by this same request
      const position = await this.repository.appendDecisions(writes, acting);
      this.knownHolds.rememberPlaced(holdId, {
        hold: replay(holdEvolver, holdPlaced.events)!,
        holdVersion: holdPlaced.events.length,
        pathway: planHeld.events.reduce<Pathway | undefined>(pathwayEvolver.evolve, pathway.state)!,
        pathwayVersion: pathway.version + planHeld.events.length,
      });
      return { coi, holdId, position };
    }, SLOTS_KEPT_CHANGING);
  }

  /**
   * Where a DMMF version lets the product be made. A published version is never changed (a change is
   * a new version), so it is read from its stream once per process and kept.
   */
  private async designation(productCode: string, dmmfVersion: number): Promise<Pick<PlanRules, 'designatedUnitIds' | 'designatedSiteCodes'>> {
    const key = `${productCode}\n${dmmfVersion}`;
    const known = this.designations.get(key);
    if (known) return known;
    const events = await this.store.readStream(`dmmf-${productCode}`);
    const dmmf = events.map((e) => e.data as { version: number; designation: { siteCodes: string[]; unitIds: string[] } }).find((d) => d.version === dmmfVersion);
    const designation = { designatedUnitIds: new Set(dmmf?.designation.unitIds ?? []), designatedSiteCodes: new Set(dmmf?.designation.siteCodes ?? []) };
    // Not kept while the version is unknown here: it may be published a moment from now.
    if (dmmf) this.designations.set(key, designation);
    return designation;
  }

  private checkInput(input: HoldPlanCommand['input']): { idempotencyKey: string; slots: SlotRef[]; seconds: number } {
    const idempotencyKey = requireText('idempotencyKey', input.idempotencyKey, 200);
    const slots = normaliseSlots(input.slots);
    const ceiling = this.options.maxHoldMinutes;
    const seconds = input.holdMinutes ? numberIn('holdMinutes', input.holdMinutes, 1, ceiling) * 60 : Math.min(this.options.holdSeconds, ceiling * 60);
    return { idempotencyKey, slots, seconds };
  }

  /** What each slot offers now, from live capacity, and when it begins; a slot it does not list cannot be held. */
  private async capacities(slots: readonly SlotRef[]): Promise<{ capacity: Map<string, number>; startsAt: Map<string, Date>; keys: JudgementKeys }> {
    // With where the plan search's read models stand, so judging the plan costs no round trip of its own.
    const placed = await this.capacity.placed(slots, BASIS_PROJECTIONS);
    const capacities = new Map<string, number>();
    const startsAt = new Map<string, Date>();
    for (const slot of slots) {
      const found = placed.slots.get(slotKey(slot));
      if (!found) throw new ValidationError('slots', `${describeSlot(slot)} is not a bookable slot (no calendar that day, or beyond the calendar's horizon).`);
      if (found.capacity === 0) throw new ConflictError(`${describeSlot(slot)} is closed: ${found.closedReason ?? 'no capacity'}.`, { slot });
      capacities.set(slotStreamId(slot), found.capacity);
      startsAt.set(slotStreamId(slot), found.startsAt);
    }
    return { capacity: capacities, startsAt, keys: { basisKey: placed.appliedKey, layoutKey: placed.layoutKey } };
  }
}

/** The slots given, each with the share of a place the judged plan takes on it (ICU cover; issue 14 §4). */
function withShares(slots: readonly SlotRef[], planned: readonly SlotRef[]): SlotRef[] {
  const shares = new Map(planned.flatMap((s) => (s.share === undefined ? [] : [[slotStreamId(s), s.share] as const])));
  return slots.map((slot) => {
    const share = shares.get(slotStreamId(slot));
    return share === undefined ? slot : { ...slot, share };
  });
}

/** Runs a check now and keeps its refusal for later, when it may be told. */
function settle<T>(check: () => T): { value: T } | { error: unknown } {
  try {
    return { value: check() };
  } catch (error) {
    return { error };
  }
}
