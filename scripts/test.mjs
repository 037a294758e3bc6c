#!/usr/bin/env node
// `npm test`: every suite, in the order that fails fastest. Each stage is a real runner with its own
// pass/fail summary; this script only sequences them and prints one closing line.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

/** Files under `dir` whose path matches `re`, skipping node_modules. */
function find(dir, re, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, re, out);
    else if (re.test(p)) out.push(p);
  }
  return out;
}

const nodeTestDirs = [
  'packages/core/src',
  'packages/db/src',
  'packages/api/src',
  'packages/client/src',
  'packages/ops/src',
  'packages/cli/src',
  'packages/react/src',
  'apps/server/src',
  'tests/node',
  'tests/api',
  'tests/admin',
];
const nodeTests = nodeTestDirs.flatMap((d) => find(join(root, d), /\.test\.ts$/)).sort();
const e2eTests = find(join(root, 'tests/e2e'), /\.test\.ts$/).sort();
const embedTests = find(join(root, 'tests/embed'), /\.test\.ts$/).sort();

// Biome (formatter + linter) over the whole tree; `npm run format` fixes what it reports.

const stages = [
  { name: 'lint', cmd: 'npx', args: ['biome', 'check', '.'] },
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'node', cmd: 'node', args: ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests], need: nodeTests.length },
  {
    name: 'browser',
    cmd: 'npx',
    args: ['web-test-runner', '--config', 'web-test-runner.config.mjs'],
    need: existsSync(join(root, 'web-test-runner.config.mjs')),
  },
  { name: 'storybook', cmd: 'npm', args: ['run', 'build-storybook'], need: existsSync(join(root, '.storybook')) },
  {
    name: 'e2e',
    cmd: 'node',
    args: ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...e2eTests],
    need: e2eTests.length,
  },
  // The packages as a host app gets them: packed, installed into fresh React, Vue and plain-HTML apps.
  { name: 'embed', cmd: 'node', args: ['--import', 'tsx', '--test', '--test-reporter=spec', ...embedTests], need: embedTests.length },
];

const results = [];
for (const stage of stages) {
  if (only.length && !only.includes(stage.name)) continue;
  if (stage.need === 0 || stage.need === false) {
    console.error(`\n== ${stage.name}: no tests found — failing, a suite that runs nothing proves nothing`);
    results.push({ name: stage.name, ok: false });
    continue;
  }
  console.log(`\n== ${stage.name}`);
  const started = Date.now();
  const r = spawnSync(stage.cmd, stage.args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  const ok = r.status === 0;
  results.push({ name: stage.name, ok, seconds: Math.round((Date.now() - started) / 1000) });
  console.log(
    `== ${stage.name}: ${ok ? 'passed' : `FAILED (exit ${r.status ?? r.signal})`} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log('\nstages: ' + results.map((r) => `${r.name} ${r.ok ? 'ok' : 'FAILED'}`).join(', '));
console.log(`stages: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
