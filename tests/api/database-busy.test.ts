// SQLite has one writer per file. While another process holds the write lock (a CLI import or re-tier
// beside the server) longer than a write waits, a write request is answered 503 `database-busy` with
// `Retry-After`, nothing of it is written, and the same request goes through once the lock is free.
// SQLite only: PostgreSQL locks rows, not the database.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { sqliteFile, type Db } from '@tierkit/db';
import { NOW } from '../support/api-fixture.js';
import { sqliteHarness } from '../support/databases.js';
import { testPack } from '../support/test-pack.js';

const harness = sqliteHarness();
let db: Db;
let app: ReturnType<typeof createApp>;
let headers: Record<string, string>;

before(async () => {
  db = await harness.open();
  await provisionTenant(db.db, { id: 'bank-a', name: 'bank-a', pack: testPack(), now: NOW });
  const { secret } = await createApiKey(db.db, { tenantId: 'bank-a', role: 'officer', label: 'busy', now: NOW });
  headers = { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' };
  app = createApp({ db: db.db, now: () => NOW, logError: () => undefined });
  const created = await app.request('/v1/subjects/BZ1', {
    method: 'PUT',
    headers,
    body: JSON.stringify({ kind: 'customer', displayName: '王芳' }),
  });
  assert.equal(created.status, 201);
});
after(() => harness.stopAll());

const putBalance = () =>
  app.request('/v1/subjects/BZ1/metrics', {
    method: 'PUT',
    headers,
    body: JSON.stringify({ metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 5_000_000 }] }),
  });

it('answers a write 503 database-busy while another process holds the lock, and takes it once free', async () => {
  const file = await sqliteFile(db.db);
  assert.ok(file);
  const other = new SQLite(file);
  other.exec('BEGIN IMMEDIATE');
  let res: Response;
  try {
    res = await putBalance();
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('Retry-After'), '5');
  const body = (await res.json()) as { type: string; detail: string };
  assert.ok(body.type.endsWith('/database-busy'), body.type);
  assert.match(body.detail, /was not carried out/);
  const stored = await db.db.selectFrom('metrics').select('value').where('tenant_id', '=', 'bank-a').execute();
  assert.deepEqual(stored, [], 'nothing written');

  const again = await putBalance();
  assert.equal(again.status, 200);
  assert.deepEqual(
    (await db.db.selectFrom('metrics').select('value').where('tenant_id', '=', 'bank-a').execute()).map((r) => r.value),
    [5_000_000],
  );
});
