import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { runMigrations } from '@bedside/database';
import { PostgresEventStore, verifyLog } from '@bedside/event-store';
import { SiteDirectoryProjection, SiteRecord } from '@bedside/network';
import { ProjectionEngine } from '@bedside/read-model';
import { MIGRATIONS } from '../../apps/api/src/migrations';
import { openBenchDatabase } from '../support/database';
import { numberFromEnv } from '../support/env';
import { formatRate, formatRatio, markdownTable } from '../support/format';
import { describeMachine, machineLine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';

const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

/** Site lifecycle: registered, onboarding, active, paused, active again: 5 events a site. */
const LIFECYCLE = `
  INSERT INTO events (event_id, stream_id, stream_position, type, schema_version, data, metadata)
  SELECT gen_random_uuid(), 'site-S' || lpad(s::text, 7, '0'), p, t.type, 1,
         CASE WHEN p = 1 THEN jsonb_build_object('code', 'S' || lpad(s::text, 7, '0'), 'name', 'Benchmark site ' || s, 'kind', 'HOSPITAL',
                                                  'timeZone', 'Europe/London', 'location', jsonb_build_object('latitude', 52.5, 'longitude', -1.5),
                                                  'trustCode', 'RXX')
              ELSE jsonb_build_object('code', 'S' || lpad(s::text, 7, '0'), 'from', t.from_status, 'reason', t.reason) END,
         jsonb_build_object('actor', 'bench', 'correlationId', 'bench-' || s, 'role', 'control_site_qa')
    FROM generate_series($1::int, $2::int) AS s
   CROSS JOIN (VALUES (1, 'SiteRegistered', NULL, NULL), (2, 'SiteOnboardingStarted', 'PROPOSED', NULL), (3, 'SiteActivated', 'ONBOARDING', NULL),
                      (4, 'SitePaused', 'ACTIVE', 'Deep clean'), (5, 'SiteActivated', 'PAUSED', NULL)) AS t(p, type, from_status, reason)
   ORDER BY s, p`;

async function main(): Promise<void> {
  const events = numberFromEnv('BENCH_REBUILD_EVENTS', 1_000_000, { min: 5, integer: true });
  const sites = Math.floor(events / 5);
  const startedAt = new Date();
  const database = await openBenchDatabase(log);
  const pool = new Pool({ connectionString: database.url, max: 2 });
  const store = new PostgresEventStore({ connectionString: database.url });
  let dataSource: DataSource | undefined;
  try {
    const machine = await describeMachine(database.url, ['libs/read-model', 'libs/network', 'libs/event-store']);
    await runMigrations(database.url, MIGRATIONS);
    log(`loading ${formatRate(sites * 5)} site lifecycle events (${formatRate(sites)} sites)`);
    const loadBegun = performance.now();
    for (let first = 1; first <= sites; first += 20_000) {
      await pool.query(LIFECYCLE, [first, Math.min(sites, first + 19_999)]);
    }
    const loadSeconds = (performance.now() - loadBegun) / 1000;
    await pool.query('VACUUM ANALYZE');
    dataSource = await new DataSource({ type: 'postgres', url: database.url, entities: [SiteRecord] }).initialize();
    const engine = new ProjectionEngine(dataSource, store, { log, error: (message) => log(message) });
    const projection = new SiteDirectoryProjection();

    const rounds: { rebuild: number; raw: number }[] = [];
    for (let round = 0; round < 2; round++) {
      const raw = await rawRead(pool, 5000);
      const report = await engine.rebuild(projection, (p) => log(`  rebuild: ${formatRate(p.eventsRead)} events read, ${formatRate(p.eventsRead / (p.elapsedMs / 1000))} events/s`));
      const [{ count }] = (await pool.query('SELECT count(*)::int AS count FROM sites')).rows as [{ count: number }];
      if (count !== sites) throw new Error(`rebuild produced ${count} sites, expected ${sites}`);
      rounds.push({ rebuild: report.eventsRead / (report.elapsedMs / 1000), raw: raw.events / raw.seconds });
      log(`round ${round + 1}: rebuild ${formatRate(rounds.at(-1)!.rebuild)} events/s; raw keyset read ${formatRate(rounds.at(-1)!.raw)} events/s`);
    }
    // The tamper-evident record checked whole (issue 14 §5): what `npm run verify-log` does.
    const verifyBegun = performance.now();
    const verification = await verifyLog(pool, { onProgress: (n) => n % 200_000 === 0 && log(`  verify-log: ${formatRate(n)} events checked`) });
    const verifySeconds = (performance.now() - verifyBegun) / 1000;
    if (!verification.intact || verification.events !== sites * 5) throw new Error(`verify-log checked ${verification.events} events, intact ${verification.intact}`);
    const rawAfter = await rawRead(pool, 5000);
    log(`verify-log ${formatRate(verification.events / verifySeconds)} events/s; raw keyset read ${formatRate(rawAfter.events / rawAfter.seconds)} events/s`);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const rebuild = mean(rounds.map((r) => r.rebuild));
    const raw = mean(rounds.map((r) => r.raw));
    const section = [
      '## Projection rebuild (npm run bench:store, second part)',
      '',
      `Run on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; code at ${machine.code}.`,
      '',
      `**Machine.** ${machineLine(machine, database.serverSource)}`,
      '',
      `**Method.** ${formatRate(sites * 5)} events (${formatRate(sites)} sites × registered, onboarding, active, paused, active) bulk-loaded into the log; then \`ProjectionEngine.rebuild\` of the site directory (the code \`npm run projections:rebuild\` runs): truncate, then read the log in (transaction_id, global_position) order in batches of 5,000 and apply each batch (one read of the affected rows, one upsert, the checkpoint) in its own transaction, reading the next batch meanwhile. The baseline reads the same rows with a plain keyset \`SELECT\` in batches of 5,000 and does nothing with them. 2 rounds, alternating.`,
      '',
      markdownTable(
        ['events', 'rebuild events/s', 'raw keyset read events/s', 'rebuild/raw read', 'target', 'rounds (rebuild)'],
        [[formatRate(sites * 5), formatRate(rebuild), formatRate(raw), formatRatio(rebuild / raw), rebuild >= 50_000 ? '≥ 50,000: met' : '≥ 50,000: **not met**', rounds.map((r) => formatRate(r.rebuild)).join(', ')]],
      ),
      '',
      `**The hash chain** (docs/record.md). Loading the events, each hashed and chained by the database as it was inserted, ran at ${formatRate((sites * 5) / loadSeconds)} events/s. Then \`verifyLog\` (what \`npm run verify-log\` runs: every event read in global order, its hash computed again in Node and compared, the stream lengths checked) beside the same raw keyset read, once each:`,
      '',
      markdownTable(
        ['events', 'verify-log events/s', 'raw keyset read events/s', 'verify/raw read', 'verify-log s'],
        [[formatRate(verification.events), formatRate(verification.events / verifySeconds), formatRate(rawAfter.events / rawAfter.seconds), formatRatio(verification.events / verifySeconds / (rawAfter.events / rawAfter.seconds)), verifySeconds.toFixed(1)]],
      ),
    ].join('\n');
    await writeMarkdownSection(process.env.BENCH_REPORT_FILE || 'docs/benchmarks.md', 'rebuild', section);
    log('wrote the "Projection rebuild" section of docs/benchmarks.md');
  } finally {
    await dataSource?.destroy();
    await store.close();
    await pool.end();
    await database.close();
  }
}

async function rawRead(pool: Pool, batchSize: number): Promise<{ events: number; seconds: number }> {
  const begun = performance.now();
  let after = '0';
  let events = 0;
  for (;;) {
    const { rows } = await pool.query<{ global_position: string }>(
      `SELECT global_position, transaction_id::text AS transaction_id_text, event_id, stream_id, stream_position, type, schema_version, data, metadata, recorded_at
         FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
      [after, batchSize],
    );
    events += rows.length;
    if (rows.length < batchSize) break;
    after = rows[rows.length - 1]!.global_position;
  }
  return { events, seconds: (performance.now() - begun) / 1000 };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
