import assert from 'node:assert/strict';
import { it } from 'node:test';
import { authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * A metrics file giving one observation (subject, metric, month) two different values is refused as
 * `PUT …/metrics` refuses it (code `duplicate`), naming the line that gave it first; the same value
 * again is accepted. Found however far apart the rows are: earlier batches are read from the import's
 * staging table, not the process's memory.
 */

interface RowError {
  line: number;
  column: string | null;
  message: string;
  code?: string;
  params?: Record<string, unknown>;
}

function upload(f: ApiFixture, query: string, body: string, as: 'a' | 'b' = 'a') {
  return f.app.request(`/v1/imports?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', ...authHeader(f, as) },
    body,
  });
}

async function stored(f: ApiFixture, subject: string): Promise<string[]> {
  const rows = await f.db.db
    .selectFrom('metrics as m')
    .innerJoin('subjects as s', 's.id', 'm.subject_id')
    .select(['m.period', 'm.value'])
    .where('s.external_id', '=', subject)
    .where('m.metric', '=', 'avg_daily_balance')
    .orderBy('m.period')
    .execute();
  return rows.map((r) => `${r.period}=${Number(r.value)}`);
}

forEachDialect('conflicting duplicate rows in one import', (f) => {
  const api = client(f);
  const conflicting = 'subject,period,avg_daily_balance\nDU1,2025-10,100.00\nDU1,2025-10,999999.00\n';

  it('all-or-nothing: the file is refused with a duplicate row error naming the first line; nothing is written', async () => {
    await api.customer('DU1');
    const res = await upload(f, 'kind=metrics&amounts=yuan', conflicting);
    assert.equal(res.status, 422, await res.clone().text());
    const body = (await res.json()) as {
      type: string;
      errors: { path: string; message: string; code?: string; params?: Record<string, unknown> }[];
    };
    assert.equal(body.type, 'https://tierkit.dev/problems/import-rejected');
    assert.deepEqual(
      body.errors.map((e) => [e.path, e.code, e.params]),
      [['line 3', 'duplicate', { subject: 'DU1', metric: 'avg_daily_balance', month: '2025-10', line: 2 }]],
    );
    assert.match(body.errors[0]?.message ?? '', /avg_daily_balance for 2025-10 of "DU1" is given a different value on line 2/);
    assert.deepEqual(await stored(f, 'DU1'), []);
    // A dry run finds it too (rows of one batch).
    const dry = await upload(f, 'kind=metrics&amounts=yuan&dryRun=true', conflicting);
    assert.equal(dry.status, 200);
    const preview = (await dry.json()) as { status: string; errors: RowError[] };
    assert.deepEqual([preview.status, preview.errors.map((e) => [e.line, e.code])], ['failed', [[3, 'duplicate']]]);
  });

  it('valid-rows: the first row is imported, the conflicting one reported; the same value twice is accepted', async () => {
    await api.customer('DU2');
    const res = await upload(f, 'kind=metrics&amounts=yuan&mode=valid-rows', conflicting.replaceAll('DU1', 'DU2'));
    assert.equal(res.status, 201, await res.clone().text());
    const body = (await res.json()) as { id: string; status: string; rows: number; written: number; rejectedRows: number };
    assert.deepEqual([body.status, body.rows, body.written, body.rejectedRows], ['partial', 2, 1, 1]);
    const detail = (await (await client(f).get(`/v1/imports/${body.id}`)).json()) as { errors: { items: RowError[] } };
    assert.deepEqual(
      detail.errors.items.map((e) => [e.line, e.code, e.params]),
      [[3, 'duplicate', { subject: 'DU2', metric: 'avg_daily_balance', month: '2025-10', line: 2 }]],
    );
    assert.deepEqual(await stored(f, 'DU2'), ['2025-10=10000']);

    await api.customer('DU3');
    const same = await upload(f, 'kind=metrics&amounts=yuan', 'subject,period,avg_daily_balance\nDU3,2025-10,100.00\nDU3,2025-10,100.00\n');
    assert.equal(same.status, 201);
    const ok = (await same.json()) as { status: string; written: number; rejectedRows: number };
    assert.deepEqual([ok.status, ok.written, ok.rejectedRows], ['succeeded', 1, 0]);
    assert.deepEqual(await stored(f, 'DU3'), ['2025-10=10000']);
  });

  it('rows thousands of lines apart, in different batches: the conflict is found, an identical repeat is not one', async () => {
    await api.customer('DU4');
    await api.customer('DU5');
    const lines = ['subject,metric,period,value', 'DU4,avg_daily_balance,2025-10,500'];
    // 4,500 rows: more than two batches of 2,000 between the first row and the last.
    for (let i = 0; i < 4500; i++) lines.push(i % 2 ? 'DU4,avg_daily_balance,2025-10,500' : `DU5,avg_daily_balance,2025-09,7`);
    lines.push('DU4,avg_daily_balance,2025-10,501');
    const res = await upload(f, 'kind=metrics&amounts=fen&mode=valid-rows', `${lines.join('\n')}\n`);
    assert.equal(res.status, 201, await res.clone().text());
    const body = (await res.json()) as { id: string; status: string; rows: number; rejectedRows: number };
    assert.deepEqual([body.status, body.rows, body.rejectedRows], ['partial', 4502, 1]);
    const detail = (await (await client(f).get(`/v1/imports/${body.id}`)).json()) as { errors: { items: RowError[] } };
    assert.deepEqual(
      detail.errors.items.map((e) => [e.line, e.code, e.params?.line]),
      [[4503, 'duplicate', 2]],
    );
    assert.deepEqual(await stored(f, 'DU4'), ['2025-10=500']);
  });

  it('a rejected row gives no observation: a later batch is held to the first kept row, not to it', async () => {
    await api.customer('DU6');
    await api.customer('DU7');
    // Line 2 gives DU6's balance only; line 2103 (batch 2) conflicts on it and would be the first to give
    // its transaction count; line 2104 gives the count 5 and is kept; line 4205 (batch 3) gives 4.
    const lines = ['subject,period,avg_daily_balance,transaction_count', 'DU6,2025-10,1,'];
    for (let i = 0; i < 2100; i++) lines.push('DU7,2025-09,7,7');
    lines.push('DU6,2025-10,2,3', 'DU6,2025-10,1,5');
    for (let i = 0; i < 2100; i++) lines.push('DU7,2025-09,7,7');
    lines.push('DU6,2025-10,1,4');
    const res = await upload(f, 'kind=metrics&amounts=fen&mode=valid-rows', `${lines.join('\n')}\n`);
    assert.equal(res.status, 201, await res.clone().text());
    const body = (await res.json()) as { id: string; rejectedRows: number };
    const detail = (await (await client(f).get(`/v1/imports/${body.id}`)).json()) as { errors: { items: RowError[] } };
    assert.deepEqual(
      detail.errors.items.map((e) => [e.line, e.code, e.params?.metric, e.params?.line]),
      [
        [2103, 'duplicate', 'avg_daily_balance', 2],
        [4205, 'duplicate', 'transaction_count', 2104],
      ],
    );
    const count = await f.db.db
      .selectFrom('metrics as m')
      .innerJoin('subjects as s', 's.id', 'm.subject_id')
      .select('m.value')
      .where('s.external_id', '=', 'DU6')
      .where('m.metric', '=', 'transaction_count')
      .execute();
    assert.deepEqual(
      count.map((r) => Number(r.value)),
      [5],
    );
  });

  it('a dry run finds a conflict batches apart too, and writes nothing', async () => {
    await api.customer('DU8');
    const lines = ['subject,metric,period,value', 'DU8,avg_daily_balance,2025-10,500'];
    for (let i = 0; i < 4500; i++) lines.push('DU8,avg_daily_balance,2025-09,7');
    lines.push('DU8,avg_daily_balance,2025-10,501');
    const res = await upload(f, 'kind=metrics&amounts=fen&mode=valid-rows&dryRun=true', `${lines.join('\n')}\n`);
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { status: string; rejectedRows: number; errors: RowError[] };
    assert.deepEqual(
      body.errors.map((e) => [e.line, e.code, e.params?.line]),
      [[4503, 'duplicate', 2]],
    );
    assert.deepEqual(await stored(f, 'DU8'), []);
  });
});
