import type { Pool } from 'pg';
import { runMigrations } from '@bedside/database';
import { EVENT_STORE_MIGRATIONS } from '@bedside/event-store';

/** The raw baseline's table: the same columns, defaults, constraints and indexes as `events`. */
export const RAW_TABLE = 'raw_events';

/** The event store's schema, from its own migration, so the benchmark measures what the app runs. */
export async function createEventStoreSchema(url: string): Promise<void> {
  await runMigrations(url, EVENT_STORE_MIGRATIONS);
}

/**
 * Creates the raw baseline table as a copy of `events` (columns, defaults, identity, unique constraints
 * and indexes; not the triggers) without the hash chain (docs/record.md), and fills it with the same rows.
 * The two then differ in how rows are appended and in the chain, which the store computes for each event
 * and plain PostgreSQL does not: the ratio includes what the tamper-evident record costs. Both start
 * equally large.
 */
export async function createRawTable(admin: Pool): Promise<void> {
  await admin.query(`CREATE TABLE ${RAW_TABLE} (LIKE events INCLUDING ALL)`);
  await admin.query(`ALTER TABLE ${RAW_TABLE} DROP COLUMN hash`);
  await admin.query(
    `INSERT INTO ${RAW_TABLE} (global_position, transaction_id, event_id, stream_id, stream_position, type, schema_version, data, metadata, recorded_at)
     OVERRIDING SYSTEM VALUE SELECT global_position, transaction_id, event_id, stream_id, stream_position, type, schema_version, data, metadata, recorded_at FROM events`,
  );
  const { rows } = await admin.query<{ next: string }>(`SELECT coalesce(max(global_position), 0) + 1 AS next FROM ${RAW_TABLE}`);
  await admin.query(`ALTER TABLE ${RAW_TABLE} ALTER COLUMN global_position RESTART WITH ${BigInt(rows[0]!.next)}`);
  await admin.query(`VACUUM (ANALYZE) ${RAW_TABLE}`);
}

/**
 * Starts each measured segment right after a checkpoint, so a timed checkpoint (and the burst of
 * full-page writes after it) does not land on one side only. Needs superuser or pg_checkpoint:
 * without it the run goes on and the report says so.
 */
export class Checkpointer {
  private permitted = true;

  constructor(private readonly admin: Pool) {}

  get enabled(): boolean {
    return this.permitted;
  }

  async checkpoint(): Promise<void> {
    if (!this.permitted) return;
    try {
      await this.admin.query('CHECKPOINT');
    } catch (error) {
      if ((error as { code?: string }).code !== '42501') throw error;
      this.permitted = false;
    }
  }
}
