#!/usr/bin/env node
// Bundle the console (kit + components + Lit) into dist/console.js, served at /admin/assets/, with the
// chart library split into chunks of its own that only the analytics page imports (dynamic import()).
// Prints the gzip size of the JavaScript the first page loads — the entry and every chunk it imports
// statically, transitively — and fails above the 300 KB budget of issue 13; the lazily loaded chunks
// are printed separately.
import { readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const BUDGET = 300 * 1024;
// Chunk names carry a content hash: stale ones of an earlier build must not linger beside the new.
rmSync(`${here}dist`, { recursive: true, force: true });
const result = await build({
  entryPoints: { console: `${here}src/main.ts` },
  outdir: `${here}dist`,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  write: true,
  metafile: true,
  legalComments: 'none',
  // In the repository @tierkit/* are sources (tsconfig paths); the base config has the compiler settings.
  tsconfig: fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url)),
  conditions: ['tierkit-source'],
  logLevel: 'warning',
});

const outputs = result.metafile.outputs;
const cwd = process.cwd();
const entry = Object.keys(outputs).find((file) => outputs[file].entryPoint !== undefined);
if (!entry) throw new Error('admin console: no entry output');
const gzip = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// What the first page loads: the entry and, transitively, what it imports statically.
const firstPage = new Set();
const stack = [entry];
while (stack.length) {
  const file = stack.pop();
  if (firstPage.has(file)) continue;
  firstPage.add(file);
  for (const i of outputs[file].imports) if (i.kind === 'import-statement' && outputs[i.path]) stack.push(i.path);
}
let firstGz = 0;
let firstRaw = 0;
for (const file of firstPage) {
  firstGz += gzip(file);
  firstRaw += outputs[file].bytes;
}
console.log(
  `admin console: first page ${[...firstPage].map((f) => relative(cwd, f)).join(' + ')}: ${kb(firstRaw)}, ${kb(firstGz)} gzip (budget ${BUDGET / 1024} KB)`,
);
for (const file of Object.keys(outputs)) {
  if (firstPage.has(file) || !file.endsWith('.js')) continue;
  const lazy = Object.keys(outputs[file].inputs).some((i) => i.includes('node_modules/chart'));
  console.log(
    `admin console: loaded later ${relative(cwd, file)}: ${kb(outputs[file].bytes)}, ${kb(gzip(file))} gzip${lazy ? ' (chart library)' : ''}`,
  );
}
// The engine's validator (zod, ~100 KB gzip) belongs to the policies page's chunk alone. esbuild puts
// whatever a first-page module reaches through a barrel into a chunk the entry loads, so one
// `import { x } from '@tierkit/core'` (rather than a subpath) on the first page brings it all back.
const zodOnFirstPage = [...firstPage].some((file) => Object.keys(outputs[file].inputs).some((i) => i.includes('node_modules/zod/')));
if (zodOnFirstPage) {
  console.error(
    "admin console: zod is on the first page (a first-page module imports @tierkit/core or the kit's policy editor; use a subpath)",
  );
  process.exit(1);
}
if (firstGz > BUDGET) {
  console.error('admin console: over the first-page JavaScript budget');
  process.exit(1);
}
