import { Inject, Logger } from '@nestjs/common';
import { CommandBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@bedside/event-store';
import { ProjectionEngine, ProjectionRegistry } from '@bedside/read-model';
import { BedsideError, SYSTEM_CALLER } from '@bedside/shared';
import { HoldReleased } from '../domain';
import { HoldPlanCommand } from './hold-commands';
import { PlanOptions } from './plan-options';
import { WaitlistReads } from './waitlist';

/**
 * Offers freed capacity to the waitlist in priority order (issue 4): when a hold or booking is
 * released, the first waiting referral whose best plan now meets its deadline gets that plan held in
 * its name, for the usual hold time, for its scheduler to confirm. One offer per release.
 * Runs after the release has committed; a failed offer is logged and the list stays as it was.
 */
@EventsHandler(HoldReleased)
export class WaitlistOffers implements IEventHandler<HoldReleased> {
  private readonly logger = new Logger('Waitlist');
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly commands: CommandBus,
    private readonly waitlist: WaitlistReads,
    private readonly plans: PlanOptions,
    private readonly projections: ProjectionEngine,
    private readonly registry: ProjectionRegistry,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  handle(event: HoldReleased): void {
    // One offer at a time: two releases in a row must not offer the same capacity twice.
    this.queue = this.queue.then(() => this.offer(event.data.holdId)).catch((error: unknown) => this.logger.warn(`waitlist offer failed: ${(error as Error).message}`));
  }

  /** Resolves when offers triggered so far are done (for tests and shutdown). */
  settled(): Promise<void> {
    return this.queue;
  }

  private async offer(releasedHoldId: string): Promise<void> {
    // Read models must show the released capacity before the search looks for it.
    await this.projections.waitFor(this.registry.names(), await this.store.lastRecordedPosition(), 10_000);
    for (const entry of await this.waitlist.entries(null, SYSTEM_CALLER)) {
      const { plans } = await this.plans.forPathway(entry.pathway.coi, { count: 1 });
      const plan = plans[0];
      if (!plan || plan.meetsClinicalDeadline === false) continue;
      try {
        await this.commands.execute(
          new HoldPlanCommand(
            { coi: entry.pathway.coi, slots: plan.slots, idempotencyKey: `waitlist-offer-${releasedHoldId}` },
            { actor: 'bedside:waitlist', role: 'scheduler', trusts: [entry.pathway.referring_trust], correlationId: `waitlist-offer-${releasedHoldId}`, reason: `Offered from the waitlist (priority score ${entry.score.score}) after hold ${releasedHoldId} was released` },
          ),
        );
        this.logger.log(`offered a plan infusing on ${plan.infusionDay} to waitlisted pathway ${entry.pathway.coi}`);
        return;
      } catch (error) {
        // Taken meanwhile, or the pathway moved on: offer to the next in line.
        if (!(error instanceof BedsideError)) throw error;
      }
    }
  }
}
