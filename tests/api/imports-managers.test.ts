import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { ImportPreview, ImportRecord } from '@tierkit/admin';
import { disableStaff } from '@tierkit/api';
import { authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

interface Problem {
  errors?: { path: string; message: string }[];
}

function upload(f: ApiFixture, query: string, body: string) {
  return f.app.request(`/v1/imports?kind=managers&${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
    body,
  });
}

// A bank's export names its own columns: they are mapped, as for the other kinds.
const MAPPING = `mapping=${encodeURIComponent(JSON.stringify({ 客户号: 'subject', 客户经理: 'manager' }))}`;
const csv = (...rows: string[]) => ['客户号,客户经理', ...rows].join('\r\n');

forEachDialect('manager imports', (f) => {
  const api = client(f);
  const book = async (staffId: string) => {
    const res = await api.get(`/v1/subjects?manager=${staffId}`);
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { items: { id: string }[] }).items.map((s) => s.id).sort();
  };
  const managerOf = async (subject: string) =>
    ((await (await api.get(`/v1/subjects/${subject}/manager`)).json()) as { manager: string | null }).manager;

  before(async () => {
    for (const [id, scope] of [
      ['RM1', 'book'],
      ['RM2', 'book'],
    ] as const) {
      assert.equal((await api.put(`/v1/staff/${id}`, { name: id, role: 'viewer', scope })).status, 201);
    }
    for (const id of ['MG1', 'MG2', 'MG3']) await api.customer(id);
    const res = await api.post('/v1/subject-managers', {
      assignments: [
        { subject: 'MG1', manager: 'RM1' },
        { subject: 'MG2', manager: 'RM1' },
        { subject: 'MG3', manager: 'RM1' },
      ],
    });
    assert.equal(res.status, 200, await res.clone().text());
  });

  it('a dry run writes nothing and reports what a run would', async () => {
    const res = await upload(f, `${MAPPING}&dryRun=true`, csv('MG1,RM2', 'MG2,'));
    assert.equal(res.status, 200, await res.clone().text());
    const p = (await res.json()) as ImportPreview;
    assert.deepEqual([p.kind, p.status, p.rows, p.errorCount], ['managers', 'succeeded', 2, 0]);
    assert.deepEqual(await book('RM1'), ['MG1', 'MG2', 'MG3']);
  });

  it('a file with one bad row imports nothing and names the row, its column and why', async () => {
    const res = await upload(f, MAPPING, csv('MG1,RM2', 'NOPE,RM2', 'MG2,RM9', 'MG3,bad id!'));
    assert.equal(res.status, 422, await res.clone().text());
    // Sorted: errors found per row come before those found per batch (the subject and staff look-ups).
    const detail = ((await res.json()) as Problem).errors?.map((e) => `${e.path}: ${e.message}`).sort();
    assert.deepEqual(detail, [
      'line 3, column "客户号": no subject "NOPE" in this tenant',
      'line 4, column "客户经理": no staff member "RM9" in this tenant',
      'line 5, column "客户经理": "bad id!" is not a staff id (1–64 letters, digits, "_", ".", ":", "-")',
    ]);
    assert.deepEqual(await book('RM1'), ['MG1', 'MG2', 'MG3'], 'the good row was not written either');
    assert.deepEqual(await book('RM2'), []);
  });

  it('a good file moves customers between books and out of every book; the same file again changes nothing', async () => {
    const file = csv('MG1,RM2', 'MG2,', 'MG3,RM1');
    const res = await upload(f, MAPPING, file);
    assert.equal(res.status, 201, await res.clone().text());
    const r = (await res.json()) as ImportRecord;
    assert.deepEqual([r.kind, r.status, r.rows, r.written, r.unchanged], ['managers', 'succeeded', 3, 2, 1]);
    assert.deepEqual(await book('RM1'), ['MG3']);
    assert.deepEqual(await book('RM2'), ['MG1']);
    assert.equal(await managerOf('MG2'), null, 'an empty manager cell takes the customer out of every book');

    const again = (await (await upload(f, MAPPING, file)).json()) as ImportRecord;
    assert.deepEqual([again.status, again.written, again.unchanged], ['succeeded', 0, 3]);
    assert.deepEqual(await book('RM2'), ['MG1']);
  });

  it('mode valid-rows writes the good rows and reports the bad ones', async () => {
    // Header named for the fields: no mapping needed.
    const res = await upload(f, 'mode=valid-rows', ['subject,manager', 'MG2,RM2', 'MG3,RM9'].join('\n'));
    assert.equal(res.status, 201, await res.clone().text());
    const r = (await res.json()) as ImportRecord;
    assert.deepEqual([r.status, r.rows, r.rejectedRows, r.written], ['partial', 2, 1, 1]);
    assert.deepEqual(await book('RM2'), ['MG1', 'MG2']);
    assert.equal(await managerOf('MG3'), 'RM1', 'the bad row left its customer where it was');
  });

  it('a disabled member’s book takes no customers from a file', async () => {
    assert.equal((await api.put('/v1/staff/RM8', { name: 'RM8', role: 'viewer', scope: 'book' })).status, 201);
    await disableStaff(f.db.db, 'bank-a', 'RM8', new Date());
    const before = await managerOf('MG3');
    const res = await upload(f, MAPPING, csv('MG3,RM8'));
    assert.equal(res.status, 422, await res.clone().text());
    assert.deepEqual(
      ((await res.json()) as Problem).errors?.map((e) => `${e.path}: ${e.message}`),
      ['line 2, column "客户经理": staff member "RM8" is disabled: their book takes no customers'],
    );
    assert.equal(await managerOf('MG3'), before, 'nothing moved');
  });

  it('another tenant’s staff member holds no book here', async () => {
    assert.equal((await client(f, 'b').put('/v1/staff/RMB', { name: 'b', role: 'viewer', scope: 'book' })).status, 201);
    const res = await upload(f, MAPPING, csv('MG1,RMB'));
    assert.equal(res.status, 422);
    assert.equal(await managerOf('MG1'), 'RM2');
  });
});
