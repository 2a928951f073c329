import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { RecordedAs } from '@bedside/event-store';
import { ReactorTimerRunner, type Reactor, type ReactorTimers } from '@bedside/read-model';
import type { HoldEvent } from '../domain';
import { ReleaseHoldCommand } from './hold-commands';

/**
 * Releases holds whose time has passed (issue 12 §5): a reactor on the event log, beside the
 * projections. Each placed hold sets a durable timer for its expiry, which its confirmation or release
 * cancels; the timer fires in whichever process runs reactors when it is due (ReactorTimerRunner, on
 * the injected clock), so a hold placed before a restart still lapses after it. Several processes may
 * fire at once: a timer is taken by one, and the hold stream's expected version lets only one release
 * each hold. It starts at the log's start, so holds placed before it was deployed are known to it.
 */
@Injectable()
export class HoldExpiry implements Reactor<HoldEvent> {
  readonly name = 'hold-expiry';
  readonly eventTypes: readonly HoldEvent['type'][] = ['HoldPlaced', 'HoldConfirmed', 'HoldReleased'];
  readonly startsAt = 'start';
  readonly onlySetsTimers = true;
  private readonly logger = new Logger('HoldExpiry');

  constructor(
    private readonly commands: CommandBus,
    private readonly timers: ReactorTimerRunner,
  ) {}

  async react(event: RecordedAs<HoldEvent>, timers: ReactorTimers): Promise<void> {
    if (event.type === 'HoldPlaced') timers.set(event.data.holdId, new Date(event.data.expiresAt));
    else timers.cancel(event.data.holdId);
  }

  /** The hold's time is up: release it, unless it was confirmed or released meanwhile (then nothing is recorded). */
  async wake(holdId: string): Promise<void> {
    const released = await this.commands.execute(new ReleaseHoldCommand(holdId, 'Hold expired', { actor: 'bedside:hold-expiry', correlationId: `expiry-${holdId}` }, true));
    if (released.position) this.logger.log(`released expired hold ${holdId}`);
  }

  /** Releases every hold whose time is up now (tests; the timer runner does this on its own). */
  sweep(): Promise<number> {
    return this.timers.fireDue();
  }
}
