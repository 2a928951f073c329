import { formatMs, formatRate, formatRatio, formatShare, markdownTable } from '../support/format';
import { machineLine, type MachineDescription } from '../support/machine';
import type { AppendCell } from './appends';
import type { ReplayLog, ReplayRow } from './replay';
import type { StoreBenchSettings } from './settings';

export const SECTION_ID = 'store';

export interface StoreBenchReport {
  readonly startedAt: Date;
  readonly totalSeconds: number;
  readonly machine: MachineDescription;
  readonly serverSource: string;
  readonly settings: StoreBenchSettings;
  readonly payload: { readonly dataBytes: number; readonly metadataBytes: number };
  readonly checkpointsBeforeSegments: boolean;
  readonly appends: readonly AppendCell[];
  readonly replayLog: ReplayLog;
  readonly replay: readonly ReplayRow[];
  /** Whether other processes' CPU use could be watched (Linux /proc). */
  readonly otherLoadMeasured: boolean;
  // A projection rebuild measurement adds its rows here and a table in renderStoreSection.
}

/** The acceptance line of the issue: the store reaches this share of the raw insert rate at 8 writers. */
export const TARGET_RATIO = 0.8;
export const TARGET_WRITERS = 8;

export function renderStoreSection(report: StoreBenchReport): string {
  const { settings } = report;
  const seconds = (value: number) => `${value} s`;
  return [
    '## Event store (npm run bench:store)',
    '',
    `Run on ${report.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, took ${Math.round(report.totalSeconds)} s; ` +
      `code at ${report.machine.code}.`,
    '',
    `**Machine.** ${machineLine(report.machine, report.serverSource)}`,
    '',
    '**Method.** One process, one fresh `bench_<random>` database (created with `synchronous_commit = on`, dropped at the end), ' +
      'the schema from the event store\'s own migration. Every event is a booking-shaped event of ' +
      `${report.payload.dataBytes} bytes of JSON data plus ${report.payload.metadataBytes} bytes of metadata ` +
      '(actor, onBehalfOf, correlationId).',
    '',
    `- *Appends:* N writers (async loops sharing a pool of N connections) each rotate over their own ${settings.streamsPerWriter} ` +
      'existing streams and append to the next one with its exact expected version, as a command handler does after loading ' +
      'an aggregate; the store path is `PostgresEventStore.append` (one `append_to_streams` call). ' +
      'The raw baseline INSERTs the same rows into `raw_events`, a copy of `events` (same columns but the hash, defaults, indexes and ' +
      'unique constraints; no triggers), one autocommitted statement per append (a multi-row INSERT for 10 events). The store ' +
      'also hashes each event and chains it to the one before it in its stream as it inserts it (docs/record.md); the raw side does not, ' +
      'so the ratio includes what the tamper-evident record costs. Both tables start ' +
      `with the ${formatRate(report.replayLog.events)} events loaded for the replay. ` +
      `Per cell: seeding and ${seconds(settings.warmupSeconds)} of warm-up per side, then ${seconds(settings.seconds)} measured per side, ` +
      `split into ${settings.rounds} segments per side run alternately (store, raw, raw, store, ...)` +
      (report.checkpointsBeforeSegments ? ', each segment starting just after a `CHECKPOINT`. ' : '. ') +
      'Rates are completed appends over elapsed time; latency is per append, as the client saw it; ' +
      'the spread is half the range of the segments\' rates over their mean. ' +
      'No subscriber was listening during the appends. ' +
      '"Other processes\' CPU" is the share of all cores that processes other than the benchmark and its database ' +
      'backends used during the cell (from /proc): anything above a few percent means the figures were disturbed.',
    `- *Replay:* ${formatRate(report.replayLog.events)} events bulk-loaded into the empty log first ` +
      `(chunks of 10,000 rows per transaction, 10 events per stream; ${Math.round(report.replayLog.loadSeconds)} s including VACUUM ANALYZE). ` +
      'The store side times `subscribe({ after: START_OF_LOG, batchSize })` until its handler has counted every event: it reads ' +
      'in (transaction_id, global_position) order below the snapshot\'s xmin and maps rows to `RecordedEvent`s. ' +
      'The raw side times a keyset-paged `SELECT` of the same columns `WHERE global_position > $1 ORDER BY global_position LIMIT $2` ' +
      `into plain pg rows (no snapshot filter, so not safe against late commits: a ceiling, not an alternative). ${settings.replayRounds} full replays per side and ` +
      'batch size, alternating which goes first.',
    '',
    `### Appends, durable commits (store/raw target at ${TARGET_WRITERS} writers: ≥ ${TARGET_RATIO})`,
    '',
    markdownTable(
      ['writers', 'events / append', 'store events/s', 'store appends/s', 'raw events/s', 'raw transactions/s', 'store/raw', 'store p50 / p99 ms', 'raw p50 / p99 ms', 'segment spread store / raw', 'other processes\' CPU'],
      report.appends.map((cell) => [
        String(cell.writers),
        String(cell.eventsPerAppend),
        formatRate(cell.store.eventsPerSecond),
        formatRate(cell.store.appendsPerSecond),
        formatRate(cell.raw.eventsPerSecond),
        formatRate(cell.raw.appendsPerSecond),
        `**${formatRatio(cell.ratio)}**`,
        `${formatMs(cell.store.p50Ms)} / ${formatMs(cell.store.p99Ms)}`,
        `${formatMs(cell.raw.p50Ms)} / ${formatMs(cell.raw.p99Ms)}`,
        `${spread(cell.store.segmentRates)} / ${spread(cell.raw.segmentRates)}`,
        report.otherLoadMeasured ? formatShare(cell.otherLoad) : 'n/a',
      ]),
    ),
    '',
    targetLine(report.appends),
    '',
    `### Catch-up replay of ${formatRate(report.replayLog.events)} events`,
    '',
    markdownTable(
      ['batch size', 'store subscribe() events/s', 'raw keyset SELECT events/s', 'store/raw', 'store rounds', 'raw rounds', 'other processes\' CPU'],
      report.replay.map((row) => {
        const store = row.results.store!;
        const raw = row.results.raw!;
        return [
          String(row.batchSize),
          formatRate(store.eventsPerSecond),
          formatRate(raw.eventsPerSecond),
          formatRatio(store.eventsPerSecond / raw.eventsPerSecond),
          store.roundRates.map(formatRate).join(', '),
          raw.roundRates.map(formatRate).join(', '),
          report.otherLoadMeasured ? formatShare(row.otherLoad) : 'n/a',
        ];
      }),
    ),
    '',
  ].join('\n');
}

/** Half the range of the segments' rates, relative to their mean: how far apart the repeats landed. */
function spread(rates: readonly number[]): string {
  if (rates.length < 2) return 'n/a';
  const mean = rates.reduce((sum, r) => sum + r, 0) / rates.length;
  return `±${Math.round(((Math.max(...rates) - Math.min(...rates)) / 2 / mean) * 100)}%`;
}

function targetLine(cells: readonly AppendCell[]): string {
  const atTarget = cells.filter((cell) => cell.writers === TARGET_WRITERS);
  if (atTarget.length === 0) return `No cell ran with ${TARGET_WRITERS} writers, so the target was not checked.`;
  return atTarget
    .map(
      (cell) =>
        `At ${TARGET_WRITERS} writers × ${cell.eventsPerAppend} event${cell.eventsPerAppend === 1 ? '' : 's'} per append the store reached ` +
        `${formatRatio(cell.ratio)} of the raw rate: target ${cell.ratio >= TARGET_RATIO ? 'met' : '**not met**'}.`,
    )
    .join(' ');
}
