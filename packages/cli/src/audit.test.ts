import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
