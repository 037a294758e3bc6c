import assert from 'node:assert/strict';
import { it } from 'node:test';
import iconv from 'iconv-lite';
import { createApp } from '@tierkit/api';
import { authHeader, client, forEachDialect, NOW, type ApiFixture, type As } from '../support/api-fixture.js';

interface ImportBody {
  id: string;
  status: string;
  rows: number;
  rejectedRows: number;
  errorCount: number;
  written: number;
  unchanged: number;
  periods: string[];
}
interface ImportDetail extends ImportBody {
  errors: { items: { line: number; column: string | null; message: string }[]; nextCursor: string | null };
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function upload(f: ApiFixture, query: string, body: Uint8Array | string, as: As = 'a', contentType = 'text/csv', app = f.app) {
  return app.request(`/v1/imports?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': contentType, ...authHeader(f, as) },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

async function metricsOf(f: ApiFixture, tenantId: string, externalId: string) {
  const rows = await f.db.db
    .selectFrom('metrics as m')
    .innerJoin('subjects as s', 's.id', 'm.subject_id')
    .select(['m.metric', 'm.period', 'm.value'])
    .where('s.tenant_id', '=', tenantId)
    .where('s.external_id', '=', externalId)
    .orderBy('m.metric')
    .orderBy('m.period')
    .execute();
  return rows.map((r) => `${r.metric}@${r.period}=${Number(r.value)}`);
}

async function importCount(f: ApiFixture): Promise<number> {
  const { n } = await f.db.db
    .selectFrom('imports')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

const SUBJECTS = ['客户号,姓名,分行', 'IM1,张三,上海分行', 'IM2,李四,北京分行', 'IM3,王五,'].join('\r\n');
const SUBJECT_MAP = encodeURIComponent(JSON.stringify({ 客户号: 'id', 姓名: 'name', 分行: 'attr:branch' }));
// A core banking export: GBK, wide (one column per metric), amounts in yuan, months as YYYYMM.
const METRICS_GBK = iconv.encode(
  ['客户号,月份,日均余额,交易笔数', 'IM1,202509,1234.56,3', 'IM1,202510,0.1,4', 'IM2,2025-10,60000,', 'IM3,202510,7.5,12'].join('\n'),
  'gbk',
);
const METRIC_MAP = encodeURIComponent(
  JSON.stringify({ 客户号: 'subject', 月份: 'period', 日均余额: 'metric:avg_daily_balance', 交易笔数: 'metric:transaction_count' }),
);

forEachDialect('imports', (f) => {
  const api = client(f);

  it('a bank loads its customers from a UTF-8 file with a BOM, then a GBK export of their balances in yuan, exactly in fen', async () => {
    const subjects = await upload(
      f,
      `kind=subjects&mapping=${SUBJECT_MAP}&fileName=customers.csv`,
      Buffer.concat([BOM, Buffer.from(SUBJECTS)]),
    );
    assert.equal(subjects.status, 201, await subjects.clone().text());
    const s = (await subjects.json()) as ImportBody;
    assert.match(subjects.headers.get('Location') ?? '', new RegExp(`/v1/imports/${s.id}$`));
    assert.deepEqual([s.status, s.rows, s.written, s.unchanged, s.rejectedRows], ['succeeded', 3, 3, 0, 0]);
    const listed = (await (await api.get('/v1/subjects')).json()) as { items: { id: string }[] };
    assert.deepEqual(
      listed.items.map((i) => i.id).filter((id) => id.startsWith('IM')),
      ['IM1', 'IM2', 'IM3'],
      'the BOM did not end up in the first header',
    );

    const res = await upload(f, `kind=metrics&encoding=gbk&amounts=yuan&mapping=${METRIC_MAP}`, METRICS_GBK);
    assert.equal(res.status, 201, await res.clone().text());
    const m = (await res.json()) as ImportBody;
    assert.deepEqual([m.status, m.rows, m.written, m.periods], ['succeeded', 4, 7, ['2025-09', '2025-10']]);
    assert.deepEqual(await metricsOf(f, 'bank-a', 'IM1'), [
      'avg_daily_balance@2025-09=123456',
      'avg_daily_balance@2025-10=10',
      'transaction_count@2025-09=3',
      'transaction_count@2025-10=4',
    ]);
    assert.deepEqual(await metricsOf(f, 'bank-a', 'IM2'), ['avg_daily_balance@2025-10=6000000'], 'an empty wide cell is no observation');
  });

  it('the same files again change nothing: every row is reported unchanged and no subject version moves', async () => {
    const versions = async () =>
      (
        await f.db.db
          .selectFrom('subjects')
          .select(['external_id', 'version', 'updated_at'])
          .where('tenant_id', '=', 'bank-a')
          .orderBy('external_id')
          .execute()
      ).map((r) => `${r.external_id}:${r.version}:${r.updated_at}`);
    const before = [await versions(), await metricsOf(f, 'bank-a', 'IM1')];
    const s = (await (
      await upload(f, `kind=subjects&mapping=${SUBJECT_MAP}`, Buffer.concat([BOM, Buffer.from(SUBJECTS)]))
    ).json()) as ImportBody;
    assert.deepEqual([s.status, s.written, s.unchanged], ['succeeded', 0, 3]);
    const m = (await (await upload(f, `kind=metrics&encoding=gbk&amounts=yuan&mapping=${METRIC_MAP}`, METRICS_GBK)).json()) as ImportBody;
    assert.deepEqual([m.status, m.written, m.unchanged, m.periods], ['succeeded', 0, 7, []], 'no period changed, so no re-tier is owed');
    assert.deepEqual([await versions(), await metricsOf(f, 'bank-a', 'IM1')], before);
  });

  it('a file with broken rows imports nothing and reports every row error with its line and column', async () => {
    const file = [
      'subject,metric,period,value',
      'IM1,avg_daily_balance,2025-08,100.5',
      'IM1,avg_daily_balance,2025-07,12.345', // 3 decimals
      'NOPE,avg_daily_balance,2025-08,1', // unknown subject
      'IM2,no_such_metric,2025-08,1',
      'IM2,avg_daily_balance,2026-01,1', // after the current month
      'IM2,avg_daily_balance,2025-08', // a field missing
      'IM3,avg_daily_balance,2025-8,-5',
    ].join('\n');
    const before = await metricsOf(f, 'bank-a', 'IM1');
    const res = await upload(f, 'kind=metrics&amounts=yuan', file);
    assert.equal(res.status, 422);
    const problem = (await res.json()) as { type: string; detail: string; errors: { path: string; message: string }[] };
    assert.equal(problem.type, 'https://tierkit.dev/problems/import-rejected');
    assert.match(problem.detail, /6 of 7 rows have errors; nothing was imported/);
    assert.deepEqual(
      problem.errors.map((e) => e.path),
      [
        'line 3, column "value"',
        'line 4, column "subject"',
        'line 5, column "metric"',
        'line 6, column "period"',
        'line 7',
        'line 8, column "period"',
        'line 8, column "value"',
      ],
      'in file order, the unknown subject (found by the batch lookup) in its place',
    );
    assert.deepEqual(await metricsOf(f, 'bank-a', 'IM1'), before, 'not even the good row was written');

    const location = res.headers.get('Location') ?? '';
    const page1 = (await (await api.get(`${location}?limit=4`)).json()) as ImportDetail;
    assert.deepEqual([page1.status, page1.rows, page1.rejectedRows, page1.errorCount, page1.written], ['failed', 7, 6, 7, 0]);
    assert.equal(page1.errors.items.length, 4);
    assert.ok(page1.errors.nextCursor);
    const page2 = (await (await api.get(`${location}?limit=4&cursor=${page1.errors.nextCursor}`)).json()) as ImportDetail;
    assert.deepEqual(
      [...page1.errors.items, ...page2.errors.items].map((e) => `${e.line}:${e.column}`),
      ['3:value', '4:subject', '5:metric', '6:period', '7:null', '8:period', '8:value'],
    );
    assert.equal(page2.errors.nextCursor, null);
    assert.match(page1.errors.items[0]?.message ?? '', /yuan/);
  });

  it('mode valid-rows imports the good rows and reports the others', async () => {
    const file = ['subject,metric,period,value', 'IM3,avg_daily_balance,2025-08,250', 'IM3,avg_daily_balance,2025-07,abc'].join('\n');
    const res = await upload(f, 'kind=metrics&amounts=fen&mode=valid-rows', file);
    assert.equal(res.status, 201);
    const body = (await res.json()) as ImportBody;
    assert.deepEqual([body.status, body.rows, body.written, body.rejectedRows, body.periods], ['partial', 2, 1, 1, ['2025-08']]);
    assert.ok((await metricsOf(f, 'bank-a', 'IM3')).includes('avg_daily_balance@2025-08=250'), 'fen taken as given');
  });

  it('a tenant sees only its own imports and cannot write to another tenant’s subjects', async () => {
    const mine = (await (await api.get('/v1/imports?limit=100')).json()) as { items: ImportBody[] };
    assert.ok(mine.items.length >= 5);
    const other = client(f, 'b');
    assert.deepEqual(await (await other.get('/v1/imports')).json(), { items: [], nextCursor: null });
    assert.equal((await other.get(`/v1/imports/${mine.items[0]?.id}`)).status, 404);
    const res = await upload(f, 'kind=metrics&amounts=fen', 'subject,metric,period,value\nIM1,avg_daily_balance,2025-08,1', 'b');
    assert.equal(res.status, 422);
    assert.match(JSON.stringify(await res.json()), /no subject \\"IM1\\" in this tenant/);
    assert.deepEqual(await metricsOf(f, 'bank-b', 'IM1'), []);
  });

  it('embed tokens and keys below officer are refused', async () => {
    const minted = await api.post('/v1/embed-tokens', { subject: 'IM1' });
    const { token } = (await minted.json()) as { token: string };
    for (const as of [() => token, () => f.keys.roles.viewer, () => f.keys.roles.analyst]) {
      assert.equal((await upload(f, 'kind=subjects', 'id,name\nIM9,x', as)).status, 403);
      assert.equal((await client(f, as).get('/v1/imports')).status, 403);
    }
    assert.equal((await upload(f, 'kind=subjects', 'id,name\nIM9,赵六', () => f.keys.roles.officer)).status, 201);
  });

  it('a huge or unreadable body is a clear 4xx and leaves nothing behind', async () => {
    const before = await importCount(f);
    const small = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, maxImportBytes: 1000 });
    const big = `id,name\n${'IMX,某某\n'.repeat(200)}`;
    const tooBig = await upload(f, 'kind=subjects', big, 'a', 'text/csv', small);
    assert.equal(tooBig.status, 413);
    // Streamed without a Content-Length: refused while reading, once past the limit.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('id,name\n'));
        for (let i = 0; i < 50; i++) c.enqueue(new TextEncoder().encode('IMY,某某\n'.repeat(10)));
        c.close();
      },
    });
    const streamed = await small.request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);

    const cases: [string, string | Uint8Array, number, RegExp, string?][] = [
      ['kind=subjects', 'id,name\n"IM1,unclosed\nIM2,x', 400, /not valid CSV/],
      ['kind=metrics&amounts=yuan', iconv.encode('客户号,月份\nIM1,202510', 'gbk'), 400, /not valid UTF-8.*gbk/],
      ['kind=metrics&amounts=yuan', 'subject,period,colour\nIM1,2025-10,red', 400, /colour\\" is not a field/],
      ['kind=metrics', 'subject,metric,period,value\n', 400, /yuan or fen/],
      ['kind=metrics&amounts=fen&mapping=%7Bnope', 'x', 400, /mapping/],
      ['kind=subjects', '', 400, /empty/],
      ['kind=subjects', 'id,name\nIM1,x', 415, /text\/csv/, 'application/json'],
      ['kind=bananas', 'id,name', 400, /kind/],
    ];
    for (const [query, body, status, message, type] of cases) {
      const res = await upload(f, query, body, 'a', type);
      assert.equal(res.status, status, `${query}: ${await res.clone().text()}`);
      assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
      assert.match(await res.text(), message, query);
    }
    assert.equal(await importCount(f), before, 'refused uploads leave no import behind');
  });
});
