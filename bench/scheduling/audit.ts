import type { Pool } from 'pg';
import { isAfter, START_OF_LOG, type EventStore, type GlobalPosition, type RecordedEvent } from '@bedside/event-store';
import { fromHundredths, inHundredths, placesTaken } from '@bedside/capacity';
import type { HoldConfirmedData, SlotEventData } from '@bedside/pathways';
import type { BenchNetwork } from './network';

export interface DoubleBookingAudit {
  readonly eventsRead: number;
  readonly slotsTouched: number;
  readonly holdsPlaced: number;
  readonly placesBooked: number;
  /** Slots whose held + booked places exceeded their capacity at any point in the log. */
  readonly overBooked: number;
  /** Slots in the log with no capacity_slots row (nothing to compare with). */
  readonly unknownSlots: number;
  /** Slots where capacity_commitments disagrees with the log (either side missing counts as disagreeing). */
  readonly commitmentMismatches: number;
  /** A few of them, for the log: slot, then booked/held from the log and committed/tentative from the read model. */
  readonly mismatchSamples: readonly string[];
  readonly seconds: number;
}

/** A slot's places by hold id, in hundredths of a place (ICU cover takes a share of a bed; issue 14 §4). */
interface SlotTally {
  readonly held: Map<string, number>;
  readonly booked: Map<string, number>;
  /** The most hundredths of a place ever taken at once. */
  peak: number;
}

const hundredthsOf = (places: ReadonlyMap<string, number>) => [...places.values()].reduce((a, b) => a + b, 0);

const key = (slot: SlotEventData['slot']) => `${slot.resourceKey}|${slot.day}|${slot.session}`;

interface LogTally {
  readonly tallies: Map<string, SlotTally>;
  readonly eventsRead: number;
  readonly holdsPlaced: number;
  readonly placesBooked: number;
  readonly last: GlobalPosition;
}

/**
 * Every slot's places from the log alone, by hold id, as the slot aggregate counts them: SlotHeld takes a
 * place (or its slot's share of one), SlotReleased gives it back, and the hold's HoldConfirmed (or an old
 * log's SlotBooked) books it.
 */
async function tallyLog(store: EventStore): Promise<LogTally> {
  const tallies = new Map<string, SlotTally>();
  let eventsRead = 0;
  let holdsPlaced = 0;
  let placesBooked = 0;
  let last = START_OF_LOG;
  for (;;) {
    const batch: RecordedEvent[] = await store.readAll({ after: last, maxCount: 5000 });
    if (batch.length === 0) break;
    last = batch[batch.length - 1]!.globalPosition;
    eventsRead += batch.length;
    for (const event of batch) {
      if (event.type === 'HoldConfirmed') {
        const { holdId, slots = [] } = event.data as unknown as HoldConfirmedData;
        for (const slot of slots) {
          const tally = tallies.get(key(slot));
          const taken = tally?.held.get(holdId);
          if (tally && taken !== undefined) {
            tally.held.delete(holdId);
            tally.booked.set(holdId, taken);
            placesBooked++;
          }
        }
        continue;
      }
      if (!event.streamId.startsWith('slot-')) continue;
      const { slot, holdId } = event.data as unknown as SlotEventData;
      let tally = tallies.get(key(slot));
      if (!tally) tallies.set(key(slot), (tally = { held: new Map(), booked: new Map(), peak: 0 }));
      if (event.type === 'SlotHeld') {
        tally.held.set(holdId, inHundredths(placesTaken(slot)));
        holdsPlaced++;
      } else if (event.type === 'SlotBooked') {
        tally.booked.set(holdId, tally.held.get(holdId) ?? inHundredths(placesTaken(slot)));
        tally.held.delete(holdId);
        placesBooked++;
      } else if (event.type === 'SlotReleased') {
        tally.held.delete(holdId);
        tally.booked.delete(holdId);
      }
      tally.peak = Math.max(tally.peak, hundredthsOf(tally.held) + hundredthsOf(tally.booked));
    }
  }
  return { tallies, eventsRead, holdsPlaced, placesBooked, last };
}

/**
 * Recomputes every slot's places from the event log alone and compares the peak with the slot's
 * capacity (capacity_slots) and the end state with the capacity_commitments read model. Run once the
 * writers have stopped.
 */
export async function auditDoubleBooking(network: BenchNetwork): Promise<DoubleBookingAudit> {
  const started = Date.now();
  // A transaction still open (a projection's batch) hides later commits from readers for a moment:
  // read again until the log read and the read model describe the same, complete log.
  for (let round = 1; ; round++) {
    const log = await tallyLog(network.store);
    await network.caughtUp(undefined, log.last);
    const projected = await commitments(network.pool);
    if (!isAfter(await network.store.lastRecordedPosition(), log.last) || round === 5) return compare(log, await capacities(network.pool), projected, started);
  }
}

async function capacities(pool: Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ key: string; capacity: number }>(
    `SELECT resource_key || '|' || to_char(day, 'YYYY-MM-DD') || '|' || session AS key, capacity FROM capacity_slots`,
  );
  return new Map(rows.map((r) => [r.key, r.capacity]));
}

async function commitments(pool: Pool): Promise<Map<string, { committed: number; tentative: number }>> {
  const { rows } = await pool.query<{ key: string; committed: number; tentative: number }>(
    `SELECT resource_key || '|' || to_char(day, 'YYYY-MM-DD') || '|' || session AS key, committed, tentative FROM capacity_commitments`,
  );
  // numeric columns come back as text: read them as hundredths of a place, as the tallies count.
  return new Map(rows.map((r) => [r.key, { committed: inHundredths(Number(r.committed)), tentative: inHundredths(Number(r.tentative)) }]));
}

function compare(log: LogTally, capacity: ReadonlyMap<string, number>, projected: ReadonlyMap<string, { committed: number; tentative: number }>, started: number): DoubleBookingAudit {
  let overBooked = 0;
  let unknownSlots = 0;
  let commitmentMismatches = 0;
  const mismatchSamples: string[] = [];
  const mismatch = (slot: string, tally: SlotTally | undefined, row: { committed: number; tentative: number } | undefined) => {
    commitmentMismatches++;
    const places = (hundredths: number) => fromHundredths(hundredths);
    if (mismatchSamples.length < 5) mismatchSamples.push(`${slot}: log ${places(tally ? hundredthsOf(tally.booked) : 0)}/${places(tally ? hundredthsOf(tally.held) : 0)}, read model ${row ? `${places(row.committed)}/${places(row.tentative)}` : 'no row'}`);
  };
  for (const [slot, tally] of log.tallies) {
    const limit = capacity.get(slot);
    if (limit === undefined) unknownSlots++;
    else if (tally.peak > inHundredths(limit)) overBooked++;
    const row = projected.get(slot);
    if (!row || row.committed !== hundredthsOf(tally.booked) || row.tentative !== hundredthsOf(tally.held)) mismatch(slot, tally, row);
  }
  // Rows the log knows nothing of, unless they are zero (a place held and released nets to zero).
  for (const [slot, row] of projected) if (!log.tallies.has(slot) && (row.committed !== 0 || row.tentative !== 0)) mismatch(slot, undefined, row);
  return {
    eventsRead: log.eventsRead,
    slotsTouched: log.tallies.size,
    holdsPlaced: log.holdsPlaced,
    placesBooked: log.placesBooked,
    overBooked,
    unknownSlots,
    commitmentMismatches,
    mismatchSamples,
    seconds: (Date.now() - started) / 1000,
  };
}
