import { normaliseCoi } from '../domain';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore, type RecordedAs } from '@bedside/event-store';
import { ProjectionEngine, ReadYourWrites, type Reactor } from '@bedside/read-model';
import { BedsideError, SYSTEM_CALLER } from '@bedside/shared';
import { CAPACITY_REOPENING_EVENT_TYPES, capacityReopenedBy, type CapacityReopeningEvent } from '../domain/capacity-reopened';
import { HoldPlanCommand, type HoldChanged } from './hold-commands';
import { PlanOptions } from './plan-options';
import { WaitlistReads } from './waitlist';


/**
 * Offers capacity given back (a hold released or lapsed, an exception withdrawn, a unit requalified,
 * a site (re)activated, a calendar set) to the waitlist in priority order (issue 4; issue 11 §8):
 * every waiting referral whose best plan now meets its clinical deadline gets that plan held in its
 * name, for the usual hold time, for its scheduler to confirm, down the list while capacity lasts.
 *
 * A reactor on the event log with its own checkpoint (libs/read-model/src/reactor.ts), not a handler
 * on the in-memory bus: an event whose offers a stopped process never made is offered by the next.
 * The hold's idempotency key comes from the triggering event, so an event offered again after a crash
 * finds each hold it had placed (HoldPlanCommand is idempotent per pathway and key): once per event
 * and pathway.
 */
@Injectable()
export class WaitlistOffers implements Reactor<CapacityReopeningEvent> {
  readonly name = 'waitlist-offers';
  readonly eventTypes = CAPACITY_REOPENING_EVENT_TYPES;
  private readonly logger = new Logger('Waitlist');

  constructor(
    private readonly commands: CommandBus,
    private readonly waitlist: WaitlistReads,
    private readonly plans: PlanOptions,
    private readonly projections: ProjectionEngine,
    private readonly readModels: ReadYourWrites,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async react(event: RecordedAs<CapacityReopeningEvent>): Promise<void> {
    const freed = capacityReopenedBy(event);
    if (!freed) return;
    // Read models must show what was given back before the search looks for it.
    await this.readModels.required(event.globalPosition, 'waitlist offers');
    const key = `waitlist-offer-${event.eventId}`;
    for (const entry of await this.waitlist.entries(null, SYSTEM_CALLER)) {
      const coi = entry.pathway.coi;
      try {
        const [plan] = (await this.plans.forPathway(coi, { count: 1 })).plans;
        if (!plan || plan.meetsClinicalDeadline === false) continue;
        const { position } = await this.commands.execute<HoldPlanCommand, HoldChanged>(
          new HoldPlanCommand(
            { coi: normaliseCoi(coi), slots: plan.slots, idempotencyKey: key },
            {
              actor: 'bedside:waitlist',
              role: 'scheduler',
              trusts: [entry.pathway.referring_trust],
              correlationId: key,
              causationId: event.eventId,
              reason: `Offered from the waitlist (priority score ${entry.score.score}) because ${freed}`,
            },
          ),
        );
        // The next search must see these places taken. No position: a hold placed before a crash, now found.
        await this.readModels.required(position ?? (await this.store.lastRecordedPosition()), 'waitlist offers');
        this.logger.log(`offered a plan infusing on ${plan.infusionDay} to waitlisted pathway ${coi} because ${freed}`);
      } catch (error) {
        // Taken meanwhile, or the pathway moved on: offer to the next in line. Anything else is tried again.
        if (!(error instanceof BedsideError)) throw error;
      }
    }
  }

  /** Resolves once offers for everything recorded so far are made (for tests). */
  async settled(timeoutMs = 20_000): Promise<void> {
    if (!(await this.projections.waitFor([this.name], await this.store.lastRecordedPosition(), timeoutMs))) {
      throw new Error(`waitlist offers had not caught up with the log after ${timeoutMs} ms`);
    }
  }

}
