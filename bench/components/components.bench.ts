// Component bench: bundle sizes (esbuild, min + gzip) and the time to render 1,000 badges in
// controlled mode beside 1,000 plain spans and 1,000 minimal Lit elements, in one Chromium page.
// Prints results against the targets of issue 4; asserts nothing.
// Run: node --import tsx bench/components/components.bench.ts
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bundleOptions } from '../../packages/components/scripts/build.mjs';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const root = here('../../');

async function bundle(entry: { file: string } | { code: string }): Promise<string> {
  const result = await build({
    ...bundleOptions,
    ...('file' in entry ? { entryPoints: [entry.file] } : { stdin: { contents: entry.code, resolveDir: root, loader: 'ts' } }),
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles?.[0]?.text ?? '';
}

const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
function size(code: string) {
  const min = Buffer.byteLength(code);
  return { min, gz: gzipSync(code, { level: 9 }).length };
}

async function sizes() {
  const rows = [
    { name: 'all five elements + Lit (dist/tierkit.js)', target: 25 * 1024, code: await bundle({ file: join(root, 'packages/components/src/define.ts') }) },
    { name: 'tk-tier-badge alone (dist/tierkit-badge.js)', target: 10 * 1024, code: await bundle({ file: join(root, 'packages/components/src/tier-badge/tier-badge.ts') }) },
    { name: 'baseline: Lit + @lit/context', target: null, code: await bundle({ code: "export * from 'lit'; export * from 'lit/decorators.js'; export * from '@lit/context';" }) },
  ];
  console.log('\nBundle sizes (esbuild --minify, gzip -9)');
  for (const r of rows) {
    const s = size(r.code);
    const verdict = r.target === null ? '' : s.gz <= r.target ? `  ≤ ${kb(r.target)} target: met` : `  ≤ ${kb(r.target)} target: MISSED by ${kb(s.gz - r.target)}`;
    console.log(`  ${r.name.padEnd(46)} min ${kb(s.min).padStart(10)}   gzip ${kb(s.gz).padStart(9)}${verdict}`);
  }
}

async function renderTimes() {
  const pageCode = await bundle({ file: here('./bench-page.ts') });
  const userDataDir = mkdtempSync(join(tmpdir(), 'tk-bench-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html lang="zh-CN"><body></body></html>');
    await page.addScriptTag({ content: pageCode, type: 'module' });
    await page.waitForFunction(() => 'renderMany' in window);
    const kinds = ['span', 'lit', 'badge'] as const;
    const runs: Record<(typeof kinds)[number], number[]> = { span: [], lit: [], badge: [] };
    // Warm up once, then alternate kinds so drift in the machine's load hits all of them alike.
    for (const k of kinds) await page.evaluate((kind) => (window as unknown as { renderMany: (k: string, n: number) => Promise<number> }).renderMany(kind, 1000), k);
    for (let round = 0; round < 7; round++) {
      for (const k of kinds) {
        runs[k].push(await page.evaluate((kind) => (window as unknown as { renderMany: (k: string, n: number) => Promise<number> }).renderMany(kind, 1000), k));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const m = { span: median(runs.span), lit: median(runs.lit), badge: median(runs.badge) };
    console.log('\nRender 1,000 elements, one page load, median of 7 rounds (create + connect + render + layout)');
    console.log(`  plain <span>                 ${m.span.toFixed(1).padStart(8)} ms   ${(m.span / m.lit).toFixed(2)}× minimal Lit`);
    console.log(`  minimal Lit element          ${m.lit.toFixed(1).padStart(8)} ms   1.00×`);
    const ratio = m.badge / m.lit;
    console.log(`  tk-tier-badge (controlled)   ${m.badge.toFixed(1).padStart(8)} ms   ${ratio.toFixed(2)}× minimal Lit  (target ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'MISSED'})`);
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

await sizes();
await renderTimes();
