import assert from 'node:assert/strict';
import { it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { authHeader, client, forEachDialect, NOW, type ApiFixture, type As } from '../support/api-fixture.js';
import { upsertStaff } from '@tierkit/db';

/*
 * `POST /v1/imports?dryRun=true`: the console's preview. It must report exactly what a real run
 * reports, and leave nothing behind — no import record, no subject, no metric, no stored error.
 */

interface RowError {
  line: number;
  column: string | null;
  message: string;
}

function upload(f: ApiFixture, query: string, body: string, as: As = 'a') {
  return f.app.request(`/v1/imports?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', ...authHeader(f, as) },
    body,
  });
}

async function counts(f: ApiFixture) {
  const n = async (table: 'imports' | 'subjects' | 'metrics' | 'import_errors') =>
    Number(
      (
        await f.db.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { imports: await n('imports'), subjects: await n('subjects'), metrics: await n('metrics'), errors: await n('import_errors') };
}

const MAP = encodeURIComponent(JSON.stringify({ 客户号: 'id', 姓名: 'name' }));
const SUBJECTS = ['客户号,姓名', 'DR1,张三', 'DR2,李四'].join('\n');
// Line 3 names an unknown subject, line 4 has a value that is not money, line 5 a month in the future.
const METRICS = [
  'subject,metric,period,value',
  'DR1,avg_daily_balance,2025-10,100.50',
  'NOPE,avg_daily_balance,2025-10,1',
  'DR2,avg_daily_balance,2025-10,abc',
  'DR2,avg_daily_balance,2031-01,5',
  'DR2,avg_daily_balance,2025-09,7',
].join('\n');

forEachDialect('imports dryRun', (f) => {
  const api = client(f);

  it('a dry run of a good file answers 200 with what an import would do, and writes nothing', async () => {
    const before = await counts(f);
    const res = await upload(f, `kind=subjects&mapping=${MAP}&dryRun=true`, SUBJECTS);
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { status: string; rows: number; errorCount: number; errors: RowError[] };
    assert.deepEqual([body.status, body.rows, body.errorCount, body.errors], ['succeeded', 2, 0, []]);
    assert.deepEqual(await counts(f), before);
    assert.equal((await api.get('/v1/subjects/DR1/tiers')).status, 404);
    // The real run, for the metrics that follow.
    assert.equal((await upload(f, `kind=subjects&mapping=${MAP}`, SUBJECTS)).status, 201);
  });

  it('a dry run reports the same row errors as a real run, in both modes, and writes nothing', async () => {
    for (const mode of ['all-or-nothing', 'valid-rows']) {
      const q = `kind=metrics&amounts=yuan&mode=${mode}`;
      const before = await counts(f);
      const dry = await upload(f, `${q}&dryRun=true`, METRICS);
      assert.equal(dry.status, 200, await dry.clone().text());
      const preview = (await dry.json()) as { status: string; rows: number; rejectedRows: number; errorCount: number; errors: RowError[] };
      assert.deepEqual(await counts(f), before, `${mode}: nothing written`);
      assert.deepEqual(
        preview.errors.map((e) => [e.line, e.column]),
        [
          // Unknown subjects are found when a batch's subjects are looked up, yet reported in file order.
          [3, 'subject'],
          [4, 'value'],
          [5, 'period'],
        ],
      );

      const real = await upload(f, q, METRICS);
      const location = real.headers.get('Location') ?? '';
      assert.ok(location, `${mode}: the real run is recorded`);
      const stored = (await (await api.get(`${location}?limit=100`)).json()) as {
        status: string;
        rows: number;
        rejectedRows: number;
        errorCount: number;
        errors: { items: RowError[] };
      };
      assert.deepEqual(preview.errors, stored.errors.items, `${mode}: the same errors, line, column and message`);
      assert.deepEqual(
        [preview.status, preview.rows, preview.rejectedRows, preview.errorCount],
        [stored.status, stored.rows, stored.rejectedRows, stored.errorCount],
      );
    }
  });

  it('a dry run of an unreadable file is refused like a real one, and the options are still checked', async () => {
    const before = await counts(f);
    const res = await upload(f, 'kind=metrics&amounts=fen&dryRun=true', 'who,what\nx,y');
    assert.equal(res.status, 400);
    assert.equal((await upload(f, 'kind=metrics&dryRun=true', METRICS)).status, 400, 'amounts still required');
    assert.equal((await upload(f, 'kind=metrics&amounts=fen&dryRun=yes', METRICS)).status, 400);
    assert.deepEqual(await counts(f), before);
  });

  it('a tenant-wide officer’s staff token may import (the console); a relationship manager’s may not', async () => {
    const put = (id: string, scope: string) => api.put(`/v1/staff/${id}`, { name: id, role: 'officer', scope });
    // A tenant-wide officer is made by the bank's backend (the library): over HTTP it is a grant for a second admin.
    await upsertStaff(f.db.db, 'bank-a', { id: 'OFFX', name: 'OFFX', role: 'officer', scope: 'tenant' }, NOW.toISOString());
    assert.equal((await put('RMX', 'book')).ok, true);
    const token = async (id: string) => (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: id, now: NOW })).token;
    const officer = await token('OFFX');
    const rm = await token('RMX');
    assert.equal((await upload(f, `kind=subjects&mapping=${MAP}&dryRun=true`, SUBJECTS, () => officer)).status, 200);
    assert.equal((await upload(f, `kind=subjects&mapping=${MAP}`, SUBJECTS, () => officer)).status, 201);
    assert.equal((await upload(f, `kind=subjects&mapping=${MAP}&dryRun=true`, SUBJECTS, () => rm)).status, 403);
  });
});
