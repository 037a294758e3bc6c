#!/usr/bin/env node
// `npm run bench`: runs every bench/**/*.bench.ts in its own process (so one cannot warm the JIT for
// another) and records what each printed in its own block of BENCHMARKS.md (scripts/bench-record.mjs),
// leaving the rest of that file as written. `npm run bench api pg-reports` runs only the benches whose
// path contains a given word. Benchmarks print ratios against a baseline measured in the same run;
// nothing here asserts a timing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import os from 'node:os';
import { runBlock, spliceRun } from './bench-record.mjs';

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

// Benches too long for every run: pg-reports generates a million-customer PostgreSQL book (about
// 15 minutes in all). They run only when their own name is given, `npm run bench pg-reports`; a word
// that merely occurs in their path (`npm run bench api`) does not start them.
const onlyWhenNamed = new Map([['bench/api/pg-reports.bench.ts', 'pg-reports']]);
const files = find(join(root, 'bench')).filter((f) => {
  const name = onlyWhenNamed.get(relative(root, f));
  if (name !== undefined) return only.includes(name);
  return !only.length || only.some((o) => f.includes(o));
});
if (!files.length) {
  console.error(`no bench matches ${only.join(' ')}`);
  process.exit(1);
}

const benchmarks = join(root, 'BENCHMARKS.md');
const cpu = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`;
let failed = 0;
for (const file of files) {
  const rel = relative(root, file);
  console.log(`\n== ${rel}`);
  const r = spawnSync('node', ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout ?? '');
  if (r.status !== 0) failed++;
  // Read and written per bench, so a run stopped half-way keeps what the finished benches recorded.
  const block = runBlock({ rel, output: r.stdout ?? '', status: r.status, date: new Date().toISOString(), node: process.version, cpu });
  writeFileSync(benchmarks, spliceRun(readFileSync(benchmarks, 'utf8'), rel, block));
}
process.exit(failed ? 1 : 0);
