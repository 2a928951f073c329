import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const TITLE = '# Benchmarks\n\nFigures written by the benchmark scripts; each section is replaced by its own script.\n';

/**
 * Writes one benchmark's section of a shared markdown file, between `<!-- bench:<id>:start -->` and
 * `<!-- bench:<id>:end -->`, leaving every other section and hand-written text as it was.
 */
export async function writeMarkdownSection(file: string, id: string, body: string): Promise<void> {
  const start = `<!-- bench:${id}:start -->`;
  const end = `<!-- bench:${id}:end -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  let next: string;
  if (existing === undefined) {
    next = `${TITLE}\n${section}\n`;
  } else {
    const from = existing.indexOf(start);
    const to = existing.indexOf(end, from);
    if (from >= 0 && to >= 0) {
      next = existing.slice(0, from) + section + existing.slice(to + end.length);
    } else if (from >= 0 || existing.includes(end)) {
      throw new Error(`${file} has only one of the markers ${start} / ${end}: fix it by hand before rerunning.`);
    } else {
      next = `${existing.trimEnd()}\n\n${section}\n`;
    }
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, next);
}
