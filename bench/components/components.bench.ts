// Component bench: bundle sizes (esbuild, min + gzip -9) and the time to render 1,000 badges in
// controlled mode beside 1,000 plain spans and 1,000 minimal Lit elements, in one Chromium page load.
// Prints results against the targets of issue 4; asserts nothing.
// Run: node --import tsx bench/components/components.bench.ts [--rounds 15] [--sizes-only]
import { build, type Metafile } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROME_ARGS, CHROME_PATH } from '../../tests/support/chromium.mjs';
import { bundleOptions, entries } from '../../packages/components/scripts/build.mjs';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const root = here('../../');
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 25;
const WARMUP = 3;
const N = 1000;

/**
 * One bundle, built as build.mjs builds it and under the name it ships as: its licence comment (`licenceLink`)
 * names the file (`tierkit.js.LEGAL.txt`), so another name would measure other bytes.
 */
async function bundle(name: string, entry: { file: string } | { code: string }): Promise<{ code: string; metafile: Metafile }> {
  const result = await build({
    ...bundleOptions,
    ...('file' in entry ? { entryPoints: [entry.file] } : { stdin: { contents: entry.code, resolveDir: root, loader: 'ts' } }),
    write: false,
    outfile: join(tmpdir(), 'tk-bench-out', name), // nothing is written
    metafile: true,
    logLevel: 'error',
  });
  const js = result.outputFiles?.find((f) => f.path.endsWith(name));
  return { code: js?.text ?? '', metafile: result.metafile };
}

// In bytes too: the budgets are met or missed by a few bytes, which two decimals of a KB hide.
const kb = (n: number) => `${(n / 1024).toFixed(2)} KB (${n.toLocaleString('en')} B)`;
const gz = (code: string) => gzipSync(code, { level: 9 }).length;
// Inputs that made it into the output (tree-shaken modules still appear in `inputs`, at 0 bytes).
const usesDecorators = (m: Metafile) =>
  Object.values(m.outputs).some((o) =>
    Object.entries(o.inputs).some(
      ([p, i]) => p.includes('lit/decorators') || (p.includes('reactive-element') && p.includes('/decorators/') && i.bytesInOutput > 0),
    ),
  );

async function sizes() {
  const all = await bundle('tierkit.js', { file: entries['tierkit.js'] });
  const badge = await bundle('tierkit-badge.js', { file: entries['tierkit-badge.js'] });
  // The baseline is what the badge cannot avoid: Lit and @lit/context — plus lit/decorators only
  // when the badge bundle actually carries them, so the comparison never flatters the badge.
  const withDecorators = usesDecorators(badge.metafile);
  const baseline = await bundle('baseline.js', {
    code: `export * from 'lit'; export * from '@lit/context';${withDecorators ? " export * from 'lit/decorators.js';" : ''}`,
  });
  const rows = [
    { name: 'all five elements + Lit (dist/tierkit.js)', target: 25 * 1024, code: all.code },
    { name: 'tk-tier-badge alone (dist/tierkit-badge.js)', target: 10 * 1024, code: badge.code },
    { name: `baseline: Lit + @lit/context${withDecorators ? ' + decorators' : ''}`, target: null, code: baseline.code },
  ];
  console.log('\nBundle sizes (esbuild --minify, gzip -9)');
  for (const r of rows) {
    const g = gz(r.code);
    const verdict =
      r.target === null
        ? ''
        : g <= r.target
          ? `  ≤ ${kb(r.target)} target: met (margin ${kb(r.target - g)})`
          : `  ≤ ${kb(r.target)} target: MISSED by ${kb(g - r.target)}`;
    console.log(`  ${r.name.padEnd(46)} min ${kb(Buffer.byteLength(r.code)).padStart(9)}   gzip ${kb(g).padStart(9)}${verdict}`);
  }
  console.log(`  badge above baseline: ${kb(gz(badge.code) - gz(baseline.code))} gzip`);
}

