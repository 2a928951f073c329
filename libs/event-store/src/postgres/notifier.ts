import { Client } from 'pg';

export const EVENTS_CHANNEL = 'bedside_events';

/**
 * One LISTEN connection shared by every subscription of a store. A notification is only a
 * wake-up: subscriptions poll on a timer too, so a dropped connection delays delivery, never loses it.
 */
export class Notifier {
  private client?: Client;
  private readonly waiters = new Set<() => void>();
  private closed = false;
  private connecting?: Promise<void>;

  constructor(
    private readonly connectionString: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves on the next notification or after `timeoutMs`, whichever comes first. */
  wait(timeoutMs: number): Promise<void> {
    void this.ensureConnected();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
    });
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
    for (const wake of [...this.waiters]) wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    this.wakeAll();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
