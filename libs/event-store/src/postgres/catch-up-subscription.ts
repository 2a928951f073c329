import type { EventSubscription, GlobalPosition, RecordedEvent, SubscribeOptions } from '../types';

export interface LogReader {
  readAll(options: { after: GlobalPosition; maxCount: number }): Promise<RecordedEvent[]>;
}

export interface WakeUp {
  /** Changes with every wake-up. */
  readonly generation: number;
  wait(timeoutMs: number, sinceGeneration?: number): Promise<void>;
}

const RETRY_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000];

/**
 * Delivers history from a position, then live events, in log order. It advances only after the
 * handler has finished a batch, so a restart from the handler's own checkpoint neither misses nor repeats.
 */
export class CatchUpSubscription implements EventSubscription {
  private current: GlobalPosition;
  private running = true;
  private readonly done: Promise<void>;
  private stopWaiting?: () => void;

  constructor(
    private readonly reader: LogReader,
    private readonly wakeUp: WakeUp,
    private readonly options: SubscribeOptions,
    private readonly onStopped: (subscription: CatchUpSubscription) => void = () => undefined,
  ) {
    this.current = options.after;
    this.done = this.run();
  }

  get position(): GlobalPosition {
    return this.current;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopWaiting?.();
    await this.done;
    this.onStopped(this);
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    const pollIntervalMs = this.options.pollIntervalMs ?? 250;
    let failures = 0;
    while (this.running) {
      try {
        // A wake-up during the read or the handler must not be slept through.
        const seen = this.wakeUp.generation;
        const batch = await this.reader.readAll({ after: this.current, maxCount: batchSize });
        if (!this.running) return;
        if (batch.length > 0) {
          await this.options.handle(batch);
          this.current = batch[batch.length - 1]!.globalPosition;
          failures = 0;
          if (batch.length === batchSize) continue;
        }
        await this.pause(this.wakeUp.wait(pollIntervalMs, seen));
      } catch (error) {
        this.options.onError?.(error);
        const delay = RETRY_DELAYS_MS[Math.min(failures++, RETRY_DELAYS_MS.length - 1)]!;
        await this.pause(new Promise((resolve) => setTimeout(resolve, delay)));
      }
    }
  }

  /** Waits for `until`, or returns at once when the subscription is stopped. */
  private pause(until: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      this.stopWaiting = () => resolve();
      until.then(() => resolve());
    });
  }
}
