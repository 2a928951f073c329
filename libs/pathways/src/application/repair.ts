import type { ChainOfIdentity } from '../domain';
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { CapacityReads, slotKey } from '@bedside/capacity';
import { AggregateRepository, retryOnConflict, type CommandContext } from '@bedside/event-store';
import { siteOn, type DeploymentData } from '@bedside/network';
import { CLINICAL, CLOCK, ConflictError, instantAt, localDateOf, NETWORK_TIME_ZONE, type Clock, requireRole, trustScope, type Caller } from '@bedside/shared';
import {
  bookingsLost,
  conditioningLapsed,
  outOfReach,
  icuCoverMissing,
  reconditioningFrom,
  strandedBy,
  withdrawnBy,
  type LatestDesignation,
  type UnitMoveMade,
  decideRepair,
  hasBegun,
  NOT_STARTED,
  type Progress,
  slotsAhead,
  type SlotNow,
  holdEvolver,
  holdStreamId,
  normaliseCoi,
  pathwayEvolver,
  pathwayStreamId,
  requirePathway,
  slotEvolver,
  SlotInThePastError,
  type SlotRef,
  slotStreamId,
  type VeinToVeinPlan,
} from '../domain';
import { pathwayColumns, type PathwayRow } from './pathway-reads';
import { PathwayAccess } from './pathway-access';
import { PatientStays } from './patient-stays';
import { RepairPlanning } from './repair-planning';
import type { PathwayChanged } from './referral-commands';

/** A proposal is named by its slots: accepting it later books exactly what was shown. */
export const proposalIdOf = (plan: Pick<VeinToVeinPlan, 'slots'>) =>
  createHash('sha256').update(JSON.stringify(plan.slots.map((s) => [s.resourceKey, s.day, s.session]))).digest('hex').slice(0, 24);

export interface AtRisk {
  readonly pathway: PathwayRow;
  readonly reasons: string[];
  readonly proposal: VeinToVeinPlan | null;
  readonly proposalId: string | null;
  /** Booked slots of steps already done that the proposal keeps. */
  readonly keptSlots: readonly SlotRef[];
  /** The proposal is a new collection (the product failed). */
  readonly recollection: boolean;
  readonly note: string | null;
}

/** When a pathway's product (`p`, its DMMF version `d`) passes its shelf life, and while that puts it at risk: made, not failed, not yet infused. */
const SHELF_LIFE_ENDS = `((p.progress->>'manufacturedAt')::timestamptz + (d.process->>'shelfLifeHours')::float * interval '1 hour')`;
const SHELF_LIFE_APPLIES = `p.progress->>'manufacturedAt' IS NOT NULL AND coalesce(p.progress->>'patient', 'WAITING') IN ('WAITING', 'CONDITIONING') AND p.progress->>'product' <> 'FAILED'`;

type AtRiskRow = PathwayRow & { reasons: string[]; hold_slots: SlotRef[]; batch_stopped: boolean };

/**
 * Pathways whose booking no longer holds: a slot of a step still to come lost its capacity (a unit out
 * of service, a site paused, a chair or bed closed), the unit a batch is being made on stopped, a unit
 * booked for manufacture is no longer designated, the patient is postponed past a booked day, the
 * product failed, or fresh product outlived its shelf life before infusion. Each comes with a repaired
 * plan that keeps what is done (RepairPlanning), or a note saying why there is none.
 */
