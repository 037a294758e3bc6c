import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { IMPORT_MAX_RUNNING_MS } from '@tierkit/api';
import { connect, createImport } from '@tierkit/db';
import { run } from '../../packages/cli/src/run.js';
import { occupyNextAuditPlace } from '../support/audit-squatter.js';
import { freePort, tempDataDir } from './support/server.js';

/*
 * What an operator's log shipper reads from the server (docs/operations.md, "Log lines"): every line on
 * stdout and stderr a record with its UTC time and level, readable by default and one JSON object a line
 * with TIERKIT_LOG_FORMAT=json; and a mistyped TIERKIT_TENANT said at warn with how many tenants there
 * are, the server still serving them. A failure an operator alerts on comes at WARN or ERROR on stderr,
 * never INFO on stdout, and in either format no field of any record holds what a person typed or a name.
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

/**
 * Start the server, wait until it answers /healthz (or exits) and, when given, until `until` holds of
 * what it wrote to either stream (background work reports after the start); stop it with SIGTERM.
 * Its lines, split by stream.
 */
async function serveOnce(env: Record<string, string>, until?: (output: string) => boolean): Promise<Ran> {
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
    if (up && (!until || until(stdout + stderr))) {
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

type Format = 'text' | 'json';
interface Rec {
  readonly stream: 'stdout' | 'stderr';
  readonly level: string;
  readonly msg: string;
  /** Every value of the record: its message and, in JSON, each field beside. */
  readonly values: readonly string[];
}

/** Every line read as the operator's shipper reads it: a text record or a JSON object, each with its UTC time, level and message. */
function recordsOf(ran: Ran, format: Format): Rec[] {
  const lines = [...ran.stdout.map((l) => ['stdout', l] as const), ...ran.stderr.map((l) => ['stderr', l] as const)];
  return lines.map(([stream, line]) => {
    if (format === 'text') {
      const m = /^(\S+) (INFO |WARN |ERROR) (.*)$/.exec(line);
      assert.ok(m && TEXT_RECORD.test(line), line);
      return { stream, level: (m[2] ?? '').trim().toLowerCase(), msg: m[3] ?? '', values: [line] };
    }
    const r = JSON.parse(line) as Record<string, unknown>;
    assert.equal(typeof r.time, 'string', line);
    assert.equal(new Date(String(r.time)).toISOString(), r.time, `an ISO-8601 UTC time: ${line}`);
    assert.ok(['info', 'warn', 'error'].includes(String(r.level)), line);
    assert.equal(typeof r.msg, 'string', line);
    return { stream, level: String(r.level), msg: String(r.msg), values: Object.values(r).map((v) => String(v)) };
  });
}

/** Info on stdout, warn and error on stderr (docs/operations.md, "Log lines"). */
function assertStreams(records: readonly Rec[]): void {
  for (const r of records) assert.equal(r.stream, r.level === 'info' ? 'stdout' : 'stderr', `${r.level} ${r.msg}`);
}

/** No value of any record holds one of `personal` (customer numbers and names, a tenant's name, what staff typed). */
function assertNothingPersonal(records: readonly Rec[], personal: readonly string[]): void {
  assert.ok(personal.length > 0);
  for (const r of records) for (const v of r.values) for (const p of personal) assert.ok(!v.includes(p), `"${p}" in the log: ${v}`);
}

for (const format of ['text', 'json'] as const) {
  it(`[${format}] an interrupted import the start cannot mark is an ERROR on stderr, naming no file name staff gave it`, {
    timeout: 300_000,
  }, async () => {
    const url = join(dir, `interrupted-${format}.db`);
    assert.equal(await run(['tenants', 'create', 'acme', '--name', 'Acme Bank', '--database', url], () => undefined), 0);
    // An import another host left running long ago, and a record squatting the place its marking would take in
    // the trail: the start finds it and cannot record that it failed, as on a trail it may not append to.
    const fileName = 'C000123 张伟 客户.csv';
    const db = connect({ url });
    try {
      await createImport(db.db, {
        id: 'dead-unmarked',
        tenantId: 'acme',
        kind: 'customers',
        options: {},
        fileName,
        createdBy: 'staff:RM001',
        createdAt: new Date(Date.now() - IMPORT_MAX_RUNNING_MS - 60_000).toISOString(),
        owner: 'another-host 1234',
      });
      await occupyNextAuditPlace(db.db, 'acme');
    } finally {
      await db.close();
    }
    const ran = await serveOnce({ DATABASE_URL: url, TIERKIT_TENANT: 'acme', TIERKIT_LOG_FORMAT: format }, (output) =>
      output.includes('could not mark interrupted import'),
    );
    assert.equal(ran.code, 0, [...ran.stdout, ...ran.stderr].join('\n'));
    const records = recordsOf(ran, format);
    assertStreams(records);
    const failures = records.filter((r) => r.msg.includes('could not mark interrupted import'));
    assert.equal(failures.length, 1, [...ran.stdout, ...ran.stderr].join('\n'));
    assert.equal(failures[0]?.level, 'error');
    assert.equal(failures[0]?.stream, 'stderr');
    assert.match(failures[0]?.msg ?? '', /^imports: could not mark interrupted import dead-unmarked of tenant acme failed: /);
    assertNothingPersonal(records, [fileName, 'C000123', '张伟', 'Acme Bank']);
  });

  it(`[${format}] a demo key the operator re-purposed is a WARN on stderr; no demo customer's number or name is logged`, {
    timeout: 600_000,
  }, async () => {
    // A folder of its own: the demo keeps its keys' secrets beside its database.
    const demoDir = join(dir, `demo-${format}`);
    mkdirSync(demoDir);
    const url = join(demoDir, 'demo.db');
    const demo = { DATABASE_URL: url, DEMO_TOKENS: 'on', DEMO_CUSTOMERS: '5', TIERKIT_TENANT: 'demo', TIERKIT_LOG_FORMAT: format };
    const first = await serveOnce(demo);
    assert.equal(first.code, 0, [...first.stdout, ...first.stderr].join('\n'));
    // The viewer key's file now holds the embedder key's secret, as an operator's copy slip would: not usable as a viewer key.
    writeFileSync(join(demoDir, 'demo-viewer.key'), readFileSync(join(demoDir, 'demo-embedder.key')));
    const second = await serveOnce(demo);
    assert.equal(second.code, 0, [...second.stdout, ...second.stderr].join('\n'));
    const records = recordsOf(second, format);
    assertStreams(records);
    const warned = records.filter((r) => r.msg.startsWith('auth: demo viewer key not usable'));
    assert.equal(warned.length, 1, [...second.stdout, ...second.stderr].join('\n'));
    assert.equal(warned[0]?.level, 'warn');
    assert.equal(warned[0]?.stream, 'stderr');
    const db = connect({ url });
    const customers = await db.db.selectFrom('subjects').select(['external_id', 'display_name']).where('tenant_id', '=', 'demo').execute();
    await db.close();
    assert.ok(customers.length >= 5);
    // The demo's ready-to-paste commands link its example customer, one the demo seeder made up: the only
    // lines that may name one, and only in demo mode (a bank's tenant never gets them).
    const banner = /^(customer tiers|try it|mint a token|demo tokens) /;
    assertNothingPersonal(
      [...recordsOf(first, format), ...records].filter((r) => !banner.test(r.msg)),
      customers.flatMap((c) => [c.external_id, c.display_name]),
    );
  });
}
