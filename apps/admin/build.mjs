#!/usr/bin/env node
// Bundle the console (kit + components + Lit) into dist/console.js, served at /admin/assets/. Prints the
// gzip size of the JavaScript the first page loads, and fails above the 300 KB budget of issue 13.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const BUDGET = 300 * 1024;
mkdirSync(`${here}dist`, { recursive: true });
const result = await build({
  entryPoints: [`${here}src/main.ts`],
  outfile: `${here}dist/console.js`,
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
const { readFileSync } = await import('node:fs');
const bytes = readFileSync(`${here}dist/console.js`);
const gz = gzipSync(bytes, { level: 9 }).length;
console.log(
  `admin console: dist/console.js ${(bytes.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzip (budget ${BUDGET / 1024} KB)`,
);
if (Object.keys(result.metafile.outputs).length !== 1) console.warn('admin console: more than one output file');
if (gz > BUDGET) {
  console.error('admin console: over the first-page JavaScript budget');
  process.exit(1);
}