@Injectable()
export class AtRiskPathways {
  constructor(
    private readonly dataSource: DataSource,
    private readonly capacity: CapacityReads,
    private readonly repairs: RepairPlanning,
    private readonly stays: PatientStays,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The slots of proposals shown lately, by id (bounded): a scheduler accepting one that time has
   * overtaken is told which slot has begun (issue 11 §3), not only that the proposal moved on.
   */
  private readonly shown = new Map<string, readonly SlotRef[]>();
  private static readonly SHOWN_LIMIT = 5_000;

  /** The slots of a proposal shown lately, if this process showed it. */
  shownProposal(proposalId: string): readonly SlotRef[] | undefined {
    return this.shown.get(proposalId);
  }

  private remember(proposalId: string, slots: readonly SlotRef[]): void {
    this.shown.delete(proposalId);
    if (this.shown.size >= AtRiskPathways.SHOWN_LIMIT) this.shown.delete(this.shown.keys().next().value!);
    this.shown.set(proposalId, slots);
  }

  /** A page in COI order after a cursor (`limit + 1` rows, to tell whether there is more). */
  async page(afterCoi: string | null, limit: number, caller: Caller, withProposals = true): Promise<AtRisk[]> {
    return this.entries(await this.rows(null, afterCoi, limit + 1, trustScope(caller)), withProposals);
  }

  /** Every at-risk pathway (for counts and offers); proposals only when asked. */
  async all(withProposals = false): Promise<AtRisk[]> {
    return this.entries(await this.rows(null, null, null), withProposals);
  }

  /**
   * When time alone will put a pathway at risk (issue 12 §5), by the same rule as the list: its fresh
   * product's shelf life ends before infusion (`expired` below). The instant from which it is at risk,
   * or null when no such time lies ahead. The at-risk reactor sets a timer for it.
   */
  async atRiskFrom(coi: string): Promise<Date | null> {
    const [row]: { ends_at: Date }[] = await this.dataSource.query(
      `SELECT ${SHELF_LIFE_ENDS} AS ends_at
         FROM pathways p JOIN dmmf_versions d ON d.product_code = p.product_code AND d.version = p.dmmf_version
        WHERE p.coi = $1 AND ${SHELF_LIFE_APPLIES} AND ${SHELF_LIFE_ENDS} >= $2::timestamptz`,
      [coi, this.clock.now()],
    );
    // The list counts it expired once now is past the end (`>`), so from a millisecond after.
    return row ? new Date(new Date(row.ends_at).getTime() + 1) : null;
  }

  /**
   * When a pathway's conditioning course lapses, by the rule of the list (conditioningLapsed): the start
   * of the day a new course may start, in the network's time zone; null when no lapse lies ahead.
   */
  async lapsesFrom(coi: string): Promise<Date | null> {
    const [row]: { progress: Partial<Progress> | null; recondition_after_days: number | null }[] = await this.dataSource.query(
      `SELECT p.progress, (d.process->>'reconditionAfterDays')::int AS recondition_after_days
         FROM pathways p JOIN dmmf_versions d ON d.product_code = p.product_code AND d.version = p.dmmf_version
        WHERE p.coi = $1 AND p.plan_status = 'BOOKED'`,
      [coi],
    );
    const lastDoseAt = row?.progress?.patient === 'CONDITIONING' ? row.progress.doseTimes?.at(-1) : undefined;
    if (!row || lastDoseAt === undefined) return null;
    const from = reconditioningFrom({ reconditionAfterDays: row.recondition_after_days }, localDateOf(new Date(lastDoseAt), NETWORK_TIME_ZONE));
    if (from === null) return null;
    const at = instantAt(from, '00:00', NETWORK_TIME_ZONE);
    return at.getTime() > this.clock.now().getTime() ? at : null;
  }

  /**
   * Plans on hold (not yet booked) some of whose places live capacity can no longer give, by the rule
   * that judges a booking (bookingsLost): confirming one books a pathway already at risk, so the at-risk
   * reactor marks them and reacts to their confirmation (issue 12 §5); other confirmations cannot put
   * anyone at risk.
   */
  async heldOnLostCapacity(): Promise<{ holdId: string; expiresAt: Date }[]> {
    const held: { hold_id: string; expires_at: Date; slots: SlotRef[] }[] = await this.dataSource.query(
      `SELECT h.hold_id, h.expires_at, h.slots FROM holds h JOIN pathways p ON p.hold_id = h.hold_id AND p.plan_status = 'PLAN_HELD' WHERE h.status = 'HELD'`,
    );
    if (held.length === 0) return [];
    const { slots: placed } = await this.capacity.placed(held.flatMap((h) => h.slots));
    const layout = (slot: SlotRef): SlotNow | undefined => {
      const found = placed.get(slotKey(slot));
      return found && { endsAt: found.endsAt, capacity: found.capacity, closedReason: found.closedReason, used: found.committed + found.tentative };
    };
    const now = this.clock.now();
    return held
      .filter((h) => bookingsLost(slotsAhead(NOT_STARTED, h.slots, layout, now), layout).length > 0)
      .map((h) => ({ holdId: h.hold_id, expiresAt: new Date(h.expires_at) }));
  }

  async entry(coi: string): Promise<AtRisk | null> {
    const [entry] = await this.entries(await this.rows(coi, null, null), true);
    return entry ?? null;
  }

  private async entries(rows: AtRiskRow[], withProposals: boolean): Promise<AtRisk[]> {
    const result: AtRisk[] = [];
    for (const row of rows) {
      const base = { pathway: row, reasons: row.reasons, proposal: null, proposalId: null, keptSlots: [], recollection: false };
      if (!withProposals) {
        result.push({ ...base, note: null });
        continue;
      }
      if (row.batch_stopped) {
        // A batch cannot move to another unit mid-process, so no plan repairs it (issue 11 §5): people decide.
        result.push({ ...base, note: batchStoppedNote(row) });
        continue;
      }
      const repair = await this.repairs.plan(row, row.hold_slots);
      if ('note' in repair) {
        result.push({ ...base, note: repair.note });
        continue;
      }
      const proposal = repair.result.plans[0] ?? null;
      if (proposal) this.remember(proposalIdOf(proposal), proposal.slots);
      result.push({
        ...base,
        proposal,
        proposalId: proposal && proposalIdOf(proposal),
        keptSlots: repair.keptSlots,
        recollection: repair.recollection,
        note: proposal ? null : `No repaired plan fits: ${repair.result.reasonNone}`,
      });
    }
    return result;
  }

  /**
   * The at-risk pathways with their reasons. What live capacity can no longer give is judged first
   * (bookingsLost, on the capacity slice's view of the booked slots); the other reasons come from the
   * pathways' own rows, in one statement that is handed those slots and losses.
   */
  private async rows(coi: string | null, afterCoi: string | null, limit: number | null, trusts: readonly string[] | null = null): Promise<AtRiskRow[]> {
    const now = this.clock.now();
    const today = localDateOf(now, NETWORK_TIME_ZONE);
    // With each, the deployments made anyway over its booking (DeploymentData.strandedCois): mobile units are few.
    // And the product's latest DMMF version, and the booked units' homes and deployments, to judge where each
    // booked batch may still be made (withdrawnBy), in the same statement.
    const booked: {
      coi: string;
      dmmf_version: number;
      progress: Partial<Progress> | null;
      slots: SlotRef[];
      moves: UnitMoveMade[];
      latest: LatestDesignation | null;
      units: { unitId: string; homeSiteCode: string; deployments: DeploymentData[] }[];
      recondition_after_days: number | null;
      stay_district: string | null;
      reach: { stayWithinReachDays: number; stayWithinReachMinutes: number; icuReserveProbability: number } | null;
    }[] = await this.dataSource.query(
      `SELECT p.coi, p.dmmf_version, p.progress, h.slots, p.stay_district,
              (SELECT (d.process->>'reconditionAfterDays')::int FROM dmmf_versions d WHERE d.product_code = p.product_code AND d.version = p.dmmf_version) AS recondition_after_days,
              (SELECT jsonb_build_object('stayWithinReachDays', (d.process->>'stayWithinReachDays')::int, 'stayWithinReachMinutes', (d.process->>'stayWithinReachMinutes')::int,
                                         'icuReserveProbability', coalesce((d.process->>'icuReserveProbability')::float8, 0))
                 FROM dmmf_versions d WHERE d.product_code = p.product_code AND d.version = p.dmmf_version) AS reach,
              (SELECT coalesce(jsonb_agg(d.value), '[]') FROM modular_units u, jsonb_array_elements(u.deployments) d
                WHERE jsonb_array_length(u.deployments) > 0 AND d.value->'strandedCois' ? p.coi) AS moves,
              (SELECT jsonb_build_object('productCode', d.product_code, 'version', d.version, 'reason', d.reason, 'unitIds', d.designated_unit_ids, 'siteCodes', d.designated_site_codes)
                 FROM dmmf_versions d WHERE d.product_code = p.product_code ORDER BY d.version DESC LIMIT 1) AS latest,
              (SELECT coalesce(jsonb_agg(jsonb_build_object('unitId', u.unit_id, 'homeSiteCode', u.home_site_code, 'deployments', u.deployments)), '[]')
                 FROM modular_units u WHERE h.slots @> jsonb_build_array(jsonb_build_object('resourceKey', 'unit:' || u.unit_id))) AS units
         FROM pathways p JOIN holds h ON h.hold_id = p.hold_id AND h.status = 'CONFIRMED'
        WHERE p.plan_status = 'BOOKED' AND coalesce(p.progress->>'patient', 'WAITING') IN ('WAITING', 'CONDITIONING')
          AND ($1::text IS NULL OR p.coi = $1)`,
      [coi],
    );
    const [{ slots: placed }, stayOf] = await Promise.all([this.capacity.placed(booked.flatMap((b) => b.slots)), this.stays.ofMany(booked.map((b) => b.stay_district))]);
    const layout = (slot: SlotRef): SlotNow | undefined => {
      const found = placed.get(slotKey(slot));
      return found && { endsAt: found.endsAt, capacity: found.capacity, closedReason: found.closedReason, used: found.committed + found.tentative };
    };
    const ahead: { coi: string; resource_key: string; day: string; batch: boolean }[] = [];
    const lost: { coi: string; reason: string; batch: boolean }[] = [];
    for (const b of booked) {
      const still = slotsAhead({ ...NOT_STARTED, ...b.progress }, b.slots, layout, now);
      for (const { slot, batch } of still) ahead.push({ coi: b.coi, resource_key: slot.resourceKey, day: slot.day, batch });
      for (const loss of bookingsLost(still, layout)) lost.push({ coi: b.coi, ...loss });
      for (const loss of strandedBy(b.coi, still, b.moves)) lost.push({ coi: b.coi, ...loss });
      const units = new Map(b.units.map((u) => [u.unitId, u]));
      const unitSiteOn = (unitId: string, day: string) => {
        const unit = units.get(unitId);
        return unit && siteOn(unit.homeSiteCode, unit.deployments, day);
      };
      for (const loss of withdrawnBy(b.dmmf_version, b.latest ?? undefined, still, unitSiteOn)) lost.push({ coi: b.coi, ...loss });
      const lapsed = conditioningLapsed({ ...NOT_STARTED, ...b.progress }, { reconditionAfterDays: b.recondition_after_days }, today);
      if (lapsed) lost.push({ coi: b.coi, ...lapsed });
      const away = b.reach && outOfReach({ ...NOT_STARTED, ...b.progress }, b.reach, stayOf(b.stay_district), b.slots);
      if (away) lost.push({ coi: b.coi, ...away });
      const uncovered = b.reach && icuCoverMissing({ ...NOT_STARTED, ...b.progress }, b.reach, b.slots);
      if (uncovered) lost.push({ coi: b.coi, ...uncovered });
    }
    return this.dataSource.query(
      `WITH ahead AS (
         SELECT a.coi, a.resource_key, a.day, a.batch, p.postponed_until, p.product_code, p.dmmf_version
           FROM jsonb_to_recordset($6::jsonb) AS a(coi text, resource_key text, day date, batch boolean) JOIN pathways p USING (coi)
       ), lost AS (
         SELECT coi, reason, batch FROM jsonb_to_recordset($7::jsonb) AS l(coi text, reason text, batch boolean)
       ), postponed AS (
         SELECT a.coi, 'the patient is postponed until ' || to_char(a.postponed_until, 'YYYY-MM-DD') || ' (' || p.postponement_reason || ') but is booked in on '
                || to_char(min(a.day), 'YYYY-MM-DD') AS reason, false AS batch
           FROM ahead a JOIN pathways p USING (coi)
          WHERE a.postponed_until IS NOT NULL AND a.day < a.postponed_until AND a.resource_key NOT LIKE 'unit:%'
          GROUP BY a.coi, a.postponed_until, p.postponement_reason
       ), expired AS (
         SELECT p.coi, 'the product passed its ' || (d.process->>'shelfLifeHours') || ' h shelf life at '
                || to_char(${SHELF_LIFE_ENDS} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
                || ': it can no longer be infused' AS reason, false AS batch
           FROM pathways p JOIN dmmf_versions d ON d.product_code = p.product_code AND d.version = p.dmmf_version
          WHERE ${SHELF_LIFE_APPLIES} AND ($1::text IS NULL OR p.coi = $1)
            AND $5::timestamptz > ${SHELF_LIFE_ENDS}
       ), failed AS (
         SELECT coi, 'the product failed manufacture or QC' AS reason, false AS batch FROM pathways
          WHERE progress->>'product' = 'FAILED' AND coalesce(progress->>'patient', 'WAITING') IN ('WAITING', 'CONDITIONING') AND plan_status = 'BOOKED'
            AND ($1::text IS NULL OR coi = $1)
       )
       SELECT ${pathwayColumns('p')}, h.slots AS hold_slots, array_agg(DISTINCT r.reason ORDER BY r.reason) AS reasons, bool_or(r.batch) AS batch_stopped
         FROM (SELECT * FROM lost UNION ALL SELECT * FROM postponed UNION ALL SELECT * FROM failed UNION ALL SELECT * FROM expired) r
         JOIN pathways p USING (coi) LEFT JOIN holds h ON h.hold_id = p.hold_id
        WHERE ($2::text IS NULL OR p.coi > $2) AND ($4::text[] IS NULL OR p.referring_trust = ANY($4))
        GROUP BY p.coi, h.slots ORDER BY p.coi LIMIT $3`,
      [coi, afterCoi, limit, trusts, now, JSON.stringify(ahead), JSON.stringify(lost)],
    );
  }
}

/** What to do when the unit a batch is being made on can no longer be used: a batch cannot be moved, so people decide. */
function batchStoppedNote(row: PathwayRow): string {
  const unit = row.progress?.manufactureUnitId ?? 'its unit';
  const conditioning = row.progress?.patient === 'CONDITIONING' ? ' The patient has started conditioning: tell the treating consultant now.' : '';
  return (
    `The batch under way on unit ${unit} cannot carry on as planned, and a batch cannot move to another unit. Ask the unit and Control Site QA ` +
    `whether it can complete there. If it can, nothing needs rebooking once the unit is back; if not, record failManufacture and a new collection will be proposed.${conditioning}`
  );
}

export class AcceptRepairCommand {
  constructor(
    readonly coi: ChainOfIdentity,
    readonly proposalId: string,
    readonly context: CommandContext,
  ) {}
}

/** Swaps a pathway's broken booking for the proposed one in one atomic append: both land, or neither. */
@CommandHandler(AcceptRepairCommand)
export class AcceptRepairHandler implements ICommandHandler<AcceptRepairCommand, PathwayChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly atRisk: AtRiskPathways,
    private readonly capacity: CapacityReads,
    private readonly access: PathwayAccess,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ coi: raw, proposalId, context }: AcceptRepairCommand): Promise<PathwayChanged> {
    requireRole(context.role, CLINICAL, 'accept a repaired plan');
    const coi = raw;
    const acting = await this.access.actingOn(coi, context, 'accept repairs');
    const entry = await this.atRisk.entry(coi);
    if (!entry) throw new ConflictError(`Pathway ${coi} is not at risk: its booking still holds.`, { coi });
    const now = this.clock.now();
    if (!entry.proposal || entry.proposalId !== proposalId) {
      // Nothing in the past (issue 11 §3): a proposal time has overtaken names the slot that has begun.
      const shown = this.atRisk.shownProposal(proposalId);
      if (shown) await this.refuseBegun(shown, now);
      throw new ConflictError('That repair proposal is no longer available: capacity has moved or a step was recorded since. Look at atRiskPathways again for the current proposal.', {
        coi,
        currentProposalId: entry.proposalId,
      });
    }
    const reason = `Repaired: ${entry.reasons.join('; ')}`;
    const newSlots: SlotRef[] = [...entry.proposal.slots];
    const booking = [...entry.keptSlots, ...newSlots];
    const capacities = await this.refuseBegun(newSlots, now);
    const newHoldId = createHash('sha256').update(`${coi}\nrepair\n${proposalId}`).digest('hex').slice(0, 32);
    return retryOnConflict(async () => {
      const pathway = await this.repository.load(pathwayStreamId(coi), pathwayEvolver);
      const oldHoldId = requirePathway(pathway.state, coi).holdId!;
      const oldHold = await this.repository.load(holdStreamId(oldHoldId), holdEvolver);
      const touched = [...new Set([...oldHold.state!.slots, ...booking].map(slotStreamId))];
      const writes = decideRepair({
        coi,
        proposalId,
        newHoldId,
        reason,
        now: this.clock.now(),
        pathway,
        oldHold,
        kept: entry.keptSlots,
        taken: newSlots,
        slotStates: await this.repository.loadMany(touched, slotEvolver),
        capacity: capacities,
      });
      return { coi, position: await this.repository.appendDecisions(writes, { ...acting, reason }) };
    });
  }

  /** Each slot's capacity, after refusing any that has begun by `now` (BAD_USER_INPUT naming it). */
  private async refuseBegun(slots: readonly SlotRef[], now: Date): Promise<Map<string, number>> {
    const { slots: placed } = await this.capacity.placed(slots);
    const capacities = new Map<string, number>();
    for (const found of placed.values()) {
      const slot = { resourceKey: found.resourceKey, day: found.day, session: found.session };
      if (hasBegun(found, now)) throw new SlotInThePastError(slot, found.startsAt, now, 'Look at atRiskPathways again for the current proposal.');
      capacities.set(slotStreamId(slot), found.capacity);
    }
    return capacities;
  }
}
