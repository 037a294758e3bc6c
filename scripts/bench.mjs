#!/usr/bin/env node
// `npm run bench`: runs every bench/**/*.bench.ts in its own process (so one cannot warm the JIT for
// another) and records what they printed in BENCHMARKS.md. Benchmarks print ratios against a baseline
// measured in the same run; nothing here asserts a timing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import os from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function find(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.bench.ts')) out.push(p);
  }
  return out;
}

// Benches too long for every run (minutes of generating a large PostgreSQL book): only when named,
// e.g. `npm run bench pg-reports` (or their own script in package.json).
const onlyWhenNamed = ['bench/api/pg-reports.bench.ts'];
const files = find(join(root, 'bench')).filter((f) =>
  only.length ? only.some((o) => f.includes(o)) : !onlyWhenNamed.includes(relative(root, f)),
);
const sections = [];
let failed = 0;
for (const file of files) {
  const rel = relative(root, file);
  console.log(`\n== ${rel}`);
  const r = spawnSync('node', ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout ?? '');
  if (r.status !== 0) failed++;
  sections.push(`## ${rel}\n\n\`\`\`\n${(r.stdout ?? '').trim()}\n\`\`\`\n${r.status === 0 ? '' : `\n(exited ${r.status})\n`}`);
}

const header =
  `# Benchmarks\n\nWritten by \`npm run bench\` on ${new Date().toISOString()} — Node ${process.version}, ` +
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}. Each benchmark measures its own baseline in the same run ` +
  `and prints the ratio to it; compare ratios, not absolute numbers, across machines.\n`;
if (!only.length) writeFileSync(join(root, 'BENCHMARKS.md'), [header, ...sections].join('\n'));
process.exit(failed ? 1 : 0);
