import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instantsFrom } from './instants';

/**
 * `npm run test:instants`: the suites whose results depend on the date, run once at each instant of
 * instants.ts with the API's clock pinned there (BEDSIDE_TEST_NOW). A test that passes at one
 * instant and fails at another is a bug, in the product or the test (issue 11 §1).
 */
export const DATE_DEPENDENT_SUITES = [
  'test/api/plan-options',
  'test/api/holds',
  'test/api/access-matrix',
  'test/api/lifecycle',
  'test/api/repair',
  'test/api/waitlist',
  'test/api/kpis',
  'test/api/as-of',
  'test/api/network-model',
  'test/api/clinical-gates',
  'test/api/deployments',
  'test/api/signatures',
  'test/api/corrections',
  'test/api/batches',
  'test/api/stay-within-reach',
  'test/api/icu-cover',
  'test/api/subscriptions',
  'test/api/daily-capacity',
  'test/console/booking',
  'test/docs/readme-examples',
];

const root = join(__dirname, '..', '..');
const jest = join(root, 'node_modules', '.bin', 'jest');
const out = mkdtempSync(join(tmpdir(), 'bedside-instants-'));
const only = process.argv.slice(2);
/** The suites wait on PostgreSQL more than they compute: two at a time keep both cores busy (jest's default here is one). */
const WORKERS = Number(process.env.INSTANT_WORKERS ?? 2);
const withoutPinnedInstant = ({ BEDSIDE_TEST_NOW: _, ...env }: NodeJS.ProcessEnv): NodeJS.ProcessEnv => env;
/** One instant's suites take about 90 s here; ten minutes means something hangs. */
const INSTANT_TIMEOUT_MS = 10 * 60_000;
let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];
try {
  for (const [i, { name, at, real }] of instantsFrom().entries()) {
    if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
    const started = performance.now();
    console.log(`\n== [${i + 1}/12] ${name}: ${at.toISOString()}`);
    const results = join(out, `${i}.json`);
    const run = spawnSync(jest, ['--json', `--outputFile=${results}`, `--maxWorkers=${WORKERS}`, ...DATE_DEPENDENT_SUITES], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...withoutPinnedInstant(process.env), ...(real ? {} : { BEDSIDE_TEST_NOW: at.toISOString() }), NODE_OPTIONS: '--experimental-vm-modules' },
      // An instant that hangs must not hang CI: it is stopped and counted as failed.
      timeout: INSTANT_TIMEOUT_MS,
      killSignal: 'SIGTERM',
    });
    if (run.error || !existsSync(results)) {
      failures.push(`${name} (${at.toISOString()}): did not finish within ${INSTANT_TIMEOUT_MS / 60_000} min`);
      console.log(`== ${name}: stopped after ${((performance.now() - started) / 1000).toFixed(0)} s (${run.error?.message ?? 'no results'})`);
      continue;
    }
    const r = JSON.parse(readFileSync(results, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests;
    if (run.status !== 0 || r.numFailedTests > 0) failures.push(`${name} (${at.toISOString()}): ${r.numFailedTests} failed`);
    console.log(`== ${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failures.length > 0) console.log(`\nFailed at:\n  ${failures.join('\n  ')}`);
console.log(`instants: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failures.length > 0 ? 1 : 0);
