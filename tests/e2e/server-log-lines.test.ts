import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { run } from '../../packages/cli/src/run.js';
import { freePort, tempDataDir } from './support/server.js';

/*
 * What an operator's log shipper reads from the server (docs/operations.md, "Log lines"): every line on
 * stdout and stderr a record with its UTC time and level, readable by default and one JSON object a line
 * with TIERKIT_LOG_FORMAT=json; and a mistyped TIERKIT_TENANT said at warn with how many tenants there
 * are, the server still serving them.
 */

const root = new URL('../..', import.meta.url).pathname;
const dir = tempDataDir();
const database = join(dir, 'bank.db');
after(() => rmSync(dir, { recursive: true, force: true }));
before(async () => {
  assert.equal(await run(['tenants', 'create', 'acme', '--name', 'Acme Bank', '--database', database], () => undefined), 0);
});

const TEXT_RECORD = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR) \S/;

interface Ran {
  readonly code: number | null;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Start the server, wait until it answers /healthz (or exits), stop it with SIGTERM; its lines, split by stream. */
async function serveOnce(env: Record<string, string>): Promise<Ran> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database, PORT: String(port), DEMO_TOKENS: 'off', TIERKIT_SCHEDULE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (;;) {
    if (child.exitCode !== null) break;
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) {
      child.kill('SIGTERM');
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const code = await exited;
  const lines = (text: string) => text.split('\n').filter((l) => l !== '');
  return { code, stdout: lines(stdout), stderr: lines(stderr) };
}

it('every line is a record with its UTC time and level; a mistyped TIERKIT_TENANT is a warning naming how many tenants there are', {
  timeout: 300_000,
}, async () => {
  const { code, stdout, stderr } = await serveOnce({ TIERKIT_TENANT: 'acmee' });
  assert.equal(code, 0, [...stdout, ...stderr].join('\n'));
  for (const line of [...stdout, ...stderr]) assert.match(line, TEXT_RECORD, line);
  assert.ok(
    stdout.some((l) => / INFO {2}tierkit is running$/.test(l)),
    stdout.join('\n'),
  );
  assert.ok(
    stdout.some((l) => / INFO {2}SIGTERM: shutting down$/.test(l)),
    stdout.join('\n'),
  );
  const warn = stderr.filter((l) => l.includes('TIERKIT_TENANT'));
  assert.equal(warn.length, 1, stderr.join('\n'));
  assert.match(
    warn[0] ?? '',
    /^\S+Z WARN {2}TIERKIT_TENANT: tenant "acmee" does not exist \(the database holds 1 tenant; tierkit tenants list names them\); serving the tenants there are/,
  );
  assert.doesNotMatch([...stdout, ...stderr].join('\n'), /Acme Bank/, "a tenant's id may be said, not who it is");
});

it('TIERKIT_LOG_FORMAT=json writes one JSON object a line; the right tenant draws no warning', { timeout: 300_000 }, async () => {
  const { code, stdout, stderr } = await serveOnce({ TIERKIT_TENANT: 'acme', TIERKIT_LOG_FORMAT: 'json' });
  assert.equal(code, 0, [...stdout, ...stderr].join('\n'));
  const records = [...stdout, ...stderr].map((l) => JSON.parse(l) as { time: string; level: string; msg: string });
  for (const r of records) {
    assert.equal(new Date(r.time).toISOString(), r.time, 'an ISO-8601 UTC time');
    assert.ok(['info', 'warn', 'error'].includes(r.level), r.level);
    assert.equal(typeof r.msg, 'string');
  }
  assert.ok(records.some((r) => r.level === 'info' && r.msg === 'tierkit is running'));
  assert.ok(!records.some((r) => r.msg.includes('TIERKIT_TENANT')), 'acme exists');
});

it('a TIERKIT_LOG_FORMAT it does not know stops the start in one line', { timeout: 300_000 }, async () => {
  const { code, stdout, stderr } = await serveOnce({ TIERKIT_TENANT: 'acme', TIERKIT_LOG_FORMAT: 'yaml' });
  assert.equal(code, 1);
  assert.deepEqual(stdout, []);
  assert.equal(stderr.length, 1, stderr.join('\n'));
  assert.match(stderr[0] ?? '', /^\S+Z ERROR tierkit server: cannot start: TIERKIT_LOG_FORMAT must be text or json, got "yaml"$/);
});
