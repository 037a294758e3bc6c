import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp, loadTenantPack, provisionTenant, runImport, type ImportResult } from '@tierkit/api';
import { findSubjectByExternalId, insertSubjects, upsertSubject, type Db, type Subject } from '@tierkit/db';
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
 *
 * The changes are applied a page of staged rows at a time. A customer whose rows fell on two pages was
 * read again for the second, which then applied only its own rows to what a PUT committed in between
 * left: what an earlier row of the file set was lost. A page now ends with its last customer's last row.
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

  it("a PUT committed between the pages of one customer's rows: the customer ends as the file says", async () => {
    // Staged rows sort by subject id: 1,999 customers before PZ's, then PZ's two rows, one of each batch
    // of the file (its first 2,000 rows, then the rest), and the first apply page is set to end between
    // them whatever the default page is.
    const before = Array.from({ length: 1999 }, (_, i) => `P${String(i).padStart(4, '0')}`);
    await insertSubjects(
      db.db,
      TENANT,
      [
        ...before.map((ext, i) => ({
          id: `pg-${String(i).padStart(4, '0')}`,
          externalId: ext,
          kind: 'customer',
          displayName: '客户',
          attributes: {},
        })),
        { id: 'pg-z', externalId: 'PZ', kind: 'customer', displayName: '客户', attributes: { segment: 'retail' } },
      ],
      NOW.toISOString(),
    );
    const first = await findSubjectByExternalId(db.db, TENANT, 'P0000');
    assert.ok(first);
    // P0000 is renamed, the others named as they are; PZ's first row names the segment it has, its
    // second (batch 2) adds a branch and leaves the segment empty.
    const rows = [
      'id,name,attr:segment,attr:branch',
      'P0000,新名字,,',
      ...before.slice(1).map((ext) => `${ext},客户,,`),
      'PZ,客户,retail,',
      'PZ,客户,,B9',
    ];
    const text = `${rows.join('\n')}\n`;
    const ctx = {
      tenantId: TENANT,
      catalogue: (await loadTenantPack(db.db, TENANT)).metrics,
      currentPeriod: '2025-11',
      actor: 'test',
      now: () => NOW,
      fileName: 'subjects.csv',
      applyPageRows: before.length + 1,
    };
    let imported!: Promise<ImportResult>;
    // The import waits for P0000 on its first page, having read PZ already; PZ's segment changes meanwhile.
    await writing(first, {}, async (pid) => {
      imported = runImport(db.db, { kind: 'subjects', encoding: 'utf-8', mode: 'all-or-nothing', mapping: {} }, ctx, async function* () {
        yield new TextEncoder().encode(text);
      });
      await blockedBy(db.db, pid);
      const put = await app.request('/v1/subjects/PZ', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
        body: JSON.stringify({ kind: 'customer', displayName: '客户', attributes: { segment: 'private' } }),
      });
      assert.equal(put.status, 200, await put.clone().text());
    });
    const r = await imported;
    // Three writes: P0000, and PZ twice, its rows staged in two batches (in one, the later alone).
    assert.deepEqual([r.status, r.written, r.unchanged], ['succeeded', 3, 1998]);
    // The file's last word on the segment is its first row's: on one page the import reads PZ again
    // once held, and both rows change what the PUT left.
    assert.deepEqual((await findSubjectByExternalId(db.db, TENANT, 'PZ'))?.attributes, { segment: 'retail', branch: 'B9' });
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
