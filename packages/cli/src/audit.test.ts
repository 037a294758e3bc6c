import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { connect, migrateToLatest } from '@tierkit/db';
import { run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-audit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('tierkit audit verify passes an intact chain and names the record that was edited (exit 1)', async () => {
  const database = join(dir, 'audit.db');
  const db = connect({ url: database });
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
  const { secret } = await createApiKey(db.db, { tenantId: 'bank', role: 'admin', label: 'ops' });
  const app = createApp({ db: db.db, logError: () => undefined });
  for (const id of ['A1', 'A2']) {
    const res = await app.request(`/v1/subjects/${id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'customer', displayName: '张三' }),
    });
    assert.equal(res.status, 201);
  }
  assert.equal((await app.request('/v1/schemes')).status, 401, 'a refusal, in the chain of no tenant');

  const lines: string[] = [];
  assert.equal(await run(['audit', 'verify', '--database', database], (l) => lines.push(l)), 0);
  assert.deepEqual(
    lines.map((l) => l.replace(/sha256:[0-9a-f]{64}/, 'HASH')),
    ['*: ok, 1 records, head 1 HASH', 'bank: ok, 4 records, head 4 HASH'],
  );

  await db.db.updateTable('audit_records').set({ actor: 'key:someone-else' }).where('chain', '=', 'bank').where('seq', '=', 2).execute();
  await db.close();
  lines.length = 0;
  assert.equal(await run(['audit', 'verify', '--tenant', 'bank', '--database', database], (l) => lines.push(l)), 1);
  assert.match(lines[0] ?? '', /^bank: NOT OK, 4 records/);
  assert.match(lines[1] ?? '', /^ {2}at 2: altered: record 2 does not match its hash/);
  const usage: string[] = [];
  assert.equal(
    await run(
      ['audit', 'frobnicate', '--database', database],
      () => undefined,
      (l) => usage.push(l),
    ),
    2,
  );
  assert.match(usage[0] ?? '', /^audit: unknown action "frobnicate"/, 'a usage error goes to stderr');
});

it('tierkit audit export writes the trail as the API does, recorded; audit verify --file checks a JSON lines export offline', async () => {
  const database = join(dir, 'export.db');
  const db = connect({ url: database });
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
  await provisionTenant(db.db, { id: 'other', name: 'Other' });
  const { secret } = await createApiKey(db.db, { tenantId: 'bank', role: 'admin', label: 'ops' });
  const app = createApp({ db: db.db, logError: () => undefined });
  for (const id of ['E1', 'E2', 'E3']) {
    const res = await app.request(`/v1/subjects/${id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json', 'X-Request-Id': `=put-${id}` },
      body: JSON.stringify({ kind: 'customer', displayName: '张三' }),
    });
    assert.equal(res.status, 201);
  }
  await db.close();
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      argv,
      (l) => out.push(l),
      (l) => err.push(l),
    );
    return { code, out, err };
  };

  const jsonl = join(dir, 'bank.jsonl');
  const exported = await cli('audit', 'export', '--tenant', 'bank', '--format', 'jsonl', '--out', jsonl, '--database', database);
  assert.equal(exported.code, 0, exported.err.join('\n'));
  assert.match(exported.out[0] ?? '', /^audit export: 6 records of bank \(through record 6\) written to /);
  const lines = readFileSync(jsonl, 'utf8')
    .split('\n')
    .filter((l) => l);
  assert.equal(lines.length, 6);
  const whole = await cli('audit', 'verify', '--file', jsonl, '--tenant', 'bank');
  assert.equal(whole.code, 0, whole.out.join('\n'));
  assert.match(whole.out[0] ?? '', /: ok, 6 records of bank, 1 run \(1…6\), from the chain’s start$/);
  assert.equal((await cli('audit', 'verify', '--file', jsonl, '--tenant', 'other')).code, 1, 'hashes name their tenant');
  assert.equal((await cli('audit', 'verify', '--file', jsonl)).code, 2, '--tenant is needed');

  // Only the results (every other record): gaps filtered out, not breaks.
  const results = join(dir, 'results.jsonl');
  writeFileSync(results, `${lines.filter((l) => l.includes('"phase":"result"')).join('\n')}\n`);
  const filtered = await cli('audit', 'verify', '--file', results, '--tenant', 'bank');
  assert.equal(filtered.code, 0, filtered.out.join('\n'));
  assert.match(filtered.out[0] ?? '', /: ok, 3 records of bank, 3 runs, from record 2 /);
  assert.match(filtered.out[1] ?? '', /^ {2}2 gaps filtered out of the export \(3, 5\): not broken/);

  const tampered = join(dir, 'tampered.jsonl');
  writeFileSync(tampered, `${lines.map((l, i) => (i === 2 ? l.replace('"E2"', '"E9"') : l)).join('\n')}\n`);
  const bad = await cli('audit', 'verify', '--file', tampered, '--tenant', 'bank');
  assert.equal(bad.code, 1);
  assert.match(bad.out.join('\n'), /line 3: altered: record 3 \(line 3\) does not match its hash/);

  const csv = join(dir, 'bank.csv');
  assert.equal(
    (await cli('audit', 'export', '--tenant', 'bank', '--out', csv, '--from', '2000-01-01T00:00:00Z', '--database', database)).code,
    0,
  );
  const text = readFileSync(csv, 'utf8');
  assert.ok(text.startsWith('\uFEFFseq,at,atLocal,'), 'UTF-8 with a BOM');
  assert.ok(text.includes(",'=put-E1,"), 'a formula-looking cell neutralised');
  assert.equal(text.split('\r\n').length - 2, 7, 'the header and every record, the first export’s record included');

  const onlyE2 = join(dir, 'e2.jsonl');
  const targeted = await cli(
    'audit',
    'export',
    '--tenant',
    'bank',
    '--format',
    'jsonl',
    '--target',
    'E2',
    '--method',
    'PUT',
    '--status',
    '201',
    '--out',
    onlyE2,
    '--database',
    database,
  );
  assert.equal(targeted.code, 0, targeted.err.join('\n'));
  const e2 = readFileSync(onlyE2, 'utf8')
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l) as { requestId: string; status: number });
  assert.deepEqual(
    e2.map((r) => [r.requestId, r.status]),
    [['=put-E2', 201]],
  );
  assert.equal((await cli('audit', 'export', '--tenant', 'bank', '--out', onlyE2, '--status', '2xx', '--database', database)).code, 2);
  assert.equal((await cli('audit', 'export', '--tenant', 'bank', '--out', onlyE2, '--method', 'FETCH', '--database', database)).code, 2);

  const usage = await cli('audit', 'export', '--tenant', 'bank', '--out', csv, '--from', 'yesterday', '--database', database);
  assert.equal(usage.code, 2);
  assert.match(usage.err[0] ?? '', /--from must be an ISO 8601 time/);

  const trail = connect({ url: database });
  const records = await trail.db
    .selectFrom('audit_records')
    .selectAll()
    .where('chain', '=', 'bank')
    .where('route', '=', 'tierkit audit export')
    .execute();
  await trail.close();
  assert.equal(records.length, 3, 'each export recorded, the refused ones not');
  assert.deepEqual(JSON.parse(records[0]?.detail ?? 'null'), { export: { format: 'jsonl', throughSeq: 6, records: 6 } });
});
