import 'reflect-metadata';
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, mintToken, newSigningKey } from '@bedside/identity';
import { addDays, localDateOf, type Role } from '@bedside/shared';
import { openBenchDatabase, type BenchDatabase } from '../support/database';
import { numberFromEnv } from '../support/env';
import { ForeignLoadMonitor } from '../support/foreign-load';
import { formatMs, formatRate, formatRatio, formatShare, markdownTable } from '../support/format';
import { onInterrupt } from '../support/interrupt';
import { describeMachine, machineLine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { loadSegment, type LoadSegment } from './load';
import { DASHBOARD_QUERY, DASHBOARD_SITES, SCHEDULER_QUERY } from './queries';
import { startServer, type ServerProcess } from './servers';
import { bookPatients, seedNetwork } from './setup';

const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

const CONNECTIONS = numberFromEnv('BENCH_CONNECTIONS', 64, { min: 1, integer: true });
const SEGMENT_SECONDS = numberFromEnv('BENCH_SEGMENT_SECONDS', 10, { min: 1, integer: true });
const SEGMENTS = numberFromEnv('BENCH_SEGMENTS', 3, { min: 1, integer: true });
const WARMUP_SECONDS = numberFromEnv('BENCH_WARMUP_SECONDS', 5, { min: 1, integer: true });
/** Copies of the ten demo centres: five give the dashboard its 50 hospitals. */
const SCALE = 5;
const TARGET_RATIO = 0.7;

interface Side {
  readonly segments: LoadSegment[];
  /** CPU time the server process used, per request answered (ms). */
  cpuMsPerRequest: number;
}

interface ScenarioFigures {
  readonly name: string;
  readonly role: Role;
  readonly bedside: Side;
  readonly bare: Side;
  readonly otherLoad: number | undefined;
}

const rate = (side: Side) => side.segments.reduce((n, s) => n + s.requests, 0) / side.segments.reduce((n, s) => n + s.seconds, 0);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const failures = (side: Side) => side.segments.reduce((n, s) => n + s.failures, 0);

/** utime + stime of a process, in ms (Linux; 0 elsewhere). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function post(url: string, body: string, authorization: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
  return response.text();
}

/**
 * Both servers must give the same answer before either is timed (the bare server's SQL is checked
 * against Bedside's, not trusted); each side's load then expects its own answer byte for byte.
 */
async function sameAnswer(name: string, servers: ServerProcess[], body: string, authorization: string): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const answers = await Promise.all(servers.map((s) => post(s.url, body, authorization)));
    const parsed = answers.map((a) => JSON.parse(a) as { data?: unknown; errors?: unknown });
    if (parsed.every((p) => !p.errors) && isDeepStrictEqual(parsed[0], parsed[1])) return answers;
    // Projections may still be applying the last bookings: ask again for a while before giving up.
    if (attempt >= 40) throw new Error(`${name}: the servers answer differently:\n${answers.map((a, i) => `${servers[i]!.name}: ${a.slice(0, 2000)}`).join('\n')}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function measureScenario(
  name: string,
  role: Role,
  servers: { bedside: ServerProcess; bare: ServerProcess },
  body: string,
  authorization: string,
  otherLoad: ForeignLoadMonitor,
): Promise<ScenarioFigures> {
  const [bedsideAnswer, bareAnswer] = await sameAnswer(name, [servers.bedside, servers.bare], body, authorization);
  const sides = { bedside: { segments: [] as LoadSegment[], cpuMsPerRequest: 0 }, bare: { segments: [] as LoadSegment[], cpuMsPerRequest: 0 } };
  const expected = { bedside: bedsideAnswer!, bare: bareAnswer! };
  const cpu = { bedside: 0, bare: 0 };
  const run = async (which: 'bedside' | 'bare', seconds: number, measured: boolean) => {
    const server = servers[which];
    const cpuBefore = cpuMs(server.pid);
    const segment = await loadSegment(server.url, body, authorization, expected[which], CONNECTIONS, seconds);
    if (!measured) return;
    cpu[which] += cpuMs(server.pid) - cpuBefore;
    sides[which].segments.push(segment);
    log(`  ${name}, ${which}: ${formatRate(segment.requests / segment.seconds)} req/s, p50 ${formatMs(segment.p50)} ms, p99 ${formatMs(segment.p99)} ms, ${segment.failures} failed`);
  };
  log(`${name}: warming up each server for ${WARMUP_SECONDS} s`);
  await run('bedside', WARMUP_SECONDS, false);
  await run('bare', WARMUP_SECONDS, false);
  const window = otherLoad.window();
  for (let i = 0; i < SEGMENTS; i++) {
    // Alternate which goes first, so drift over the run (other work, autovacuum) falls on both sides.
    for (const which of i % 2 === 0 ? (['bedside', 'bare'] as const) : (['bare', 'bedside'] as const)) await run(which, SEGMENT_SECONDS, true);
  }
  for (const which of ['bedside', 'bare'] as const) {
    const requests = sides[which].segments.reduce((n, s) => n + s.requests, 0);
    sides[which].cpuMsPerRequest = requests > 0 ? cpu[which] / requests : Number.NaN;
  }
  return { name, role, bedside: sides.bedside, bare: sides.bare, otherLoad: otherLoad.available ? window() : undefined };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const servers: ServerProcess[] = [];
  let database: BenchDatabase | undefined;
  const cleanup = async () => {
    for (const server of servers) await server.stop();
    await database?.close();
  };
  onInterrupt(cleanup, log);
  try {
    database = await openBenchDatabase(log);
    const machine = await describeMachine(database.url, ['libs', 'apps/api', 'bench/api']);
    const today = localDateOf(new Date(), 'Europe/London');
    const seedStarted = performance.now();
    await seedNetwork(database.url, today, SCALE, log);
    log(`seeded ${SCALE}× the demo network in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const key = await newSigningKey('bench-api');
    const env = { DATABASE_URL: database.url, BENCH_JWKS: JSON.stringify(key.publicKeys), BENCH_ISSUER: DEVELOPMENT_ISSUER, BENCH_AUDIENCE: DEVELOPMENT_AUDIENCE };
    const profileDir = process.env.BENCH_PROFILE_DIR || undefined;
    const bedside = await startServer('Bedside', 'bedside-server.ts', env, { profileDir });
    servers.push(bedside);
    const bearer = async (role: Role, trusts?: string[]) => `Bearer ${await mintToken(key, { actor: `bench-${role}`, role, trusts, expiresIn: 4 * 3600 })}`;
    const qa = await bearer('control_site_qa');
    const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const answer = JSON.parse(await post(bedside.url, JSON.stringify({ query, variables }), qa)) as { data: T; errors?: unknown };
      if (answer.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(answer.errors)}`);
      return answer.data;
    };
    const coi = await bookPatients(gql, log);
    const pool = new Pool({ connectionString: database.url, max: 1 });
    await pool.query('VACUUM ANALYZE');
    await pool.end();
    const bare = await startServer('bare Fastify + graphql-jit', 'bare-server.ts', env, { profileDir });
    servers.push(bare);

    const otherLoad = new ForeignLoadMonitor(database.name);
    otherLoad.start();
    const range = { from: today, to: addDays(today, 27) };
    const scenarios: ScenarioFigures[] = [];
    scenarios.push(
      await measureScenario(`dashboard (kpis + ${DASHBOARD_SITES} sites with utilisation)`, 'dashboard', { bedside, bare }, JSON.stringify({ query: DASHBOARD_QUERY, variables: range }), await bearer('dashboard'), otherLoad),
    );
    scenarios.push(
      await measureScenario('scheduler (one pathway with its timeline)', 'scheduler', { bedside, bare }, JSON.stringify({ query: SCHEDULER_QUERY, variables: { coi } }), await bearer('scheduler', ['RBV']), otherLoad),
    );
    otherLoad.stop();
    for (const s of scenarios) log(`${s.name}: Bedside ${formatRate(rate(s.bedside))} req/s, bare ${formatRate(rate(s.bare))} req/s, ratio ${formatRatio(rate(s.bedside) / rate(s.bare))}`);

    const section = render(scenarios, { startedAt, machine: machineLine(machine, database.serverSource), code: machine.code, seconds: (performance.now() - started) / 1000 });
    await writeMarkdownSection(process.env.BENCH_REPORT_FILE || 'docs/benchmarks.md', 'api', section);
    log('wrote the "GraphQL API" section of docs/benchmarks.md');
  } finally {
    await cleanup();
  }
}

function render(scenarios: readonly ScenarioFigures[], run: { startedAt: Date; machine: string; code: string; seconds: number }): string {
  const verdicts = scenarios.map((s) => {
    const ratio = rate(s.bedside) / rate(s.bare);
    return `${s.name}: Bedside reached **${formatRatio(ratio)}** of the bare server's throughput, target ≥ ${TARGET_RATIO}: **${ratio >= TARGET_RATIO ? 'met' : 'not met'}**.`;
  });
  const anyFailures = scenarios.some((s) => failures(s.bedside) + failures(s.bare) > 0);
  return [
    '## GraphQL API (npm run bench:api)',
    '',
    `Run on ${run.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; code at ${run.code}; the whole run took ${(run.seconds / 60).toFixed(1)} minutes.`,
    '',
    `**Machine.** ${run.machine}`,
    '',
    `**Method.** One fresh database holds ${SCALE}× the demo network (\`seedDemoNetwork\`: ${SCALE * 10} hospitals and the Control Site) and one booked patient per demo centre, booked through the API as schedulers do; the scheduler's own patient at The Christie is collected and in manufacture. Two servers read it side by side, each in its own Node process: **Bedside** (\`createApi\`, as \`npm start\` serves it, projections running; only the per-identity rate limit is off, since all the load comes from one identity) and a **bare server** (\`bench/api/bare-server.ts\`: Fastify + graphql-jit, the two queries' resolvers written by hand over the same tables, verifying the same ES256 bearer token and remembering it for up to a minute as Bedside's \`TokenVerifier\` does, checking the scheduler's trust and reading all 50 sites' utilisation in one statement; its KPI reads run concurrently, Bedside's one after another). Before timing, both servers' answers are checked to be the same JSON; under load every answer must equal that body byte for byte (a GraphQL error counts as a failure). Load: autocannon in the benchmark's process, ${CONNECTIONS} connections, no pipelining, each connection sending its next request when the last is answered; per query ${WARMUP_SECONDS} s of warm-up per server, then ${SEGMENTS} segments of ${SEGMENT_SECONDS} s per server, alternating which goes first. Requests/s are all answers over all segments' time; p50 and p99 are the medians of the segments' own. "Server CPU per request" is the server process's CPU time (from /proc) over the answers it gave. Knobs: BENCH_CONNECTIONS, BENCH_SEGMENTS, BENCH_SEGMENT_SECONDS, BENCH_WARMUP_SECONDS; BENCH_PROFILE_DIR writes a CPU profile of each server there.`,
    '',
    markdownTable(
      ['query', 'caller', 'Bedside req/s', 'bare req/s', 'Bedside/bare', 'Bedside p50 / p99 ms', 'bare p50 / p99 ms', 'server CPU per request, Bedside / bare ms', 'failed answers', "other processes' CPU"],
      scenarios.map((s) => [
        s.name,
        s.role,
        formatRate(rate(s.bedside)),
        formatRate(rate(s.bare)),
        `**${formatRatio(rate(s.bedside) / rate(s.bare))}**`,
        `${formatMs(median(s.bedside.segments.map((g) => g.p50)))} / ${formatMs(median(s.bedside.segments.map((g) => g.p99)))}`,
        `${formatMs(median(s.bare.segments.map((g) => g.p50)))} / ${formatMs(median(s.bare.segments.map((g) => g.p99)))}`,
        `${formatMs(s.bedside.cpuMsPerRequest)} / ${formatMs(s.bare.cpuMsPerRequest)}`,
        `${failures(s.bedside)} / ${failures(s.bare)}`,
        s.otherLoad === undefined ? 'n/a' : formatShare(s.otherLoad),
      ]),
    ),
    '',
    markdownTable(
      ['query', 'segment req/s, Bedside', 'segment req/s, bare'],
      scenarios.map((s) => [s.name, s.bedside.segments.map((g) => formatRate(g.requests / g.seconds)).join(', '), s.bare.segments.map((g) => formatRate(g.requests / g.seconds)).join(', ')]),
    ),
    '',
    ...verdicts,
    '',
    "**What Bedside does beyond the bare server on each request**, as a CPU profile of it under load shows (BENCH_PROFILE_DIR): Nest's guard, execution context and parameter decorators around each root resolver; Mercurius's hooks and its second check of the variables; the per-request loaders; TypeORM's query runner around every statement but the hot reads; and serialising the answer through Fastify's response schema. Already removed: a second statement for the scheduler's query (the `pathway` resolver reads the pathway and its timeline in one prepared statement when the timeline is asked for, the pathway's row as one JSON value rather than two dozen columns the driver describes and parses one by one, and the timeline field takes that answer at once rather than a batch tick later); a resolver call for every plain field (@nestjs/graphql gives each `@Field()` a resolver reading its property, which graphql-jit must call for every item of a list; `withoutPropertyResolvers` takes them off, so jit reads the property inline); Nest's execution context and pipes around field resolvers without parameter decorators (`Pathway.timeline`); the cost analysis on every request (remembered per query and variables); and re-validating days already written as YYYY-MM-DD. Both servers prepare their statements. On the scheduler's query, which costs PostgreSQL little, Bedside's CPU per request (the column above) is what separates the two; on the dashboard's, the SQL dominates.",
    ...(anyFailures ? ['', '**Some answers failed** (see the table): the figures above count only the good ones and should not be trusted.'] : []),
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
