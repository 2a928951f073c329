import type { ChainOfIdentity } from '../domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, EVENT_STORE, type CommandContext, type EventStore } from '@bedside/event-store';
import { CLINICAL, CLOCK, NotFoundError, requireRole, type Clock } from '@bedside/shared';
import { correctStep, markEnteredInError, pathwayEvolver, pathwayStreamId, requirePathway, type StepCorrection } from '../domain';
import { actingForTrust } from './pathway-access';
import { PinnedDmmfs } from './pinned-dmmfs';
import type { PathwayChanged } from './referral-commands';

/** A recorded step corrected (issue 14 §3): a new event naming the one it corrects, with the reason. */
export class CorrectStepCommand {
  constructor(
    readonly coi: ChainOfIdentity,
    readonly correction: Omit<StepCorrection, 'position'>,
    readonly context: CommandContext,
  ) {}
}

/** A recorded step marked entered in error (issue 14 §3): it stays in the log and counts for nothing. */
export class MarkEnteredInErrorCommand {
  constructor(
    readonly coi: ChainOfIdentity,
    readonly eventId: string,
    readonly reason: string,
    readonly context: CommandContext,
  ) {}
}

/** Where the event sits in the pathway's stream: a correction names it by both. */
async function positionOf(store: EventStore, coi: string, eventId: string): Promise<number> {
  const recorded = await store.readStream(pathwayStreamId(coi));
  const event = recorded.find((e) => e.eventId === eventId);
  if (!event) throw new NotFoundError('recorded step', eventId, `No event ${eventId} is in pathway ${coi}'s record: take the event id from the pathway's audit trail.`);
  return event.streamPosition;
}

@CommandHandler(CorrectStepCommand)
export class CorrectStepHandler implements ICommandHandler<CorrectStepCommand, PathwayChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly dmmfs: PinnedDmmfs,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ coi, correction, context }: CorrectStepCommand): Promise<PathwayChanged> {
    requireRole(context.role, CLINICAL, 'correct a recorded step');
    const now = this.clock.now();
    const { state } = await this.repository.load(pathwayStreamId(coi), pathwayEvolver);
    const pathway = requirePathway(state, coi);
    const acting = actingForTrust(context, pathway.referringTrust, 'correct clinical steps');
    const position = await positionOf(this.store, coi, correction.eventId);
    const { process } = await this.dmmfs.of(pathway.productCode, pathway.dmmfVersion);
    const { position: at } = await this.repository.execute(
      pathwayStreamId(coi),
      pathwayEvolver,
      (current) => correctStep(coi, requirePathway(current, coi).steps, process, { ...correction, position }, now),
      { ...acting, reason: correction.reason.trim() },
    );
    return { coi, position: at };
  }
}

@CommandHandler(MarkEnteredInErrorCommand)
export class MarkEnteredInErrorHandler implements ICommandHandler<MarkEnteredInErrorCommand, PathwayChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ coi, eventId, reason, context }: MarkEnteredInErrorCommand): Promise<PathwayChanged> {
    requireRole(context.role, CLINICAL, 'mark a step entered in error');
    const { state } = await this.repository.load(pathwayStreamId(coi), pathwayEvolver);
    const acting = actingForTrust(context, requirePathway(state, coi).referringTrust, 'correct clinical steps');
    const position = await positionOf(this.store, coi, eventId);
    const { position: at } = await this.repository.execute(
      pathwayStreamId(coi),
      pathwayEvolver,
      (current) => markEnteredInError(coi, requirePathway(current, coi).steps, eventId, position, reason),
      { ...acting, reason: reason.trim() },
    );
    return { coi, position: at };
  }
}
