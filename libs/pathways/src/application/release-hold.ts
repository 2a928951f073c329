import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, retryOnConflict, type CommandContext } from '@bedside/event-store';
import { CLINICAL, optionalReason, requireRole } from '@bedside/shared';
import { decideReleaseHold, slotEvolver, slotStreamId } from '../domain';
import { actingForTrust } from './pathway-access';
import { KnownHolds, loadHoldAndPathway, SLOTS_KEPT_CHANGING, type HoldChanged } from './hold-shared';

export class ReleaseHoldCommand {
  constructor(
    readonly holdId: string,
    readonly reason: string | null | undefined,
    readonly context: CommandContext,
    readonly expired = false,
  ) {}
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
