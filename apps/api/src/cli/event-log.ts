import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { databaseSettingsFromEnv, openDatabase, runMigrations } from '@bedside/database';
import { ChainVerifier, formatAnchor, parseAnchor, readChainedEvents, restoreLog, verifyLog, verifyStream, type ChainedEvent, type ChainVerification, type LogAnchor } from '@bedside/event-store';
import { MIGRATIONS } from '../migrations';
import { runCli } from './cli-context';

/**
 * The tamper-evident record, for an inspector (issue 14 §5; README "For inspectors", docs/record.md):
 *   npm run verify-log [-- --expect <position>:<digest> ...] [--stream <id>] [--file <archive>]
 *   npm run export-log -- <archive>     (the whole log, with its hashes and, last, its digest)
 *   npm run restore-log -- <archive>    (into an empty database, checking every hash)
 * On the embedded database, or the one at DATABASE_URL. Exit 0 when the record holds, 1 when it does not.
 */
const USAGE = `Usage:
  npm run verify-log [-- --expect <position>:<digest> ...] [--stream <stream id>] [--file <archive>]
  npm run export-log -- <archive file>
  npm run restore-log -- <archive file>`;

runCli('The event log check', async () => {
  const [command, ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { expect: { type: 'string', multiple: true }, stream: { type: 'string' }, file: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || !command) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const anchors = (values.expect ?? []).map(parseAnchor);
  if (command === 'verify' && values.file) return report(await verifyArchive(values.file, anchors));
  if (process.env.EVENT_STORE_URL || process.env.KURRENTDB_URL) {
    console.error('The hash chain is kept by the PostgreSQL event store; KurrentDB keeps its own record (docs/record.md).');
    return 2;
  }
  if ((command === 'export' || command === 'restore') && positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  return withPool(async (pool) => {
    switch (command) {
      case 'verify':
        return report(values.stream ? await verifyStream(pool, values.stream) : await verifyLog(pool, { anchors, onProgress: (n) => console.error(`${n.toLocaleString('en-GB')} events checked`) }));
      case 'export':
        return exportArchive(pool, positionals[0]!);
      case 'restore':
        return restoreArchive(pool, positionals[0]!);
      default:
        console.error(`Unknown command "${command}".\n${USAGE}`);
        return 2;
    }
  });
});

async function withPool(task: (pool: Pool) => Promise<number>): Promise<number> {
  const database = await openDatabase(databaseSettingsFromEnv(), (line) => console.error(line));
  try {
    await runMigrations(database.url, MIGRATIONS, (line) => console.error(line));
    const pool = new Pool({ connectionString: database.url, max: 2 });
    try {
      return await task(pool);
    } finally {
      await pool.end();
    }
  } finally {
    await database.close();
  }
}

function report(verification: ChainVerification): number {
  console.log(`${verification.events.toLocaleString('en-GB')} events in ${verification.streams.toLocaleString('en-GB')} streams checked.`);
  for (const b of verification.breaks) {
    console.log(`BROKEN: ${b.streamId ? `stream ${b.streamId}, event ${b.streamPosition}` : 'the log'}${b.globalPosition ? ` (global position ${b.globalPosition})` : ''}: ${b.problem}`);
  }
  if (verification.intact) console.log('The record is intact: every event chains to the one before it in its stream.');
  if (verification.anchor) console.log(`Digest of the log up to here (keep it outside the database; check it later with --expect): ${formatAnchor(verification.anchor)}`);
  return verification.intact ? 0 : 1;
}

/** An archive: one event a line, in global order, then a line with the log's digest up to the last. */
async function exportArchive(pool: Pool, path: string): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx' });
  const verifier = new ChainVerifier();
  for await (const event of readChainedEvents(pool)) {
    verifier.add(event);
    if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
    if (verifier.events % 50_000 === 0) console.error(`${verifier.events.toLocaleString('en-GB')} events archived`);
  }
  const verification = verifier.result();
  out.end(`${JSON.stringify({ anchor: verification.anchor })}\n`);
  await once(out, 'finish');
  console.log(`${verification.events.toLocaleString('en-GB')} events archived to ${path}.`);
  if (!verification.intact) console.log('The log does not verify (npm run verify-log says where); the archive holds it as it is.');
  if (verification.anchor) console.log(`Its digest (keep it apart from the archive): ${formatAnchor(verification.anchor)}`);
  return verification.intact ? 0 : 1;
}

async function* archiveLines(path: string): AsyncGenerator<ChainedEvent | { anchor: LogAnchor | null }> {
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (line.trim()) yield JSON.parse(line) as ChainedEvent | { anchor: LogAnchor | null };
  }
}

/** The archive checked on its own, read line by line: its chains, and its digest against its last line and any anchors given. */
async function verifyArchive(path: string, anchors: readonly LogAnchor[]): Promise<ChainVerification> {
  let stated: LogAnchor | null = null;
  const verifier = new ChainVerifier(anchors);
  for await (const line of archiveLines(path)) {
    if ('anchor' in line) stated = line.anchor;
    else verifier.add(line);
  }
  const verification = verifier.result();
  const digest = verification.anchor ? formatAnchor(verification.anchor) : null;
  if (stated && digest !== formatAnchor(stated)) {
    const problem = `the archive's events give the digest ${digest ?? 'of nothing'}, not the ${formatAnchor(stated)} written at its end: it was altered or cut short`;
    return { ...verification, intact: false, breaks: [...verification.breaks, { streamId: '', streamPosition: 0, globalPosition: stated.globalPosition, problem }] };
  }
  return verification;
}

async function restoreArchive(pool: Pool, path: string): Promise<number> {
  let stated: LogAnchor | null = null;
  async function* events(): AsyncGenerator<ChainedEvent> {
    for await (const line of archiveLines(path)) {
      if ('anchor' in line) stated = line.anchor;
      else yield line;
    }
  }
  const restored = await restoreLog(pool, events(), (n) => console.error(`${n.toLocaleString('en-GB')} events restored`));
  console.log(`${restored.toLocaleString('en-GB')} events restored from ${path}; each hash matched as it was chained again.`);
  const verification = await verifyLog(pool, { anchors: stated ? [stated] : [] });
  return report(verification);
}
