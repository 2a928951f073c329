import type { EntityManager } from 'typeorm';

/**
 * Upserts rows given as objects (keys are column names) in one statement through jsonb_to_recordset:
 * one round trip per table per batch, whatever the batch size, so rebuilds stay fast.
 */
export async function upsertRows(manager: EntityManager, table: string, columns: Record<string, string>, key: string[], rows: object[]): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const updates = names.filter((n) => !key.includes(n)).map((n) => `${n} = excluded.${n}`);
  await manager.query(
    `INSERT INTO ${table} (${names.join(', ')})
     SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${names.map((n) => `${n} ${columns[n]}`).join(', ')})
     ON CONFLICT (${key.join(', ')}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
    [JSON.stringify(rows)],
  );
}

