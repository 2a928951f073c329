import { END, excludeSystemEvents, type AllStreamSubscription, type KurrentDBClient } from '@kurrent/kurrentdb-client';
import type { WakeUp } from '../postgres/catch-up-subscription';
import { WakeSignal } from '../wake-signal';

/** Wait after a dropped subscription before subscribing again. */
const RESUBSCRIBE_DELAY_MS = 1000;

/**
 * Wakes a store's catch-up subscriptions when KurrentDB has new events, from one live catch-up
 * subscription to $all started at its end. Like LISTEN/NOTIFY for PostgreSQL it is only a wake-up:
 * events are delivered by reads from each subscriber's own checkpoint (batches, retry of a failed
 * batch, no gaps or repeats: the port's subscribe contract), and subscribers poll on a timer too, so
 * a dropped subscription delays delivery, never loses it.
 */
export class LiveWakeUp implements WakeUp {
  private subscription?: AllStreamSubscription;
  private readonly signal = new WakeSignal();
  private closed = false;
  private notBefore = 0;

  constructor(
    private readonly client: KurrentDBClient,
    private readonly onError: (error: unknown) => void,
  ) {}

  get generation(): number {
    return this.signal.generation;
  }

  /** After an append in this process: no need to wait for the server to tell us. */
  appended(): void {
    this.wakeAll();
  }

  wait(timeoutMs: number, sinceGeneration?: number): Promise<void> {
    this.ensureSubscribed();
    return this.signal.wait(timeoutMs, sinceGeneration);
  }

  private ensureSubscribed(): void {
    if (this.closed || this.subscription || performance.now() < this.notBefore) return;
    const subscription = this.client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
    const dropped = (error?: unknown) => {
      if (this.subscription !== subscription) return;
      this.subscription = undefined;
      this.notBefore = performance.now() + RESUBSCRIBE_DELAY_MS;
      if (error !== undefined && !this.closed) this.onError(error);
      void subscription.unsubscribe().catch(() => undefined);
    };
    subscription.on('data', () => this.wakeAll());
    // Anything appended before the subscription went live is found by the next read.
    subscription.on('confirmation', () => this.wakeAll());
    subscription.on('error', (error) => dropped(error));
    subscription.on('end', () => dropped());
    subscription.on('close', () => dropped());
    this.subscription = subscription;
  }

  private wakeAll(): void {
    this.signal.wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    const subscription = this.subscription;
    this.subscription = undefined;
    this.wakeAll();
    await subscription?.unsubscribe().catch(() => undefined);
  }
}
