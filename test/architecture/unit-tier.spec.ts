import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The unit tier (`npm run test:unit`, jest.unit.config.js, issue 12 §8) runs the specs in libs/ with no
 * PostgreSQL. A spec that needs a database or a running API belongs in test/, where `npm test` gives it one;
 * this keeps a libs/ spec from reaching for them, so the tier stays fast and runs anywhere.
 */
const ROOT = join(__dirname, '..', '..');
const NEEDS_SERVER = /test\/support\/(test-database|test-api|global-setup)|createTestDatabase|startTestApi|BEDSIDE_TEST_ADMIN_URL|startEmbeddedPostgres|new DataSource\(/;

function* specs(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* specs(path);
    else if (entry.name.endsWith('.spec.ts')) yield path;
  }
}

describe('the unit tier', () => {
  it('holds only specs that need no database or running API', () => {
    const offenders = [...specs(join(ROOT, 'libs'))].filter((path) => NEEDS_SERVER.test(readFileSync(path, 'utf8'))).map((path) => relative(ROOT, path));
    expect(offenders).toEqual([]);
  });

  it('would catch a spec that opens a test database (the pattern is not vacuous)', () => {
    expect(NEEDS_SERVER.test(`import { createTestDatabase } from '../../../test/support/test-database';`)).toBe(true);
    expect(NEEDS_SERVER.test(`const api = await startTestApi();`)).toBe(true);
    expect(NEEDS_SERVER.test(`import type { DataSource } from 'typeorm';`)).toBe(false);
  });
});
