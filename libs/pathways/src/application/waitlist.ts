import type { ChainOfIdentity } from '../domain';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AggregateRepository, type CommandContext } from '@bedside/event-store';
import { NETWORK_TIME_ZONE, CLINICAL, CLOCK, localDateOf, type Clock, requireRole, trustScope, type Caller } from '@bedside/shared';
import { joinWaitlist, normaliseCoi, pathwayEvolver, pathwayStreamId, requirePathway, waitlistScore, type Priority, type Score } from '../domain';
import { pathwayColumns, type PathwayRow } from './pathway-reads';
import { PlanOptions } from './plan-options';
import { PathwayAccess } from './pathway-access';
import type { PathwayChanged } from './referral-commands';

export class JoinWaitlistCommand {
  constructor(
    readonly coi: ChainOfIdentity,
    readonly reason: string | null | undefined,
    readonly context: CommandContext,
  ) {}
}

/** Puts a referral on the waitlist when the plan search finds nothing that meets its deadline. */
@CommandHandler(JoinWaitlistCommand)
export class JoinWaitlistHandler implements ICommandHandler<JoinWaitlistCommand, PathwayChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly plans: PlanOptions,
    private readonly dataSource: DataSource,
    private readonly access: PathwayAccess,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ coi: raw, reason, context }: JoinWaitlistCommand): Promise<PathwayChanged> {
    requireRole(context.role, CLINICAL, 'put a referral on the waitlist');
    const coi = raw;
    const acting = await this.access.actingOn(coi, context, 'put referrals on the waitlist');
    const { plans } = await this.plans.forPathway(coi, {});
    const [row] = await this.dataSource.query(`SELECT to_char(clinical_deadline, 'YYYY-MM-DD') AS deadline FROM pathways WHERE coi = $1`, [coi]);
    const deadline: string | null = row?.deadline ?? null;
    const { position } = await this.repository.execute(
      pathwayStreamId(coi),
      pathwayEvolver,
      (state) => {
        const pathway = requirePathway(state, coi);
        return joinWaitlist(pathway, deadline, plans[0]?.infusionDay ?? null, reason, pathway.waitlisted, this.clock.now());
      },
      acting,
    );
    return { coi, position };
  }
}

export interface WaitlistEntryRow {
  readonly pathway: PathwayRow;
  readonly joinedAt: Date;
  readonly reason: string;
  readonly score: Score;
}

/** The waitlist in priority order: the score is worked out today from its shown inputs. */
@Injectable()
export class WaitlistReads {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The list in order; a scheduler sees their own trusts' referrals only (places are counted within what they see). */
  async entries(productCode: string | null | undefined, caller: Caller): Promise<WaitlistEntryRow[]> {
    const rows: (PathwayRow & { waitlisted_at: Date; waitlist_reason: string })[] = await this.dataSource.query(
      `SELECT ${pathwayColumns()}
         FROM pathways WHERE waitlisted_at IS NOT NULL AND status = 'REFERRED' AND ($1::text IS NULL OR product_code = $1)
          AND ($2::text[] IS NULL OR referring_trust = ANY($2))`,
      [productCode?.toUpperCase() ?? null, trustScope(caller)],
    );
    const today = localDateOf(this.clock.now(), NETWORK_TIME_ZONE);
    return rows
      .map((r) => ({
        pathway: r,
        joinedAt: r.waitlisted_at,
        reason: r.waitlist_reason,
        score: waitlistScore(r.priority as Priority, localDateOf(r.waitlisted_at, NETWORK_TIME_ZONE), r.clinical_deadline, today),
      }))
      .sort((a, b) => b.score.score - a.score.score || a.joinedAt.getTime() - b.joinedAt.getTime() || (a.pathway.coi < b.pathway.coi ? -1 : 1));
  }
}
