import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AggregateRepository, ConcurrencyError, type AlsoAppend, type CommandContext } from '@bedside/event-store';
import { ConflictError, requireRole } from '@bedside/shared';
import {
  bookSlot,
  HoldConfirmed,
  holdEvolver,
  HoldPlaced,
  HoldReleased,
  holdSlot,
  holdStreamId,
  normaliseCoi,
  pathwayEvolver,
  pathwayStreamId,
  releaseSlot,
  repairPlanOn,
  requirePathway,
  slotEvolver,
  slotStreamId,
  type SlotRef,
  type VeinToVeinPlan,
} from '../domain';
import type { PathwayRow } from './pathway-reads';
import { PlanOptions } from './plan-options';
import type { PathwayChanged } from './referral-commands';

/** A proposal is named by its slots: accepting it later books exactly what was shown. */
export const proposalIdOf = (plan: Pick<VeinToVeinPlan, 'slots'>) =>
  createHash('sha256').update(JSON.stringify(plan.slots.map((s) => [s.resourceKey, s.day, s.session]))).digest('hex').slice(0, 24);

export interface AtRisk {
  readonly pathway: PathwayRow;
  readonly reasons: string[];
  readonly proposal: VeinToVeinPlan | null;
  readonly proposalId: string | null;
  readonly note: string | null;
}

/**
 * Pathways whose booking no longer holds: a slot it booked lost its capacity (a unit out of service,
 * a site paused, a chair or bed closed), its product failed, or its fresh product outlived its shelf
 * life before infusion. Each comes with a repaired plan when
 * the product is not yet collected; otherwise it needs a repair by hand around what is done.
 */
@Injectable()
export class AtRiskPathways {
  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PlanOptions,
  ) {}

  async list(withProposals = true): Promise<AtRisk[]> {
    const rows: (PathwayRow & { reasons: string[] })[] = await this.dataSource.query(
      `WITH booked_slots AS (
         SELECT p.coi, s->>'resourceKey' AS resource_key, (s->>'day')::date AS day, s->>'session' AS session
           FROM pathways p JOIN holds h ON h.hold_id = p.hold_id AND h.status = 'CONFIRMED'
           CROSS JOIN LATERAL jsonb_array_elements(h.slots) AS s
          WHERE p.plan_status = 'BOOKED' AND coalesce(p.progress->>'patient', 'WAITING') IN ('WAITING', 'CONDITIONING')
       ), lost AS (
         SELECT b.coi, coalesce(cs.closed_reason, 'no longer in the calendar') || ' (' || b.resource_key || ', ' || to_char(b.day, 'YYYY-MM-DD') || ')' AS reason
           FROM booked_slots b
           LEFT JOIN capacity_slots cs USING (resource_key, day, session)
           LEFT JOIN capacity_commitments cc USING (resource_key, day, session)
          WHERE cs.resource_key IS NULL OR cs.capacity < coalesce(cc.committed, 0) + coalesce(cc.tentative, 0)
       ), expired AS (
         SELECT p.coi, 'the product passed its ' || (d.process->>'shelfLifeHours') || ' h shelf life at '
                || to_char(((p.progress->>'manufacturedAt')::timestamptz + (d.process->>'shelfLifeHours')::float * interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
                || ': it can no longer be infused' AS reason
           FROM pathways p JOIN dmmf_versions d ON d.product_code = p.product_code AND d.version = p.dmmf_version
          WHERE p.progress->>'manufacturedAt' IS NOT NULL AND coalesce(p.progress->>'patient', 'WAITING') IN ('WAITING', 'CONDITIONING')
            AND now() > (p.progress->>'manufacturedAt')::timestamptz + (d.process->>'shelfLifeHours')::float * interval '1 hour'
       ), failed AS (
         SELECT coi, 'the product failed manufacture or QC' AS reason FROM pathways
          WHERE progress->>'product' = 'FAILED' AND coalesce(progress->>'patient', 'WAITING') IN ('WAITING', 'CONDITIONING')
       )
       SELECT p.*, to_char(p.earliest_collection_date, 'YYYY-MM-DD') AS earliest_collection_date,
              to_char(p.clinical_deadline, 'YYYY-MM-DD') AS clinical_deadline, array_agg(DISTINCT r.reason ORDER BY r.reason) AS reasons
         FROM (SELECT * FROM lost UNION ALL SELECT * FROM failed UNION ALL SELECT * FROM expired) r JOIN pathways p USING (coi)
        GROUP BY p.coi ORDER BY p.coi`,
    );
    const result: AtRisk[] = [];
    for (const row of rows) {
      const notStarted = (row.progress?.product ?? 'NOT_COLLECTED') === 'NOT_COLLECTED' && (row.progress?.patient ?? 'WAITING') === 'WAITING';
      if (!notStarted || !withProposals) {
        result.push({ pathway: row, reasons: row.reasons, proposal: null, proposalId: null, note: notStarted ? null : 'Under way: repair by hand around what is done (collected material must still reach a unit within its hold).' });
        continue;
      }
      const { plans, reasonNone } = await this.plans.forPathway(row.coi, { count: 1 });
      const proposal = plans[0] ?? null;
      result.push({ pathway: row, reasons: row.reasons, proposal, proposalId: proposal && proposalIdOf(proposal), note: proposal ? null : `No repaired plan fits: ${reasonNone}` });
    }
    return result;
  }
}

