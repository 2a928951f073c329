import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Builds the console (issue 15) into dist/console, where the API serves it (apps/api/src/console).
 * `npm start` runs it first and the tests' global set-up (test/support/global-setup.ts) before any
 * test, so there is no step to remember; it takes under a second.
 */
const root = join(__dirname, '..', '..');
const out = process.env.BEDSIDE_CONSOLE_DIR ?? join(root, 'dist', 'console');

/** Builds the console; returns what it wrote, in a line for the log. */
export async function buildConsole(): Promise<string> {
  const started = performance.now(); // elapsed time only, not the time of day
  await rm(out, { recursive: true, force: true });
  const result = await build({
    entryPoints: { main: join(__dirname, 'src', 'main.tsx') },
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    // Pages opened later (the heatmap and its charts) come in chunks of their own, fetched when opened.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: ['es2022'],
    platform: 'browser',
    outdir: out,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // The NHS stylesheet's icons are served from /assets (copied below); its fonts come from the NHS's own site when reachable.
    external: ['/assets/*', 'https://*'],
    metafile: true,
    logLevel: 'warning',
    // nhsuk-frontend's stylesheet keeps old-browser hacks (`@media screen\0`) that esbuild reports and passes through as written.
    logOverride: { 'css-syntax-error': 'silent' },
  });
  await writeFile(join(out, 'index.html'), await readFile(join(__dirname, 'index.html')));
  const nhsAssets = join(dirname(require.resolve('nhsuk-frontend/package.json')), 'dist', 'nhsuk', 'assets');
  await mkdir(join(out, 'assets'), { recursive: true });
  await cp(nhsAssets, join(out, 'assets'), { recursive: true });
  const sizes = await Promise.all(
    Object.keys(result.metafile.outputs)
      .filter((file) => !file.endsWith('.map'))
      .map(async (file) => {
        const bytes = await readFile(resolve(file));
        // Kept compressed beside each file, served as the browser accepts (@fastify/static preCompressed).
        await writeFile(`${resolve(file)}.br`, brotliCompressSync(bytes));
        await writeFile(`${resolve(file)}.gz`, gzipSync(bytes, { level: 9 }));
        return `${relative(out, resolve(file))} ${(bytes.length / 1024).toFixed(0)} kB (${(gzipSync(bytes).length / 1024).toFixed(0)} kB gzipped)`;
      }),
  );
  return `console: built ${relative(process.cwd(), out) || out} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${sizes.join(', ')}`;
}

if (require.main === module) {
  buildConsole().then(
    (line) => process.stdout.write(`${line}\n`),
    (error: unknown) => {
      process.stderr.write(`console: build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
