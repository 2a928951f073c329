import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Time is an input (issue 11 §1): every "now" in the product comes from the Clock port, so tests and
 * simulations can set it. Only the clock adapter (libs/shared/src/clock.ts) may read the system time,
 * and in the browser only the console's (apps/console/src/clock.ts), which tests set to the API's;
 * durations are timed with performance.now(), which says how long, never what day it is.
 */
const ROOT = join(__dirname, '..', '..');
const ADAPTERS = new Set(['libs/shared/src/clock.ts', 'apps/console/src/clock.ts']);
const SYSTEM_TIME = /\bDate\.now\b|\bnew Date\(\s*\)|(?<![\w.])Date\(\s*\)/;

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.spec.ts')) yield path;
  }
}

describe('the clock port', () => {
  it('is the only code in libs/ and apps/ that reads the system time', () => {
    const offenders: string[] = [];
    for (const top of ['libs', 'apps']) {
      for (const path of sources(join(ROOT, top))) {
        const file = relative(ROOT, path);
        if (ADAPTERS.has(file)) continue;
        readFileSync(path, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (SYSTEM_TIME.test(line.replace(/\/\/.*$/, ''))) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offenders).toEqual([]);
  });

  it('would catch a read of the system time (the pattern is not vacuous)', () => {
    for (const line of ['const t = Date.now();', 'const d = new Date();', 'const s = Date();', 'setTimeout(f, Date.now)']) expect(SYSTEM_TIME.test(line)).toBe(true);
    for (const line of ['new Date(row.at)', 'new Date(0)', 'performance.now()', 'clock.now()', 'localDateOf(instant)']) expect(SYSTEM_TIME.test(line)).toBe(false);
  });
});
