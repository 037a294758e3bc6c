import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { findSubjectByExternalId, upsertSubject, type Db, type Subject } from '@tierkit/db';
import { postgresHarness } from '../support/databases.js';
import { backendPid, blockedBy } from '../support/pg-lock-waits.js';
import { testPack } from '../support/test-pack.js';

/*
 * A subjects import keeps the attributes its file does not name from what it reads of each customer
 * when it applies its changes, on PostgreSQL (SQLite runs one writer at a time). Read without a lock,
 * a customer's write committed between that read and the import's own write of them was overwritten
 * with the keys as they were before it. The import now holds the customers it changes, then reads
 * them; the ones it leaves as they are it does not hold. The write in flight is made in a transaction
 * of the test's own, with what `PUT /v1/subjects/{id}` runs (upsertSubject), so it commits while the
 * import waits for it.
 */

const NOW = new Date('2025-11-15T04:00:00.000Z');
const TENANT = 'bank-import-apply';

describe('a subjects import against a write of the same customer [postgres]', () => {
  const harness = postgresHarness();
  let db: Db;
  let app: ReturnType<typeof createApp>;
  let key: string;

  before(async () => {
    db = await harness.open();
    app = createApp({ db: db.db, now: () => NOW, logError: () => undefined });
    await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: testPack(), now: NOW });
    key = (await createApiKey(db.db, { tenantId: TENANT, role: 'admin', label: 'ops', now: NOW })).secret;
  });
  after(() => harness.stopAll());

  async function customer(id: string): Promise<Subject> {
    const res = await app.request(`/v1/subjects/${id}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
      body: JSON.stringify({ kind: 'customer', displayName: '王芳', attributes: { segment: 'retail', branch: 'B1' } }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const s = await findSubjectByExternalId(db.db, TENANT, id);
    assert.ok(s);
    return s;
  }

  const importing = (csv: string) =>
    app.request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${key}` },
      body: csv,
    });

  /** A write of the customer in flight: `during` runs while this transaction holds their row uncommitted. */
  async function writing(s: Subject, attributes: Record<string, unknown>, during: (pid: number) => Promise<void>): Promise<void> {
    await db.db.transaction().execute(async (trx) => {
      await upsertSubject(
        trx,
        TENANT,
        { id: s.id, externalId: s.externalId, kind: 'customer', displayName: s.displayName, attributes },
        NOW.toISOString(),
      );
      await during(await backendPid(trx));
    });
  }

  it('a write committed while the import waits for the customer keeps the keys the file does not name', async () => {
    const s = await customer('IMPW');
    let imported!: Response | Promise<Response>;
    await writing(s, { segment: 'private', branch: 'B2', risk: 'high' }, async (pid) => {
      imported = importing('id,name,attr:branch\nIMPW,新名字,B9\n');
      // The import waits for the row; before the fix it had read the customer already, as the write left
      // them uncommitted: segment "retail", no risk.
      await blockedBy(db.db, pid);
    });
    const r = await imported;
    assert.equal(r.status, 201, await r.clone().text());
    const after = await findSubjectByExternalId(db.db, TENANT, 'IMPW');
    assert.equal(after?.displayName, '新名字');
    assert.deepEqual(after?.attributes, { segment: 'private', branch: 'B9', risk: 'high' });
  });

  it('a customer the file leaves as they are is not held: the import does not wait for a write of them', async () => {
    const s = await customer('IMPU');
    await writing(s, { segment: 'retail', branch: 'B1', risk: 'low' }, async () => {
      const r = await importing('id,name,attr:branch\nIMPU,王芳,B1\n');
      assert.equal(r.status, 201, await r.clone().text());
      const record = (await r.json()) as { written: number; unchanged: number };
      assert.deepEqual([record.written, record.unchanged], [0, 1]);
    });
    assert.deepEqual((await findSubjectByExternalId(db.db, TENANT, 'IMPU'))?.attributes, { segment: 'retail', branch: 'B1', risk: 'low' });
  });
});
