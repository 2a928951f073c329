import type { ChainOfIdentity } from '../domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, type CommandContext } from '@bedside/event-store';
import { Inject } from '@nestjs/common';
import { NETWORK_TIME_ZONE, CLINICAL, CLOCK, localDateOf, requireRole, type Clock } from '@bedside/shared';
import { arrangeMonitoringStay, normaliseCoi, pathwayEvolver, pathwayStreamId, postponePatient } from '../domain';
import { PathwayAccess } from './pathway-access';
import type { PathwayChanged } from './referral-commands';

/** The patient cannot go on before `until`: a booked pathway then shows at risk with a repaired plan. */
export class PostponePatientCommand {
  constructor(
    readonly coi: ChainOfIdentity,
    readonly until: string,
    readonly reason: string,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(PostponePatientCommand)
export class PostponePatientHandler implements ICommandHandler<PostponePatientCommand, PathwayChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly access: PathwayAccess,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ coi: raw, until, reason, context }: PostponePatientCommand): Promise<PathwayChanged> {
    requireRole(context.role, CLINICAL, 'postpone a patient');
    const coi = raw;
    const today = localDateOf(this.clock.now(), NETWORK_TIME_ZONE);
    const acting = await this.access.actingOn(coi, context, 'postpone patients');
    const { position } = await this.repository.execute(pathwayStreamId(coi), pathwayEvolver, (state) => postponePatient(state, coi, until, reason, today), { ...acting, reason });
    return { coi, position };
  }
}

/** Where the patient will stay for the monitoring period when not at home (issue 14 §4). */
export class ArrangeMonitoringStayCommand {
  constructor(
    readonly coi: ChainOfIdentity,
    readonly district: string,
    readonly reason: string,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(ArrangeMonitoringStayCommand)
export class ArrangeMonitoringStayHandler implements ICommandHandler<ArrangeMonitoringStayCommand, PathwayChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly access: PathwayAccess,
  ) {}

  async execute({ coi, district, reason, context }: ArrangeMonitoringStayCommand): Promise<PathwayChanged> {
    requireRole(context.role, CLINICAL, 'arrange a monitoring stay');
    const acting = await this.access.actingOn(coi, context, 'arrange monitoring stays');
    const { position } = await this.repository.execute(pathwayStreamId(coi), pathwayEvolver, (state) => arrangeMonitoringStay(state, coi, district, reason), { ...acting, reason });
    return { coi, position };
  }
}
