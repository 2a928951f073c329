import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import { Pool } from 'pg';
import { runMigrations } from '@bedside/database';
import { EVENT_STORE } from '@bedside/event-store';
import { CapacityQueries } from '@bedside/capacity';
import { seedDemoNetwork } from '@bedside/network';
import { ProjectionEngine, ProjectionRegistry } from '@bedside/read-model';
import { addDays, localDateOf } from '@bedside/shared';
import { AppModule } from '../../apps/api/src/app.module';
import { MIGRATIONS } from '../../apps/api/src/migrations';
import { openBenchDatabase } from '../support/database';
import { numberFromEnv } from '../support/env';
import { formatMs, markdownTable } from '../support/format';
import { describeMachine, machineLine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { percentile } from '../support/measure';

/** Reads as a network planner sees them (no trust scoping). */
const NETWORK_WIDE = { role: 'planner' } as const;

const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

interface QueryFigures {
  readonly name: string;
  readonly rows: number;
  readonly p50: number;
  readonly p95: number;
  readonly baselineP50: number;
  readonly baselineP95: number;
}

interface ScaleFigures {
  readonly scale: number;
  readonly seedSeconds: number;
  readonly events: number;
  readonly rebuildSeconds: number;
  readonly slots: number;
  readonly sizes: { table: string; rows: number; bytes: number }[];
  readonly queries: QueryFigures[];
}

const REPEATS = numberFromEnv('BENCH_REPEATS', 30, { min: 3, integer: true });
const SCALES = (process.env.BENCH_SCALES ?? '1,10').split(',').map(Number);

/** Latency of `action`, `REPEATS` times after two warm-up runs, in milliseconds. */
async function latencies(action: () => Promise<unknown>): Promise<number[]> {
  await action();
  await action();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const before = performance.now();
    await action();
    times.push(performance.now() - before);
  }
  return times;
}

