import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore, type RecordedAs } from '@bedside/event-store';
import { ReactorTimerRunner, type Reactor, type ReactorTimers } from '@bedside/read-model';
import { holdStreamId, type HoldEvent } from '../domain';
import { ReleaseHoldCommand } from './hold-commands';

/** Who releases a lapsed hold: Bedside itself, never the scheduler who placed it. */
export const HOLD_EXPIRY_ACTOR = 'bedside:hold-expiry';

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
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async react(event: RecordedAs<HoldEvent>, timers: ReactorTimers): Promise<void> {
    if (event.type === 'HoldPlaced') timers.set(event.data.holdId, new Date(event.data.expiresAt));
    else timers.cancel(event.data.holdId);
  }

  /**
   * The hold's time is up: release it, unless it was confirmed or released meanwhile (then nothing is
   * recorded). Recorded as Bedside, caused by the placing of the hold, whose timer this was (issue 14 §3).
   */
  async wake(holdId: string): Promise<void> {
    const [placed] = await this.store.readStream(holdStreamId(holdId), { maxCount: 1 });
    const context = { actor: HOLD_EXPIRY_ACTOR, correlationId: `expiry-${holdId}`, ...(placed && { causationId: placed.eventId }) };
    const released = await this.commands.execute(new ReleaseHoldCommand(holdId, 'Hold expired', context, true));
    if (released.position) this.logger.log(`released expired hold ${holdId}`);
  }

  /** Releases every hold whose time is up now (tests; the timer runner does this on its own). */
  sweep(): Promise<number> {
    return this.timers.fireDue();
  }
}
