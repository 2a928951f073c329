import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@bedside/shared';
import { ReleaseHoldCommand } from './hold-commands';
import { PathwayReads } from './pathway-reads';
import { PATHWAYS_OPTIONS, type PathwaysOptions } from './pathways-options';

/**
 * Releases holds whose time has passed. It reads the `holds` read model, so holds placed before a
 * restart are released after it too; several API processes may sweep at once, and the hold stream's
 * expected version lets only one release each hold.
 */
@Injectable()
export class HoldExpiry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('HoldExpiry');
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly reads: PathwayReads,
    private readonly commands: CommandBus,
    @Inject(PATHWAYS_OPTIONS) private readonly options: PathwaysOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.expirySweepMs <= 0) return;
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn(`expiry sweep failed; it runs again shortly: ${(error as Error).message}`))
        .finally(() => (this.sweeping = undefined));
    }, this.options.expirySweepMs);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(): Promise<number> {
    const expired = await this.reads.expiredHolds(this.clock.now(), 100);
    for (const { hold_id } of expired) {
      await this.commands.execute(new ReleaseHoldCommand(hold_id, 'Hold expired', { actor: 'bedside:hold-expiry', correlationId: `expiry-${hold_id}` }, true));
    }
    if (expired.length > 0) this.logger.log(`released ${expired.length} expired hold(s)`);
    return expired.length;
  }
}
