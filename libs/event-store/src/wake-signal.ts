/**
 * Wake-ups for subscriptions waiting for new events, shared by the stores' notifiers. A generation
 * counts wake-ups, so a waiter that was busy when one came can tell, and does not sleep through it.
 */
export class WakeSignal {
  private readonly waiters = new Set<() => void>();
  private count = 0;

  get generation(): number {
    return this.count;
  }

  /** Resolves on the next wake-up or after `timeoutMs`; at once if one came since `sinceGeneration`. */
  wait(timeoutMs: number, sinceGeneration?: number): Promise<void> {
    if (sinceGeneration !== undefined && sinceGeneration !== this.count) return Promise.resolve();
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

  wake(): void {
    this.count++;
    for (const wake of [...this.waiters]) wake();
  }
}
