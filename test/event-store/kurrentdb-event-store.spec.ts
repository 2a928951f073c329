import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { KurrentDBEventStore, UpcasterRegistry } from '@bedside/event-store';
import { describeEventStoreContract } from './event-store.contract';

/*
 * The event store contract against a KurrentDB server (25.1 or later: multi-stream appends), when
 * KURRENTDB_URL names one that answers:
 *   docker compose up -d kurrentdb
 *   KURRENTDB_URL='kurrentdb://localhost:2113?tls=false' npm test
 * Otherwise the suite is skipped, and says so and why: a skipped adapter must never pass silently.
 */

const PROBE_TIMEOUT_MS = 5_000;

/** The URL without credentials, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//…@');
}

/**
 * Whether a server answers, asked synchronously (Jest collects tests synchronously, and a skip must be
 * decided then): a child process reads one event of $all, and is stopped after a few seconds.
 */
function probe(url: string): string | null {
  const script = `
    const { KurrentDBClient, BACKWARDS, END } = require('@kurrent/kurrentdb-client');
    const client = KurrentDBClient.connectionString(process.env.PROBE_URL);
    (async () => {
      for await (const _ of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) break;
      await client.dispose();
      process.exit(0);
    })().catch((error) => { console.error((error && error.message) || String(error)); process.exit(1); });`;
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: resolve(__dirname, '../..'),
    env: { ...process.env, PROBE_URL: url, NODE_OPTIONS: '' },
    timeout: PROBE_TIMEOUT_MS,
    encoding: 'utf8',
  });
  if (result.status === 0) return null;
  if (result.error || result.signal) return `no KurrentDB answered at ${redact(url)} within ${PROBE_TIMEOUT_MS / 1000} s`;
  const reason = result.stderr.trim().split('\n').at(-1) ?? `exit code ${result.status}`;
  return `KurrentDB at ${redact(url)} did not answer a read (${reason})`;
}

const url = process.env.KURRENTDB_URL?.trim();
const skipReason = url ? probe(url) : 'KURRENTDB_URL is not set';

const openKurrentDB = async () => {
  const store = new KurrentDBEventStore({ connectionString: url! });
  const extra: KurrentDBEventStore[] = [];
  return {
    store,
    withUpcasters(upcasters: UpcasterRegistry) {
      const upcasting = new KurrentDBEventStore({ client: store.client, upcasters });
      extra.push(upcasting);
      return upcasting;
    },
    // No appendWithLateCommit: KurrentDB orders commits itself; a reader of $all cannot see a later
    // write before an earlier one, so there is no out-of-order commit to provoke.
    async close() {
      await Promise.all(extra.map((s) => s.close()));
      await store.close();
    },
  };
};

if (skipReason) {
  const notice =
    `SKIPPED: event store contract against KurrentDB: ${skipReason}. ` +
    `To run it: docker compose up -d kurrentdb, then KURRENTDB_URL='kurrentdb://localhost:2113?tls=false' npm test.`;
  console.warn(notice);
  // Jest does not print the console of a file whose tests are all skipped when it runs several files,
  // so the notice also goes straight to stderr, where a CI log keeps it.
  process.stderr.write(`\n${notice}\n`);
  describe.skip(`KurrentDB adapter (skipped: ${skipReason})`, () => describeEventStoreContract('KurrentDB', openKurrentDB));
} else {
  describeEventStoreContract('KurrentDB', openKurrentDB);
}
