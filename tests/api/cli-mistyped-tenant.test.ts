import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';

/*
 * A mistyped --tenant given to a CLI command
 * that lists what a tenant holds used to answer "no API keys" or "no jobs", exit 0 — a bank with nothing
 * in it. Now it is one line saying the tenant does not exist and how many there are, exit 1.
 */

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tierkit-mistyped-tenant-'));
const database = join(dir, 'bank.db');
after(() => rmSync(dir, { recursive: true, force: true }));

function tierkit(args: readonly string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'packages/cli/src/bin.ts', ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database, ...env },
    encoding: 'utf8',
  });
  const lines = (t: string) => t.split('\n').filter((l) => l !== '' && !l.startsWith('database: '));
  return { code: r.status, out: lines(r.stdout), err: lines(r.stderr) };
}

it('keys list and jobs list of a tenant that does not exist refuse in one line, exit 1; of one that does, answer as before', {
  timeout: 300_000,
}, async () => {
  assert.equal(tierkit(['tenants', 'create', 'acme']).code, 0);

  const keys = tierkit(['keys', 'list', '--tenant', 'acmee']);
  assert.deepEqual(keys, {
    code: 1,
    out: [],
    err: ['keys list: tenant "acmee" does not exist (the database holds 1 tenant; tierkit tenants list names them)'],
  });
  const jobs = tierkit(['jobs', 'list', '--tenant', 'acmee']);
  assert.deepEqual(jobs, {
    code: 1,
    out: [],
    err: ['jobs list: tenant "acmee" does not exist (the database holds 1 tenant; tierkit tenants list names them)'],
  });
  assert.equal(tierkit(['jobs', 'schedule', '--tenant', 'acmee']).code, 1);

  assert.deepEqual(tierkit(['keys', 'list', '--tenant', 'acme']), { code: 0, out: ['no API keys'], err: [] });
  assert.deepEqual(tierkit(['jobs', 'list', '--tenant', 'acme']), { code: 0, out: ['no jobs'], err: [] });
  // Every tenant's keys (no tenant given) is no tenant to check.
  assert.equal(tierkit(['keys', 'list']).code, 0);
});

it('retier, simulate and jobs act on TIERKIT_TENANT when given no --tenant, as every other command does, and refuse it mistyped', {
  timeout: 300_000,
}, async () => {
  // `jobs list` on a bank's host (TIERKIT_TENANT=acme) used to list tenant demo's jobs, and here refuse it.
  assert.deepEqual(tierkit(['jobs', 'list'], { TIERKIT_TENANT: 'acme' }), { code: 0, out: ['no jobs'], err: [] });
  const missing = 'tenant "acmee" does not exist (the database holds 1 tenant; tierkit tenants list names them)';
  assert.deepEqual(tierkit(['jobs', 'list'], { TIERKIT_TENANT: 'acmee' }), { code: 1, out: [], err: [`jobs list: ${missing}`] });
  // A mistyped tenant was read as a scheme with no such version.
  assert.deepEqual(tierkit(['simulate', 'default', '1'], { TIERKIT_TENANT: 'acmee' }), { code: 1, out: [], err: [`simulate: ${missing}`] });
  const retier = tierkit(['retier', '--period', '2025-10'], { TIERKIT_TENANT: 'acmee' });
  assert.equal(retier.code, 1);
  assert.match(retier.err.at(-1) ?? '', /acmee/, 'the tenant refused is the one TIERKIT_TENANT names, not demo');
  // --tenant still wins over TIERKIT_TENANT.
  assert.deepEqual(tierkit(['jobs', 'list', '--tenant', 'acme'], { TIERKIT_TENANT: 'acmee' }), { code: 0, out: ['no jobs'], err: [] });
});
