import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AggregateRepository, EVENT_STORE, isAfter, retryOnConflict, type RetryOnConflict, type CommandContext, type EventStore, type GlobalPosition, type Loaded } from '@bedside/event-store';
import { preparedQuery } from '@bedside/database';
import { unitEvolver, unitStreamId } from '@bedside/network';
import { CLINICAL, CLOCK, ConflictError, type Clock, numberIn, optionalReason, parseLocalDate, replay, requireRole, requireText, ValidationError } from '@bedside/shared';
import {
  checkPlanSlots,
  decideConfirmHold,
  decidePlaceHold,
  decideReleaseHold,
  describeSlot,
  type Hold,
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
import { JUDGEMENT_KEY_PARAMS, judgementKeysSql, PlanOptions, type JudgementKeys } from './plan-options';
import type { PathwayChanged } from './referral-commands';

export class HoldPlanCommand {
  constructor(
    readonly input: { coi: string; slots: readonly SlotRef[]; idempotencyKey: string; holdMinutes?: number | null },
    readonly context: CommandContext,
  ) {}
}

export class ConfirmHoldCommand {
  constructor(
    readonly holdId: string,
    readonly idempotencyKey: string,
    readonly context: CommandContext,
  ) {}
}

export class ReleaseHoldCommand {
  constructor(
    readonly holdId: string,
    readonly reason: string | null | undefined,
    readonly context: CommandContext,
    readonly expired = false,
  ) {}
}

export interface HoldChanged extends PathwayChanged {
  readonly holdId: string;
}

/** A hold and its pathway as this process left them when it placed the hold, with their stream versions. */
export interface PlacedHold {
  readonly hold: Hold;
  readonly holdVersion: number;
  readonly pathway: Pathway;
  readonly pathwayVersion: number;
}

/**
 * Which pathway each hold placed here is for, and the hold and its pathway as placing it left them.
 * A hold's pathway never changes, so that part is never stale: confirming or releasing a hold this
 * process placed reads the hold and its pathway in one round trip instead of one after the other.
 * The states may be stale, so they are only ever used with the versions they were read at: an
 * append at those versions lands only if neither stream has changed since (else it is refused and
 * the streams are read). Bounded; a hold it has forgotten (or one placed by another process) is read
 * first, as before.
 */
@Injectable()
export class KnownHolds {
  private static readonly LIMIT = 20_000;
  private readonly holds = new Map<string, { readonly coi: string; placed?: PlacedHold }>();

  remember(holdId: string, coi: string): void {
    if (this.holds.has(holdId)) return;
    if (this.holds.size >= KnownHolds.LIMIT) this.holds.delete(this.holds.keys().next().value!);
    this.holds.set(holdId, { coi });
  }

  coiOf(holdId: string): string | undefined {
    return this.holds.get(holdId)?.coi;
  }

  /** Placing the hold appended these states at these versions. */
  rememberPlaced(holdId: string, placed: PlacedHold): void {
    this.remember(holdId, placed.hold.coi);
    this.holds.get(holdId)!.placed = placed;
  }

  /** The hold and pathway as placing it left them, once: whatever happens to the hold next makes them stale. */
  takePlaced(holdId: string): PlacedHold | undefined {
    const known = this.holds.get(holdId);
    const placed = known?.placed;
    if (known) known.placed = undefined;
    return placed;
  }
}

/** The same request (pathway and idempotency key) always names the same hold, so a retry finds the first. */
export const holdIdFor = (coi: string, idempotencyKey: string) => createHash('sha256').update(`${coi}\n${idempotencyKey}`).digest('hex').slice(0, 32);

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
    private readonly dataSource: DataSource,
    @Inject(PATHWAYS_OPTIONS) private readonly options: PathwaysOptions,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly knownHolds: KnownHolds,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly plans: PlanOptions,
  ) {}

  private readonly designations = new Map<string, Pick<PlanRules, 'designatedUnitIds' | 'designatedSiteCodes'>>();

  async execute({ input, context }: HoldPlanCommand): Promise<HoldChanged> {
    requireRole(context.role, CLINICAL, 'hold a plan');
    const coi = normaliseCoi(input.coi);
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
    const unitIds = [...new Set(slots.filter((s) => s.resourceKey.startsWith('unit:')).map((s) => s.resourceKey.slice('unit:'.length)))];
    // Everything the decision reads, in one query: the hold (a retry finds it), the pathway, the units' sites, every slot.
    const streamIds = [holdStreamId(holdId), pathwayStreamId(coi), ...unitIds.map(unitStreamId), ...slots.map(slotStreamId)];
    const read = () => this.repository.readMany(streamIds);
    // Live capacity and the streams do not depend on each other: read them side by side.
    // What live capacity says about the slots is judged after the trust check, like the input.
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
        const unitSites = new Map<string, string>();
        for (const unitId of unitIds) {
          const unit = streams.load(unitStreamId(unitId), unitEvolver).state;
          if (unit) unitSites.set(unitId, unit.homeSiteCode);
        }
        const designation = await this.designation(pathway.state.productCode, pathway.state.dmmfVersion);
        checkPlanSlots(slots, { earliestCollectionDate: pathway.state.earliestCollectionDate, ...designation, unitSites });
        // A hold holds a plan (issue 11 §4): judged once, by the plan search's own rules; a retry after a race re-reads only capacity.
        if (attempt === 1) {
          judgePlanSlots(await this.plans.inputForPlan(pathway.state, slots, capacities.value.keys), slots);
        }
      }
      const writes = decidePlaceHold({
        coi,
        holdId,
        idempotencyKey,
        slots,
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
    const rows = await preparedQuery<{ resource_key: string; day: string; session: string; capacity: number; closed_reason: string | null; starts_at: Date } & JudgementKeys>(
      this.dataSource,
      'bedside_hold_capacities_v3',
      `SELECT s.resource_key, to_char(s.day, 'YYYY-MM-DD') AS day, s.session, s.capacity, s.closed_reason, s.starts_at, ${judgementKeysSql('$4', '$5')}
         FROM capacity_slots s
         JOIN unnest($1::text[], $2::date[], $3::text[]) AS r(resource_key, day, session) USING (resource_key, day, session)`,
      [slots.map((s) => s.resourceKey), slots.map((s) => s.day), slots.map((s) => s.session), ...JUDGEMENT_KEY_PARAMS],
    );
    const found = new Map(rows.map((r) => [slotStreamId({ resourceKey: r.resource_key, day: r.day, session: r.session }), r]));
    const capacities = new Map<string, number>();
    const startsAt = new Map<string, Date>();
    for (const slot of slots) {
      const row = found.get(slotStreamId(slot));
      if (!row) throw new ValidationError('slots', `${describeSlot(slot)} is not a bookable slot (no calendar that day, or beyond the calendar's horizon).`);
      if (row.capacity === 0) throw new ConflictError(`${describeSlot(slot)} is closed: ${row.closed_reason ?? 'no capacity'}.`, { slot });
      capacities.set(slotStreamId(slot), row.capacity);
      startsAt.set(slotStreamId(slot), new Date(row.starts_at));
    }
    return { capacity: capacities, startsAt, keys: rows[0] ?? { basis_key: null, layout_key: null } };
  }
}

