import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, EVENT_STORE, type CommandContext, type EventStore } from '@bedside/event-store';
import type { ProductProcess } from '@bedside/network';
import { CLINICAL, CLOCK, NotFoundError, requireRole, type Clock } from '@bedside/shared';
import { normaliseCoi, pathwayEvolver, pathwayStreamId, requirePathway, type LifecycleContext, type LifecycleEvent, type Progress } from '../domain';
import { actingForTrust } from './pathway-access';
import type { PathwayChanged } from './referral-commands';


export type Step = (context: LifecycleContext, progress: Progress, now: Date) => LifecycleEvent[];

/** Records one step of a pathway's lifecycle, decided by the pure rules in domain/lifecycle.ts. */
export class RecordStepCommand {
  constructor(
    readonly coi: string,
    readonly step: Step,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RecordStepCommand)
export class RecordStepHandler implements ICommandHandler<RecordStepCommand, PathwayChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ coi: raw, step, context }: RecordStepCommand): Promise<PathwayChanged> {
    requireRole(context.role, CLINICAL, 'record a clinical step');
    const coi = normaliseCoi(raw);
    // The rules need the process of the DMMF version this pathway was planned under.
    const { state } = await this.repository.load(pathwayStreamId(coi), pathwayEvolver);
    const pathway = requirePathway(state, coi);
    const acting = actingForTrust(context, pathway.referringTrust, 'record clinical steps');
    const process = await this.processOf(pathway.productCode, pathway.dmmfVersion);
    const { position } = await this.repository.execute(
      pathwayStreamId(coi),
      pathwayEvolver,
      (current) => {
        const now = requirePathway(current, coi);
        const ctx: LifecycleContext = {
          coi,
          booked: now.status === 'BOOKED',
          gate: process.conditioningGate,
          conditioningDays: process.conditioningDays,
          maxFreshHoldHours: process.startingMaterial === 'FRESH' ? process.maxFreshHoldHours : null,
          shelfLifeHours: process.shelfLifeHours,
        };
        return step(ctx, now.progress, this.clock.now());
      },
      acting,
    );
    return { coi, position };
  }

  private async processOf(productCode: string, version: number): Promise<ProductProcess> {
    const events = await this.store.readStream(`dmmf-${productCode}`);
    const published = events.find((e) => (e.data as { version: number }).version === version);
    if (!published) throw new NotFoundError('DMMF version', `${productCode} v${version}`);
    return (published.data as unknown as { process: ProductProcess }).process;
  }
}
