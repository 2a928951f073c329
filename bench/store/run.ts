import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { Pool } from 'pg';
import { openBenchDatabase, type BenchDatabase } from '../support/database';
import { ForeignLoadMonitor } from '../support/foreign-load';
import { onInterrupt } from '../support/interrupt';
import { describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { measureAppends } from './appends';
import { payloadSizes } from './payload';
import { loadReplayLog, measureReplay, rawKeysetConsumer, storeSubscriptionConsumer } from './replay';
import { renderStoreSection, SECTION_ID } from './report';
import { storeBenchSettings, type StoreBenchSettings } from './settings';
import { Checkpointer, createEventStoreSchema, createRawTable } from './setup';

const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

async function main(): Promise<void> {
  const settings = storeBenchSettings();
  const startedAt = new Date();
  const database = await openBenchDatabase(log);
  onInterrupt(() => database.close(), log);
  try {
    await run(database, settings, startedAt);
  } finally {
    await database.close();
  }
}

async function run(database: BenchDatabase, settings: StoreBenchSettings, startedAt: Date): Promise<void> {
  log(`database ${database.name} on ${database.serverSource}`);
  const machine = await describeMachine(database.url, ['libs/event-store', 'libs/database']);
  log(`PostgreSQL ${machine.postgresVersion}; ${machine.cpuModel}, ${machine.cores} cores; Node ${machine.node}`);
  if (machine.busyBeforeRun !== undefined && machine.busyBeforeRun > 0.25) {
    log(`warning: ${Math.round(machine.busyBeforeRun * 100)}% of CPU time was busy before the run; other work will move the figures`);
  }
  await createEventStoreSchema(database.url);
  const admin = new Pool({ connectionString: database.url, max: 1 });
  const otherLoad = new ForeignLoadMonitor(database.name);
  otherLoad.start();
  try {
    // Replay first, into the empty log, so "from START_OF_LOG" means exactly the loaded events.
    log(`loading ${settings.replayEvents} events for the replay`);
    const replayLog = await loadReplayLog(admin, database.url, settings.replayEvents, log);
    log(`loaded in ${replayLog.loadSeconds.toFixed(1)} s`);
    const replay = await measureReplay(
      // Hook: a projection-rebuild consumer joins this list to be measured over the same log.
      [storeSubscriptionConsumer(database.url), rawKeysetConsumer(database.url)],
      settings.replayBatchSizes,
      settings.replayRounds,
      replayLog.events,
      otherLoad,
      log,
    );

    log('copying the log into raw_events, so both append tables start with the same rows');
    await createRawTable(admin);
    const checkpointer = new Checkpointer(admin);
    const appends = await measureAppends(database.url, settings, checkpointer, otherLoad, log);

    const totalSeconds = (performance.now() - started) / 1000;
    const section = renderStoreSection({
      startedAt,
      totalSeconds,
      machine,
      serverSource: database.serverSource,
      settings,
      payload: payloadSizes(),
      checkpointsBeforeSegments: checkpointer.enabled,
      appends,
      replayLog,
      replay,
      otherLoadMeasured: otherLoad.available,
    });
    const file = resolve(settings.reportFile);
    await writeMarkdownSection(file, SECTION_ID, section);
    log(`wrote the "Event store" section of ${file}`);
  } finally {
    otherLoad.stop();
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
