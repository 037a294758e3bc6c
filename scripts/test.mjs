#!/usr/bin/env node
// `npm test`: every suite, in the order that fails fastest. Each stage is a real runner with its own
// pass/fail summary; this script only sequences them and prints one closing line.
import { spawn, spawnSync } from 'node:child_process';
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

// Files run side by side: most of a file's time is waiting (PostgreSQL, child processes), so three at
// once keep 2 cores busy. Every file makes its own temp folders, databases and port-0 servers.
const NODE_CONCURRENCY = 3;

/**
 * One PostgreSQL cluster for a stage (tests/support/shared-postgres.ts), so its files create databases
 * on it instead of each running initdb. Stopped by closing its stdin, which also happens if this
 * script dies.
 */
async function sharedPostgres() {
  const child = spawn('node', ['--import', 'tsx', 'tests/support/shared-postgres.ts'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`the shared PostgreSQL did not start (exit ${code})`)));
  });
  const { url, dataDir, template } = JSON.parse(line);
  return {
    env: { TIERKIT_TEST_PG_URL: url, TIERKIT_TEST_PG_DATA_DIR: dataDir, TIERKIT_TEST_PG_TEMPLATE: template },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

// Biome (formatter + linter) over the whole tree; `npm run format` fixes what it reports.

const stages = [
  { name: 'lint', cmd: 'npx', args: ['biome', 'check', '.'] },
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '-p', 'tsconfig.json', '--noEmit'] },
  {
    name: 'node',
    cmd: 'node',
    args: ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${NODE_CONCURRENCY}`, ...nodeTests],
    need: nodeTests.length,
    postgres: true,
  },
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
    // The bundles the server serves, built once here rather than by each file (tests/e2e/support/builds.ts).
    prepare: [
      ['npm', ['run', 'build:bundles', '-w', '@tierkit/components']],
      ['npm', ['run', 'build', '-w', '@tierkit/admin-console']],
    ],
    env: { TIERKIT_E2E_BUILT: '1' },
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
  const prepared = (stage.prepare ?? []).every(([cmd, args]) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status === 0);
  if (!prepared) {
    console.error(`== ${stage.name}: FAILED preparing (see the build output above)`);
    results.push({ name: stage.name, ok: false });
    continue;
  }
  let pg;
  try {
    pg = stage.postgres ? await sharedPostgres() : undefined;
  } catch (error) {
    console.error(`== ${stage.name}: ${error.message}`);
    results.push({ name: stage.name, ok: false });
    continue;
  }
  const r = spawnSync(stage.cmd, stage.args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: '0', ...stage.env, ...pg?.env },
  });
  await pg?.stop();
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
