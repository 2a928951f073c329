import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { quoteIdentifier } from '@bedside/database';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file, on the server the run uses (embedded or DATABASE_URL). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.BEDSIDE_TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('BEDSIDE_TEST_ADMIN_URL is not set: run tests through jest (npm test).');
  const name = `bedside_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdentifier(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
