import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '@bedside/shared';
import { ReactorRegistry } from '../reactor';
import { fireDueTimers } from '../reactor-timers';

export const READ_MODEL_OPTIONS = Symbol('READ_MODEL_OPTIONS');

export interface ReadModelModuleOptions {
  /** Follow the log and keep read models current in this process (off for one-off commands). */
  readonly runProjections: boolean;
  readonly pollIntervalMs?: number;
  /** How often reactors' due timers are looked for (0: never, in this process). */
  readonly timerPollMs?: number;
}

/**
 * Fires reactors' due timers (hold expiry, issue 12 §5) every `timerPollMs`, where the reactors run:
 * in processes that run projections. Time is the injected clock's (libs/shared/src/clock.ts).
 */
@Injectable()
export class ReactorTimerRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReactorTimers');
  private timer?: NodeJS.Timeout;
  private firing?: Promise<number>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly reactors: ReactorRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(READ_MODEL_OPTIONS) private readonly options: ReadModelModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.options.timerPollMs ?? 1000;
    if (!this.options.runProjections || every <= 0) return;
    this.timer = setInterval(() => void this.fireDue().catch((error: unknown) => this.logger.warn(`timers could not be fired; trying again shortly: ${(error as Error).message}`)), every);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.firing?.catch(() => undefined);
  }

  /** Fires what is due now; one run at a time in this process. Resolves to how many fired. */
  fireDue(): Promise<number> {
    this.firing ??= fireDueTimers(this.dataSource, this.reactors.all(), this.clock.now(), (reactor, key, error) =>
      this.logger.warn(`${reactor} timer ${key} failed; it stays due and is tried again: ${(error as Error).message}`),
    ).finally(() => (this.firing = undefined));
    return this.firing;
  }
}
