import { Client } from 'pg';
import { WakeSignal } from '../wake-signal';

export const EVENTS_CHANNEL = 'bedside_events';

/** Least time between two NOTIFYs sent by one process. */
const NOTIFY_INTERVAL_MS = 5;

/**
 * One LISTEN connection shared by every subscription of a store. A notification is only a
 * wake-up: subscriptions poll on a timer too, so a dropped connection delays delivery, never loses it.
 *
 * Appends do not NOTIFY inside their transaction: PostgreSQL takes a database-wide lock to queue a
 * notification at commit, which serialised every append's commit (bench:store measured 0.34 of the
 * raw insert rate at 8 writers). After an append commits, this process wakes its own subscribers at
 * once and sends at most one NOTIFY every few milliseconds, outside any append, for other processes.
 */
export class Notifier {
  private client?: Client;
  private readonly signal = new WakeSignal();
  private closed = false;
  private connecting?: Promise<void>;

  private notifyPending = false;
  private flushing?: Promise<void>;

  constructor(
    private readonly connectionString: string,
    private readonly onError: (error: unknown) => void,
    private readonly sendNotify: () => Promise<unknown>,
  ) {}

  /** Called after an append has committed. */
  appended(): void {
    this.wakeAll();
    this.notifyPending = true;
    if (!this.closed) this.flushing ??= this.flushNotify().finally(() => (this.flushing = undefined));
  }

  private async flushNotify(): Promise<void> {
    while (this.notifyPending && !this.closed) {
      this.notifyPending = false;
      await this.sendNotify().catch(this.onError);
      await new Promise((resolve) => setTimeout(resolve, NOTIFY_INTERVAL_MS));
    }
  }

  get generation(): number {
    return this.signal.generation;
  }

  /**
   * Resolves on the next notification or after `timeoutMs`, whichever comes first; at once when a
   * notification came after the caller saw `sinceGeneration` (it arrived while the caller was busy).
   */
  wait(timeoutMs: number, sinceGeneration?: number): Promise<void> {
    void this.ensureConnected();
    return this.signal.wait(timeoutMs, sinceGeneration);
  }

  private ensureConnected(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString });
    client.on('notification', () => this.wakeAll());
    client.on('error', (error) => {
      this.onError(error);
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      // Anything appended while we were not listening is found by the next read.
      this.wakeAll();
    } catch (error) {
      this.onError(error);
      await client.end().catch(() => undefined);
    }
  }

  private wakeAll(): void {
    this.signal.wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.connecting;
    this.wakeAll();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