/** Runs a check now and keeps its refusal for later, when it may be told. */
function settle<T>(check: () => T): { value: T } | { error: unknown } {
  try {
    return { value: check() };
  } catch (error) {
    return { error };
  }
}

/** A hold's race lost on every attempt: said in the scheduler's words. */
const SLOTS_KEPT_CHANGING: RetryOnConflict = {
  giveUp: (error) => new ConflictError('Other schedulers kept changing the same slots; nothing was held. Try again.', { streamId: error.streamId }),
};

/** A hold and the pathway it is for: one read when the pathway is known here, else the hold first. */
async function loadHoldAndPathway(
  repository: AggregateRepository,
  knownHolds: KnownHolds,
  holdId: string,
): Promise<{ hold: Hold | undefined; version: number; position?: GlobalPosition; pathway: Loaded<Pathway | undefined> | null }> {
  const known = knownHolds.coiOf(holdId);
  if (known) {
    const streams = await repository.readMany([holdStreamId(holdId), pathwayStreamId(known)]);
    const { state: hold, version, position } = streams.load(holdStreamId(holdId), holdEvolver);
    if (hold?.coi === known) return { hold, version, position, pathway: streams.load(pathwayStreamId(known), pathwayEvolver) };
  }
  const { state: hold, version, position } = await repository.load(holdStreamId(holdId), holdEvolver);
  return { hold, version, position, pathway: hold ? await repository.load(pathwayStreamId(hold.coi), pathwayEvolver) : null };
}

