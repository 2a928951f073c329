import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Live capacity has one owner (issue 12 §1): the capacity slice (libs/capacity, its tests in
 * test/capacity). Everyone else asks it through CapacityReads and SlotLayoutCache. These checks keep
 * it so: no other code names its tables, no projection reads an application folder, and projections,
 * feeds and reactors take typed events rather than casting them (issue 12 §2).
 *
 * bench/ is left out on purpose: a benchmark's baseline is the same rows read by plain SQL.
 */
const ROOT = join(__dirname, '..', '..');
const CAPACITY_TABLES = /\b(capacity_slots|capacity_commitments|capacity_commitments_version|capacity_calendars|capacity_exceptions|capacity_sites|capacity_units|bank_holidays)\b/;

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

const source = (...dirs: string[]) => dirs.flatMap((dir) => [...files(join(ROOT, dir))]).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

/** Migrations are history: the network model's first migration created these tables before the slice took them over. */
const isMigration = (path: string) => path.includes('/migrations/');

describe('the capacity slice owns live capacity', () => {
  it('no file outside it names its tables', () => {
    const outside = source('libs', 'apps', 'test').filter(({ path }) => !path.startsWith('libs/capacity/') && !path.startsWith('test/capacity/') && !isMigration(path) && path !== relative(ROOT, __filename));
    expect(outside.filter(({ text }) => CAPACITY_TABLES.test(text)).map(({ path }) => path)).toEqual([]);
  });

  it('no projection imports from an application folder', () => {
    const projections = source('libs').filter(({ path }) => path.includes('/projections/'));
    expect(projections.filter(({ text }) => /from '\.\.?\/(\.\.\/)*application\//.test(text)).map(({ path }) => path)).toEqual([]);
  });

  it('projections, feeds and reactors read typed events, never casting them through unknown', () => {
    const readers = source('libs').filter(
      ({ path, text }) => !path.endsWith('.spec.ts') && (path.includes('/projections/') || /\blive\.feed\(|implements Reactor\b|implements Projection\b/.test(text)),
    );
    expect(readers.length).toBeGreaterThan(8);
    expect(readers.filter(({ text }) => text.includes('as unknown as')).map(({ path }) => path)).toEqual([]);
  });

  it('would catch a table named elsewhere (the pattern is not vacuous)', () => {
    expect(CAPACITY_TABLES.test('SELECT * FROM capacity_slots s')).toBe(true);
    expect(CAPACITY_TABLES.test('LEFT JOIN capacity_commitments c USING (resource_key)')).toBe(true);
    expect(CAPACITY_TABLES.test('const capacity = await this.capacity.placed(slots)')).toBe(false);
  });
});