export class AcceptRepairCommand {
  constructor(
    readonly coi: string,
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
    private readonly dataSource: DataSource,
  ) {}

  async execute({ coi: raw, proposalId, context }: AcceptRepairCommand): Promise<PathwayChanged> {
    requireRole(context.role, ['scheduler', 'control_site_qa'], 'accept a repaired plan');
    const coi = normaliseCoi(raw);
    const entry = (await this.atRisk.list()).find((e) => e.pathway.coi === coi);
    if (!entry) throw new ConflictError(`Pathway ${coi} is not at risk: its booking still holds.`, { coi });
    if (!entry.proposal || entry.proposalId !== proposalId) {
      throw new ConflictError('That repair proposal is no longer available: capacity has moved. Look at atRiskPathways again for the current proposal.', {
        coi,
        currentProposalId: entry.proposalId,
      });
    }
    const reason = `Repaired: ${entry.reasons.join('; ')}`;
    const newSlots: SlotRef[] = [...entry.proposal.slots];
    const capacities = await this.capacities(newSlots);
    const newHoldId = createHash('sha256').update(`${coi}\nrepair\n${proposalId}`).digest('hex').slice(0, 32);
    for (let attempt = 1; ; attempt++) {
      const pathway = await this.repository.load(pathwayStreamId(coi), pathwayEvolver);
      const oldHoldId = requirePathway(pathway.state, coi).holdId!;
      const oldHold = await this.repository.load(holdStreamId(oldHoldId), holdEvolver);
      const decisions: AlsoAppend[] = [
        { streamId: pathwayStreamId(coi), expectedVersion: pathway.version, events: repairPlanOn(pathway.state, coi, newHoldId, newSlots, reason) },
        { streamId: holdStreamId(oldHoldId), expectedVersion: oldHold.version, events: [new HoldReleased({ holdId: oldHoldId, coi, reason, expired: false })] },
        {
          streamId: holdStreamId(newHoldId),
          expectedVersion: 'no_stream',
          events: [
            new HoldPlaced({ holdId: newHoldId, coi, slots: newSlots, expiresAt: new Date().toISOString(), idempotencyKey: `repair-${proposalId}` }),
            new HoldConfirmed({ holdId: newHoldId, coi, idempotencyKey: `repair-${proposalId}` }),
          ],
        },
      ];
      // Old and new plans may share slots: decide per slot stream on its state after both changes.
      const touched = new Map<string, SlotRef>([...oldHold.state!.slots, ...newSlots].map((s) => [slotStreamId(s), s]));
      const slotStates = await this.repository.loadMany([...touched.keys()], slotEvolver);
      for (const [streamId, slot] of touched) {
        const { state, version } = slotStates.get(streamId)!;
        const events = [];
        if (oldHold.state!.slots.some((s) => slotStreamId(s) === streamId)) events.push(...releaseSlot(state, slot, oldHoldId, coi, reason));
        if (newSlots.some((s) => slotStreamId(s) === streamId)) {
          const afterRelease = events.reduce(slotEvolver.evolve, state);
          const held = holdSlot(afterRelease, slot, capacities.get(streamId) ?? 0, newHoldId, coi);
          events.push(...held, ...bookSlot(held.reduce(slotEvolver.evolve, afterRelease), slot, newHoldId, coi));
        }
        decisions.push({ streamId, expectedVersion: version, events });
      }
      try {
        return { coi, position: await this.repository.appendDecisions(decisions, { ...context, reason }) };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 8) throw error;
      }
    }
  }

  private async capacities(slots: readonly SlotRef[]): Promise<Map<string, number>> {
    const rows: { resource_key: string; day: string; session: string; capacity: number }[] = await this.dataSource.query(
      `SELECT s.resource_key, to_char(s.day, 'YYYY-MM-DD') AS day, s.session, s.capacity FROM capacity_slots s
         JOIN unnest($1::text[], $2::date[], $3::text[]) AS r(resource_key, day, session) USING (resource_key, day, session)`,
      [slots.map((s) => s.resourceKey), slots.map((s) => s.day), slots.map((s) => s.session)],
    );
    return new Map(rows.map((r) => [slotStreamId({ resourceKey: r.resource_key, day: r.day, session: r.session }), r.capacity]));
  }
}