/** The later of two log positions (either may be absent). */
const later = (a: GlobalPosition | undefined, b: GlobalPosition | undefined): GlobalPosition | undefined => (!a ? b : !b ? a : isAfter(b, a) ? b : a);

/**
 * Turns a hold into a booking in one append to the hold and the pathway; a retry with the same key
 * changes nothing.
 *
 * The slot streams are neither read nor written: the hold's places on them were taken when it was
 * placed, and whether a place is booked is the hold's status (HoldConfirmed lists its slots for the
 * read models). A hold's places change only in appends that also write the hold's own stream at its
 * exact version (placing, confirming, releasing, repairing), so a confirm that lands at the hold
 * version it decided on finds every place still there, and confirms never race holds on shared slots.
 */
@CommandHandler(ConfirmHoldCommand)
export class ConfirmHoldHandler implements ICommandHandler<ConfirmHoldCommand, HoldChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly knownHolds: KnownHolds,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ holdId, idempotencyKey, context }: ConfirmHoldCommand): Promise<HoldChanged> {
    requireRole(context.role, CLINICAL, 'confirm a hold');
    const key = requireText('idempotencyKey', idempotencyKey, 200);
    // Confirming right after placing, in this process: decide on the states placing left, at their
    // versions, without reading them; if either stream has moved on, the append is refused and the
    // next attempt reads them.
    let placed = this.knownHolds.takePlaced(holdId);
    return retryOnConflict(async () => {
      const { hold, version, position, pathway } = placed
        ? { hold: placed.hold, version: placed.holdVersion, position: undefined, pathway: { state: placed.pathway, version: placed.pathwayVersion } }
        : await loadHoldAndPathway(this.repository, this.knownHolds, holdId);
      placed = undefined;
      const acting = pathway?.state ? actingForTrust(context, pathway.state.referringTrust, 'confirm holds') : context;
      const writes = decideConfirmHold({ holdId, idempotencyKey: key, now: this.clock.now(), hold: { state: hold, version }, pathway: pathway ?? { state: undefined, version: 0 } });
      // A retry answers as the first request did (issue 11 §8): once read models show the booking already
      // recorded, so its answer waits for where the hold and pathway streams stand (the confirmation is in both).
      if (writes.length === 0) return { coi: hold!.coi, holdId, position: later(position, pathway?.position) };
      return { coi: hold!.coi, holdId, position: await this.repository.appendDecisions(writes, { ...acting, reason: 'Plan confirmed' }) };
    }, SLOTS_KEPT_CHANGING);
  }
}

/** Gives every slot of a hold (or booking) back, by a scheduler with a reason or by the system at expiry. */
@CommandHandler(ReleaseHoldCommand)
export class ReleaseHoldHandler implements ICommandHandler<ReleaseHoldCommand, HoldChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly knownHolds: KnownHolds,
  ) {}

  async execute({ holdId, reason: rawReason, context, expired }: ReleaseHoldCommand): Promise<HoldChanged> {
    if (!expired) requireRole(context.role, CLINICAL, 'release a hold');
    const reason = optionalReason(rawReason) ?? (expired ? 'Hold expired' : 'Released by the scheduler');
    this.knownHolds.takePlaced(holdId); // stale once released
    return retryOnConflict(async () => {
      const { hold, version, pathway } = await loadHoldAndPathway(this.repository, this.knownHolds, holdId);
      // The expiry sweep acts for the system, not a trust.
      const acting = pathway?.state && !expired ? actingForTrust(context, pathway.state.referringTrust, 'release holds') : context;
      // A hold that does not exist is refused before its slots are looked for.
      const slotStates = hold ? await this.repository.loadMany(hold.slots.map(slotStreamId), slotEvolver) : new Map();
      const writes = decideReleaseHold({ holdId, reason, expired, hold: { state: hold, version }, pathway: pathway ?? { state: undefined, version: 0 }, slotStates });
      if (writes.length === 0) return { coi: hold!.coi, holdId };
      return { coi: hold!.coi, holdId, position: await this.repository.appendDecisions(writes, { ...acting, reason }) };
    }, SLOTS_KEPT_CHANGING);
  }
}
