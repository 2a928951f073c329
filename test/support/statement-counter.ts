import type { INestApplication } from '@nestjs/common';
import type { Client } from 'pg';
import { DataSource } from 'typeorm';

/**
 * Counts the SQL statements the API's read side sends while `action` runs: every `query` on a client
 * of the pg class behind its TypeORM pool (the event store's pool uses the same class). Only
 * meaningful while nothing else in the process talks to the database (no projections running).
 */
export async function countStatements<T>(app: INestApplication, action: () => Promise<T>): Promise<{ value: T; statements: number; texts: string[] }> {
  const pool = (app.get(DataSource).driver as unknown as { master: { Client: typeof Client } }).master;
  const prototype = pool.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  const texts: string[] = [];
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const [config] = args;
    texts.push(typeof config === 'string' ? config : String((config as { text?: unknown })?.text ?? ''));
    return original.apply(this, args);
  };
  try {
    const value = await action();
    return { value, statements: texts.length, texts };
  } finally {
    prototype.query = original;
  }
}
