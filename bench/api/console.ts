import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, mintToken, newSigningKey } from '@bedside/identity';
import { addDays, localDateOf } from '@bedside/shared';
import type { Browser, BrowserContext } from 'playwright-core';
import { buildConsole } from '../../apps/console/build';
import { launchBrowser } from '../../test/support/browser';
import { openBenchDatabase, type BenchDatabase } from '../support/database';
import { numberFromEnv } from '../support/env';
import { formatMs, markdownTable } from '../support/format';
import { onInterrupt } from '../support/interrupt';
import { describeMachine, machineLine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { startServer, type ServerProcess } from './servers';
import { seedNetwork } from './setup';

/**
 * Issue 15's benchmark of the console, part of `npm run bench:api`: its first load (bytes of script
 * over the wire, and time until the first page is drawn and answers) and the capacity heatmap of the
 * 10× network over 365 days, from the request to the chart drawn, beside the same `dailyCapacity`
 * query asked of the same server without a browser, in the same run.
 */
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const SCALE = 10;
const DAYS = 365;
const REPEATS = numberFromEnv('BENCH_CONSOLE_REPEATS', 5, { min: 1, integer: true });
const SCRIPT_BUDGET_BYTES = 300 * 1024;
const HEATMAP_RATIO_TARGET = 2;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

interface FirstLoad {
  readonly scriptBytes: number;
  readonly allBytes: number;
  readonly scripts: number;
  readonly interactiveMs: number;
}

/** A fresh browser profile (nothing cached) signed in as `who`, as the console keeps a sign-in. */
async function signedInContext(browser: Browser, session: Record<string, unknown>): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-GB' });
  await context.addInitScript((kept) => sessionStorage.setItem('bedside.session', kept), JSON.stringify(session));
  return context;
}