const KINDS = ['span', 'lit', 'lit-styled', 'badge', 'badge-progress'] as const;
type Kind = (typeof KINDS)[number];
const LABELS: Record<Kind, string> = {
  span: 'plain <span>',
  lit: 'minimal Lit element (span + text)',
  'lit-styled': 'minimal Lit element + 1 style rule',
  badge: 'tk-tier-badge, controlled',
  'badge-progress': 'tk-tier-badge, controlled, progress',
};

/** A small seeded PRNG, so every run of the bench uses the same orders. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates. */
function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return (s[lo] ?? NaN) + ((s[Math.ceil(i)] ?? NaN) - (s[lo] ?? NaN)) * (i - lo);
}

/**
 * Renders N elements of each of `kinds`, interleaved in one page load, and prints medians and ratios
 * to the minimal Lit element. Each call is its own browser, so what one table's kinds leave behind
 * (a thousand shadow roots with stylesheets, a thousand progress bars) cannot weigh on another's.
 */
async function renderTimes(pageCode: string, kinds: readonly Kind[], title: string, judged: boolean) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'tk-bench-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROME_PATH,
    headless: true,
    args: [...CHROME_ARGS, '--js-flags=--expose-gc'],
  });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html lang="zh-CN"><body></body></html>');
    await page.addScriptTag({ content: pageCode, type: 'module' });
    await page.waitForFunction(() => 'renderMany' in window);
    const run = (kind: Kind) =>
      page.evaluate(
        async ([k, n]) => {
          const w = window as unknown as { gc?: () => void; renderMany: (k: string, n: number) => Promise<number> };
          w.gc?.(); // start every run from a collected heap, so one kind's garbage is not billed to the next
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
          return w.renderMany(k, n);
        },
        [kind, N] as const,
      );
    const runs = Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
    // All kinds in one page load, interleaved, in a new (seeded) random order every round: what one
    // kind leaves behind (collected shadow roots, style data) falls on a different neighbour each
    // time. A rotation would not do that — it keeps every kind behind the same neighbour. The first
    // rounds warm the JIT and are dropped.
    const random = mulberry32(20261123);
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (const k of shuffled(kinds, random)) {
        const ms = await run(k);
        if (round >= WARMUP) runs[k].push(ms);
      }
    }
    const med = (k: Kind) => quantile(runs[k], 0.5);
    const ref = med('lit');
    console.log(`\n${title}`);
    for (const k of kinds) {
      const range = `[${quantile(runs[k], 0.25).toFixed(1)}–${quantile(runs[k], 0.75).toFixed(1)}]`;
      const ratio = med(k) / ref;
      // The same ratio taken within each round (both kinds ran a moment apart), then the median: a
      // machine that speeds up or slows down between rounds moves both sides of each pair alike.
      const paired = runs[k].map((ms, i) => ms / runs.lit[i]!);
      const pairedText = `${quantile(paired, 0.5).toFixed(2)}× [${quantile(paired, 0.25).toFixed(2)}–${quantile(paired, 0.75).toFixed(2)}]`;
      const target = judged && k === 'badge' ? `  target ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'MISSED'}` : '';
      console.log(
        `  ${LABELS[k].padEnd(38)} ${med(k).toFixed(1).padStart(7)} ms ${range.padEnd(14)} ${ratio.toFixed(2)}×   ${pairedText.padEnd(20)}${target}`,
      );
    }
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

await sizes();
// `--sizes-only`: the bundle sizes without the render times, which take minutes.
if (process.argv.includes('--sizes-only')) process.exit(0);
const { code: pageCode } = await bundle('bench-page.js', { file: here('./bench-page.ts') });
console.log(`\nRender ${N.toLocaleString('en')} elements (create + connect + render + style + layout); per table one page load,`);
console.log(`${ROUNDS} interleaved rounds after ${WARMUP} warm-up; median [p25–p75]; ratio = median / minimal Lit median;`);
console.log('paired = median [p25–p75] of the ratio within each round');
await renderTimes(
  pageCode,
  ['span', 'lit', 'badge'],
  "The target's page (issue 4): badges beside plain spans and minimal Lit elements",
  true,
);
await renderTimes(
  pageCode,
  ['lit', 'lit-styled', 'badge', 'badge-progress'],
  'For reference, in a page load of their own: a styled minimal element and the badge with progress',
  false,
);
