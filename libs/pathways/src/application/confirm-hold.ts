import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, retryOnConflict, type CommandContext } from '@bedside/event-store';
import { CLINICAL, CLOCK, type Clock, requireRole, requireText } from '@bedside/shared';
import { decideConfirmHold } from '../domain';
import { actingForTrust } from './pathway-access';
import { KnownHolds, later, loadHoldAndPathway, SLOTS_KEPT_CHANGING, type HoldChanged } from './hold-shared';

export class ConfirmHoldCommand {
  constructor(
    readonly holdId: string,
    readonly idempotencyKey: string,
    readonly context: CommandContext,
  ) {}
}

/**
 * Turns a hold into a booking in one append to the hold and the pathway; a retry with the same key
 * changes nothing.
 *
 * The slot streams are neither read nor written: the hold's places on them were taken when it was
 * placed, and whether a place is booked is the hold's status (HoldConfirmed lists its slots for the
 * read models). A hold's places change only in appends that also write the hold's own stream at its
 * exact version (placing, confirming, releasing, repairing), so a confirm that lands at the hold
 * version it decided on finds every place still there, and confirms never race holds on shared slots.
 */
@CommandHandler(ConfirmHoldCommand)
export class ConfirmHoldHandler implements ICommandHandler<ConfirmHoldCommand, HoldChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly knownHolds: KnownHolds,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ holdId, idempotencyKey, context }: ConfirmHoldCommand): Promise<HoldChanged> {
    requireRole(context.role, CLINICAL, 'confirm a hold');
    const key = requireText('idempotencyKey', idempotencyKey, 200);
    // Confirming right after placing, in this process: decide on the states placing left, at their
    // versions, without reading them; if either stream has moved on, the append is refused and the
    // next attempt reads them.
    let placed = this.knownHolds.takePlaced(holdId);
    return retryOnConflict(async () => {
      const { hold, version, position, pathway } = placed
        ? { hold: placed.hold, version: placed.holdVersion, position: undefined, pathway: { state: placed.pathway, version: placed.pathwayVersion } }
        : await loadHoldAndPathway(this.repository, this.knownHolds, holdId);
      placed = undefined;
      const acting = pathway?.state ? actingForTrust(context, pathway.state.referringTrust, 'confirm holds') : context;
      const writes = decideConfirmHold({ holdId, idempotencyKey: key, now: this.clock.now(), hold: { state: hold, version }, pathway: pathway ?? { state: undefined, version: 0 } });
      // A retry answers as the first request did (issue 11 §8): once read models show the booking already
      // recorded, so its answer waits for where the hold and pathway streams stand (the confirmation is in both).
      if (writes.length === 0) return { coi: hold!.coi, holdId, position: later(position, pathway?.position) };
      return { coi: hold!.coi, holdId, position: await this.repository.appendDecisions(writes, { ...acting, reason: 'Plan confirmed' }) };
    }, SLOTS_KEPT_CHANGING);
  }
}
