import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A read on a hot path as a named prepared statement on the pool TypeORM holds: PostgreSQL parses and
 * plans it once per connection rather than on every request, and its text is not sent again.
 * `name` must stand for exactly one SQL text.
 */
export async function preparedQuery<T>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query({ name, text, values })).rows as T[];
}
