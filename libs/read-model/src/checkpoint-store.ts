import type { EntityManager } from 'typeorm';
import { START_OF_LOG, type GlobalPosition } from '@bedside/event-store';

export interface Checkpoint {
  readonly position: GlobalPosition;
  readonly eventsApplied: number;
  readonly lastEventRecordedAt: Date | null;
  readonly updatedAt: Date;
  readonly rebuiltAt: Date | null;
}

interface CheckpointRow {
  transaction_id: string;
  global_position: string;
  events_applied: string;
  last_event_recorded_at: Date | null;
  updated_at: Date;
  rebuilt_at: Date | null;
}

const toCheckpoint = (row: CheckpointRow): Checkpoint => ({
  position: { transactionId: BigInt(row.transaction_id), position: BigInt(row.global_position) },
  eventsApplied: Number(row.events_applied),
  lastEventRecordedAt: row.last_event_recorded_at,
  updatedAt: row.updated_at,
  rebuiltAt: row.rebuilt_at,
});

/** Creates the checkpoint row if there is none, at `at` (the start of the log unless given). */
export async function ensureCheckpoint(manager: EntityManager, name: string, at: GlobalPosition = START_OF_LOG): Promise<void> {
  await manager.query('INSERT INTO projection_checkpoints (name, transaction_id, global_position) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [
    name,
    at.transactionId.toString(),
    at.position.toString(),
  ]);
}

export async function readCheckpoint(manager: EntityManager, name: string, forUpdate = false): Promise<Checkpoint> {
  const rows: CheckpointRow[] = await manager.query(
    `SELECT * FROM projection_checkpoints WHERE name = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [name],
  );
  return rows[0] ? toCheckpoint(rows[0]) : { position: START_OF_LOG, eventsApplied: 0, lastEventRecordedAt: null, updatedAt: new Date(0), rebuiltAt: null };
}

/**
 * Locks the checkpoint row for a batch's transaction and, in the same statement, lets that transaction
 * commit without waiting for its WAL flush: a read model is derived data, and a crash that loses the
 * commit loses the checkpoint with it, so the batch is applied again from the durable log.
 */
export async function lockCheckpointForBatch(manager: EntityManager, name: string): Promise<Checkpoint> {
  const rows: CheckpointRow[] = await manager.query(
    `SELECT set_config('synchronous_commit', 'off', true) AS synchronous_commit, * FROM projection_checkpoints WHERE name = $1 FOR UPDATE`,
    [name],
  );
  return rows[0] ? toCheckpoint(rows[0]) : { position: START_OF_LOG, eventsApplied: 0, lastEventRecordedAt: null, updatedAt: new Date(0), rebuiltAt: null };
}

/**
 * A reactor's checkpoint, held for its transaction by an advisory lock rather than a row lock: the
 * reactor appends events while it holds it, and a transaction with a transaction id (a row lock takes
 * one) would hide every later event from log readers (`pg_snapshot_xmin`) until it ends, so the read
 * models it waits for could never show what it appended. Two processes still take turns.
 */
export async function lockReactorCheckpoint(manager: EntityManager, name: string): Promise<Checkpoint> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('bedside-reactor:' || $1))`, [name]);
  return readCheckpoint(manager, name);
}

export async function advanceCheckpoint(
  manager: EntityManager,
  name: string,
  position: GlobalPosition,
  applied: number,
  lastEventRecordedAt: Date,
): Promise<void> {
  await manager.query(
    `UPDATE projection_checkpoints
        SET transaction_id = $2, global_position = $3, events_applied = events_applied + $4,
            last_event_recorded_at = $5, updated_at = now()
      WHERE name = $1`,
    [name, position.transactionId.toString(), position.position.toString(), applied, lastEventRecordedAt],
  );
}

export async function resetCheckpoint(manager: EntityManager, name: string): Promise<void> {
  await manager.query(
    `UPDATE projection_checkpoints
        SET transaction_id = 0, global_position = 0, events_applied = 0, last_event_recorded_at = NULL,
            updated_at = now(), rebuilt_at = now()
      WHERE name = $1`,
    [name],
  );
}