async function measureScale(scale: number): Promise<ScaleFigures> {
  const database = await openBenchDatabase(log);
  let app: INestApplicationContext | undefined;
  const pool = new Pool({ connectionString: database.url, max: 2 });
  try {
    await runMigrations(database.url, MIGRATIONS);
    app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ databaseUrl: database.url, runProjections: false, serveGraphQL: false, graphiql: false, projectionPollIntervalMs: 250 }),
      { logger: ['error', 'warn'] },
    );
    const today = localDateOf(new Date(), 'Europe/London');
    const seedStarted = performance.now();
    await seedDemoNetwork(app.get(CommandBus), app.get(EVENT_STORE), { from: today, scale, log: (line) => log(`  ${line}`) });
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    // Build every read model from the log, as `npm run projections:rebuild -- --all` does.
    const engine = app.get(ProjectionEngine);
    const rebuildStarted = performance.now();
    let events = 0;
    for (const projection of app.get(ProjectionRegistry).all()) events = (await engine.rebuild(projection)).eventsRead;
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    log(`scale ${scale}: ${events} events seeded in ${seedSeconds.toFixed(1)} s; all read models rebuilt in ${rebuildSeconds.toFixed(1)} s`);
    await pool.query('VACUUM ANALYZE');

    const readModel = app.get(CapacityQueries);
    const from = addDays(today, 1);
    const to = addDays(from, 364);
    const all = await readModel.capacity({}, from, to, 10_000_000, undefined, NETWORK_WIDE);
    const rawSlots = `SELECT s.*, c.committed, c.tentative FROM capacity_slots s LEFT JOIN capacity_commitments c USING (resource_key, day, session)
                       WHERE s.day BETWEEN $1 AND $2 ORDER BY s.day, s.resource_key, s.session`;
    const queries: QueryFigures[] = [];
    const measure = async (name: string, rows: number, action: () => Promise<unknown>, baseline: () => Promise<unknown>) => {
      const mine = await latencies(action);
      const base = await latencies(baseline);
      queries.push({ name, rows, p50: percentile(mine, 50), p95: percentile(mine, 95), baselineP50: percentile(base, 50), baselineP95: percentile(base, 95) });
      log(`scale ${scale}: ${name}: p50 ${formatMs(percentile(mine, 50))} ms, p95 ${formatMs(percentile(mine, 95))} ms (raw SQL p50 ${formatMs(percentile(base, 50))} ms)`);
    };
    await measure('whole network, 365 days, every slot', all.length, () => readModel.capacity({}, from, to, 10_000_000, undefined, NETWORK_WIDE), () => pool.query(rawSlots, [from, to]));
    await measure('whole network, 365 days, first page of 500', 500, () => readModel.capacity({}, from, to, 500, undefined, NETWORK_WIDE), () => pool.query(`${rawSlots} LIMIT 501`, [from, to]));
    await measure(
      'one site, 365 days, free apheresis sessions only',
      (await readModel.capacity({ siteCodes: ['RBV01'], resources: ['APHERESIS_CHAIR'], onlyFree: true }, from, to, 10_000, undefined, NETWORK_WIDE)).length,
      () => readModel.capacity({ siteCodes: ['RBV01'], resources: ['APHERESIS_CHAIR'], onlyFree: true }, from, to, 10_000, undefined, NETWORK_WIDE),
      () => pool.query(`SELECT * FROM capacity_slots WHERE site_code = 'RBV01' AND resource = 'APHERESIS_CHAIR' AND day BETWEEN $1 AND $2 AND capacity > 0`, [from, to]),
    );
    await measure(
      'utilisation of every resource, 365 days',
      (await readModel.utilisation({}, from, to, NETWORK_WIDE)).length,
      () => readModel.utilisation({}, from, to, NETWORK_WIDE),
      () => pool.query(`SELECT site_code, unit_id, resource, sum(capacity) FROM capacity_slots WHERE day BETWEEN $1 AND $2 GROUP BY 1, 2, 3`, [from, to]),
    );

    const sizes: { table: string; rows: number; bytes: number }[] = [];
    for (const table of ['capacity_slots', 'capacity_commitments', 'capacity_calendars', 'capacity_exceptions', 'capacity_sites', 'capacity_units', 'sites', 'modular_units', 'travel_times', 'events']) {
      const { rows } = await pool.query(`SELECT count(*)::int AS rows, pg_total_relation_size($1::regclass)::bigint AS bytes FROM ${table}`, [table]);
      sizes.push({ table, rows: rows[0].rows, bytes: Number(rows[0].bytes) });
    }
    return { scale, seedSeconds, events, rebuildSeconds, slots: all.length, sizes, queries };
  } finally {
    await app?.close();
    await pool.end();
    await database.close();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const probe = await openBenchDatabase(log);
  const machine = await describeMachine(probe.url, ['libs/network', 'libs/read-model']);
  const serverSource = probe.serverSource;
  await probe.close();
  const results: ScaleFigures[] = [];
  for (const scale of SCALES) results.push(await measureScale(scale));

  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const count = (n: number) => n.toLocaleString('en-GB');
  const section = [
    '## Live capacity (npm run bench:capacity)',
    '',
    `Run on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; code at ${machine.code}.`,
    '',
    `**Machine.** ${machineLine(machine, serverSource)}`,
    '',
    `**Method.** For each network size a fresh database is seeded with the demo network (\`seedDemoNetwork\`, through the ordinary commands; scale N = N copies of the ten centres and their units), every read model is rebuilt from the log, and each query runs ${REPEATS} times after two warm-ups through \`CapacityQueries\` (the code the \`capacity\` and \`utilisation\` resolvers call), beside the same rows read by a plain SQL query as a baseline. Range: 365 days from tomorrow.`,
    '',
    markdownTable(
      ['network', 'events in the log', 'seed s', 'rebuild all read models s', 'capacity slots (365 days)'],
      results.map((r) => [`${r.scale}× demo`, count(r.events), r.seedSeconds.toFixed(1), r.rebuildSeconds.toFixed(1), count(r.slots)]),
    ),
    '',
    markdownTable(
      ['network', 'query', 'rows', 'p50 ms', 'p95 ms', 'raw SQL p50 ms', 'raw SQL p95 ms'],
      results.flatMap((r) => r.queries.map((q) => [`${r.scale}×`, q.name, count(q.rows), formatMs(q.p50), formatMs(q.p95), formatMs(q.baselineP50), formatMs(q.baselineP95)])),
    ),
    '',
    '**Read-model size** (rows; table with indexes):',
    '',
    markdownTable(
      ['table', ...results.map((r) => `${r.scale}× rows`), ...results.map((r) => `${r.scale}× size`)],
      results[0]!.sizes.map((s, i) => [s.table, ...results.map((r) => count(r.sizes[i]!.rows)), ...results.map((r) => mb(r.sizes[i]!.bytes))]),
    ),
  ].join('\n');
  await writeMarkdownSection(process.env.BENCH_REPORT_FILE || 'docs/benchmarks.md', 'capacity', section);
  log('wrote the "Live capacity" section of docs/benchmarks.md');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