async function firstLoad(browser: Browser, base: string, session: Record<string, unknown>): Promise<FirstLoad> {
  const context = await signedInContext(browser, session);
  const page = await context.newPage();
  const responses: Promise<{ type: string; bytes: number }>[] = [];
  page.on('requestfinished', (request) => responses.push(request.sizes().then((s) => ({ type: request.resourceType(), bytes: s.responseBodySize + s.responseHeadersSize }))));
  await page.goto(`${base}/`);
  // Interactive: the home page is drawn from the signed-in session and its menu answers a click.
  await page.getByText('Signed in as').waitFor();
  // As a string: the module's own `performance` (node:perf_hooks) must not be compiled into the page's code.
  const interactiveMs = Number(await page.evaluate('performance.now()'));
  await page.waitForLoadState('networkidle');
  const sizes = await Promise.all(responses);
  await context.close();
  const scripts = sizes.filter((s) => s.type === 'script');
  return { scriptBytes: scripts.reduce((n, s) => n + s.bytes, 0), allBytes: sizes.reduce((n, s) => n + s.bytes, 0), scripts: scripts.length, interactiveMs };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  let database: BenchDatabase | undefined;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const cleanup = async () => {
    await browser?.close();
    await server?.stop();
    await database?.close();
  };
  onInterrupt(cleanup, log);
  try {
    log(await buildConsole());
    database = await openBenchDatabase(log);
    const machine = await describeMachine(database.url, ['libs/capacity', 'apps/api', 'apps/console', 'bench/api']);
    const today = localDateOf(new Date(), 'Europe/London');
    await seedNetwork(database.url, today, SCALE, log);
    log(`seeded ${SCALE}× the demo network`);
    const key = await newSigningKey('bench-console');
    server = await startServer('Bedside', 'bedside-server.ts', { DATABASE_URL: database.url, BENCH_JWKS: JSON.stringify(key.publicKeys), BENCH_ISSUER: DEVELOPMENT_ISSUER, BENCH_AUDIENCE: DEVELOPMENT_AUDIENCE });
    const base = server.url.replace(/\/graphql$/, '');
    const token = await mintToken(key, { actor: 'bench-planner', role: 'planner', expiresIn: 4 * 3600 });
    const session = { token, actor: 'bench-planner', role: 'planner', trusts: [], expiresAt: new Date(Date.now() + 4 * 3600_000).toISOString() };
    browser = await launchBrowser();

    const loads: FirstLoad[] = [];
    for (let i = 0; i < REPEATS; i++) loads.push(await firstLoad(browser, base, session));
    log(`first load: ${(median(loads.map((l) => l.scriptBytes)) / 1024).toFixed(1)} kB of script, interactive at ${formatMs(median(loads.map((l) => l.interactiveMs)))} ms (median of ${REPEATS})`);

    // The same data as the heatmap asks for, asked of the same server without a browser.
    const body = JSON.stringify({
      query: `query Heatmap($resource: Resource!, $from: LocalDate!, $to: LocalDate!) { dailyCapacity(filter: { resources: [$resource] }, from: $from, to: $to) { siteCode unitId day capacity free nominal closedReason } }`,
      variables: { resource: 'APHERESIS_CHAIR', from: today, to: addDays(today, DAYS - 1) },
    });
    const ask = async () => {
      const t0 = performance.now();
      const response = await fetch(server!.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'accept-encoding': 'gzip, br' } /* as a browser asks */, body });
      const answer = (await response.json()) as { data: { dailyCapacity: { siteCode: string }[] } };
      return { ms: performance.now() - t0, cells: answer.data.dailyCapacity.length, rows: new Set(answer.data.dailyCapacity.map((d) => d.siteCode)).size };
    };
    await ask(); // warm: the statement prepared, the pages in PostgreSQL's cache
    const queries = [];
    for (let i = 0; i < REPEATS; i++) queries.push(await ask());
    const { cells, rows } = queries[0]!;
    log(`dailyCapacity, ${rows} sites × ${DAYS} days (${cells} cells): ${formatMs(median(queries.map((q) => q.ms)))} ms (median of ${REPEATS})`);

    const context = await signedInContext(browser, session);
    const page = await context.newPage();
    await page.goto(`${base}/capacity`);
    await page.locator('[data-testid="heatmap-status"][data-drawn="yes"]').waitFor({ timeout: 60_000 });
    await page.getByLabel('Days', { exact: true }).selectOption({ label: `${DAYS} days` });
    const draws: number[] = [];
    /** From the page's request leaving to ECharts' \`finished\`, by the page's own clock: request to drawn. */
    const inPage: number[] = [];
    const fetches: number[] = [];
    const steps: { toFigures: number; layout: number }[] = [];
    for (let i = 1; i <= REPEATS + 1; i++) {
      // A year from another first day each time: new variables, so the chart waits for the API, as on a first look.
      const from = addDays(today, i);
      const t0 = performance.now();
      await page.getByLabel('From (UK date)').fill(from);
      await page.locator(`[data-testid="heatmap-status"][data-drawn="yes"][data-from="${from}"][data-days="${DAYS}"]`).waitFor({ timeout: 60_000 });
      if (i > 1) draws.push(performance.now() - t0); // the first is a warm-up
      // The browser's own account of the request (resource timing): the rest of the time is parsing and drawing.
      if (i > 1) {
        fetches.push(Number(await page.evaluate(`performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/graphql').at(-1).duration`)));
        const marks = JSON.parse(String(await page.evaluate(`JSON.stringify(Object.fromEntries(['heatmap:figures', 'heatmap:laid-out', 'heatmap:drawn'].map((m) => [m, performance.getEntriesByName(m).at(-1).startTime])))`))) as Record<string, number>;
        const [asked, response] = JSON.parse(String(await page.evaluate(`JSON.stringify((({ startTime, responseEnd }) => [startTime, responseEnd])(performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/graphql').at(-1)))`))) as [number, number];
        inPage.push(marks['heatmap:drawn']! - asked);
        // ECharts draws within setOption when nothing is animated, so 'finished' comes before setOption returns.
        steps.push({ toFigures: marks['heatmap:figures']! - response, layout: Math.max(marks['heatmap:laid-out']!, marks['heatmap:drawn']!) - marks['heatmap:figures']! });
      }
    }
    const drawnRows = await page.getByTestId('capacity-row').count();
    await context.close();
    const queryMs = median(queries.map((q) => q.ms));
    const drawMs = median(inPage);
    const wallMs = median(draws);
    const fetchMs = median(fetches);
    const step = (k: 'toFigures' | 'layout') => formatMs(median(steps.map((s) => s[k])));
    log(`  after the response: ${step('toFigures')} ms to the figures (parse, client cache, shape), ${step('layout')} ms for ECharts to lay out and draw`);
    log(`heatmap, request to drawn: ${formatMs(drawMs)} ms (median of ${REPEATS}), ${drawnRows} rows drawn; ratio ${(drawMs / queryMs).toFixed(2)}; the browser's request itself took ${formatMs(fetchMs)} ms; ${formatMs(wallMs)} ms from typing the day to the test seeing the chart`);

    const section = [
      '## The console (npm run bench:api)',
      '',
      `Run on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; code at ${machine.code}; the whole run took ${((performance.now() - started) / 60_000).toFixed(1)} minutes.`,
      '',
      `**Machine.** ${machineLine(machine, database.serverSource)} The browser is Debian's Chromium, headless, driven by playwright-core on the same two cores as the server and PostgreSQL.`,
      '',
      `**Method.** One fresh database holds ${SCALE}× the demo network (${SCALE * 10} hospitals), served by Bedside as \`npm start\` serves it (\`bench/api/bedside-server.ts\`), with the console built by \`npm run build:console\`. **First load:** a new browser profile each time (nothing cached), already signed in as a planner, opens \`/\`; "script" is every script response's bytes as they crossed the wire (compressed, headers included), "interactive" the page's own clock when the home page has drawn itself from the sign-in; median of ${REPEATS}. **Heatmap:** the capacity page shows ${DAYS} days of apheresis chairs from a new first day each time (new variables, so nothing comes from the client's cache); timed by the page's own clock from its request leaving (resource timing) to the chart drawn (ECharts' \`finished\`), median of ${REPEATS} after a warm-up; the time from typing the day to the test seeing the chart is given too. Beside it, the same \`dailyCapacity\` query (${rows} sites × ${DAYS} days, ${cells} cells) posted by Node to the same server (which does not compress GraphQL answers, for either), median of ${REPEATS} after a warm-up.`,
      '',
      markdownTable(
        ['measure', 'figure', 'target', 'verdict'],
        [
          ['first load: script over the wire', `${(median(loads.map((l) => l.scriptBytes)) / 1024).toFixed(1)} kB in ${median(loads.map((l) => l.scripts))} files (${(median(loads.map((l) => l.allBytes)) / 1024).toFixed(1)} kB in all)`, `< ${SCRIPT_BUDGET_BYTES / 1024} kB`, median(loads.map((l) => l.scriptBytes)) < SCRIPT_BUDGET_BYTES ? '**met**' : '**not met**'],
          ['first load: interactive', `${formatMs(median(loads.map((l) => l.interactiveMs)))} ms`, 'context', ''],
          [`\`dailyCapacity\`, ${rows} sites × ${DAYS} days, without a browser`, `${formatMs(queryMs)} ms`, 'baseline', ''],
          [`heatmap, ${drawnRows} rows × ${DAYS} days, request to drawn`, `${formatMs(drawMs)} ms (**${(drawMs / queryMs).toFixed(2)}×** the query)`, `≤ ${HEATMAP_RATIO_TARGET}× the query`, drawMs / queryMs <= HEATMAP_RATIO_TARGET ? '**met**' : '**not met**'],
          ['of which the browser\'s request (resource timing)', `${formatMs(fetchMs)} ms`, 'context', ''],
          ['then: parse and shape / ECharts lays out and draws', `${step('toFigures')} / ${step('layout')} ms`, 'context', ''],
          ['from typing the day to playwright seeing the chart (its polling included)', `${formatMs(wallMs)} ms`, 'context', ''],
        ],
      ),
    ].join('\n');
    await writeMarkdownSection(process.env.BENCH_REPORT_FILE || 'docs/benchmarks.md', 'console', section);
    log('wrote the "console" section of docs/benchmarks.md');
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
