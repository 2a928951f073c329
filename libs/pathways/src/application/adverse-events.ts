import type { ChainOfIdentity } from '../domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, type CommandContext } from '@bedside/event-store';
import { CLINICAL, CLOCK, requireRole, type Clock } from '@bedside/shared';
import { pathwayEvolver, pathwayStreamId, reportAdverseEvent, requirePathway, type AdverseEventReport } from '../domain';
import { actingForTrust } from './pathway-access';
import type { PathwayChanged } from './referral-commands';

/** An adverse event reported for a patient, against their batch (issue 14 §1). */
export class ReportAdverseEventCommand {
  constructor(
    readonly coi: ChainOfIdentity,
    readonly report: AdverseEventReport,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(ReportAdverseEventCommand)
export class ReportAdverseEventHandler implements ICommandHandler<ReportAdverseEventCommand, PathwayChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ coi, report, context }: ReportAdverseEventCommand): Promise<PathwayChanged> {
    requireRole(context.role, CLINICAL, 'report an adverse event');
    const now = this.clock.now();
    const { state } = await this.repository.load(pathwayStreamId(coi), pathwayEvolver);
    const acting = actingForTrust(context, requirePathway(state, coi).referringTrust, 'report adverse events');
    const { position } = await this.repository.execute(pathwayStreamId(coi), pathwayEvolver, (current) => reportAdverseEvent(coi, requirePathway(current, coi).progress, report, now), acting);
    return { coi, position };
  }
}
