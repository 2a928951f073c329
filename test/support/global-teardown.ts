import { rm } from 'node:fs/promises';
import type { RunningPostgres } from '../../libs/database/src/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as { __bedsidePostgres?: { server: RunningPostgres; rootDir: string } }).__bedsidePostgres;
  if (!started) return;
  await started.server.stop();
  await rm(started.rootDir, { recursive: true, force: true });
}
