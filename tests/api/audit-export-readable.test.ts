import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import { parse } from 'csv-parse/sync';
import { forEachDialect, NOW, type ApiFixture } from '../support/api-fixture.js';
import { readersTestPack } from '../support/test-pack.js';

/*
 * The CSV export read on its own by a regulator's examiner (packages/api/README.md, "Audit export"):
 * each row names the person behind a key as they were named then, the scheme, level and metric codes
 * in the export's language, and the file says its zone and bounds; `?month=` is the bank's month.
 */

/** The preamble (tenant, zone, bounds), the header and the rows of a CSV export. */
function csvOf(text: string): { preamble: string[][]; header: string[]; rows: string[][] } {
  const gap = text.indexOf('\r\n\r\n');
  const preamble = parse(text.slice(0, gap + 2), { bom: true, relax_column_count: true }) as string[][];
  const [header = [], ...rows] = parse(text.slice(gap + 4)) as string[][];
  return { preamble, header, rows };
}

function send(app: ApiFixture['app'], credential: string, requestId: string, method: string, path: string, body?: unknown) {
  return app.request(path, {
    method,
    headers: { Authorization: `Bearer ${credential}`, 'X-Request-Id': requestId, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

forEachDialect('audit export, read on its own', (f) => {
  it('names the staff member behind a key as they were named at the record, and the scheme and level, in zh-CN and en', async () => {
    const db = f.db.db;
    await upsertStaff(db, 'bank-a', { id: 'MAKER01', name: '孙丽', role: 'officer', scope: 'tenant' }, NOW.toISOString());
    await upsertStaff(db, 'bank-a', { id: 'CHECKER01', name: '钱进', role: 'approver', scope: 'tenant' }, NOW.toISOString());
    const maker = (await createApiKey(db, { tenantId: 'bank-a', role: 'officer', label: 'maker', staffId: 'MAKER01', now: NOW })).secret;
    const checker = (await createApiKey(db, { tenantId: 'bank-a', role: 'approver', label: 'checker', staffId: 'CHECKER01', now: NOW }))
      .secret;
    const app = f.app;
    assert.equal((await send(app, f.keys.a, 'put-N1', 'PUT', '/v1/subjects/N1', { kind: 'customer', displayName: '周一' })).status, 201);
    const filed = await send(app, maker, 'file-N1', 'POST', '/v1/subjects/N1/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: '大额存款承诺',
      expiresAt: null,
    });
    assert.equal(filed.status, 201, await filed.clone().text());
    const { id, contentHash } = (await filed.json()) as { id: string; contentHash: string };
    assert.equal(
      (await send(app, checker, 'reject-N1', 'POST', `/v1/overrides/${id}/reject`, { contentHash, note: '材料不全' })).status,
      200,
    );
    // The checker is renamed after the decision: the decision still names them as they were.
    const renamed = await send(app, f.keys.a, 'rename-CHECKER01', 'PUT', '/v1/staff/CHECKER01', {
      name: '钱晋',
      role: 'approver',
      scope: 'tenant',
    });
    assert.equal(renamed.status, 200, await renamed.clone().text());
    // A later refusal of the checker's (an approver may not write staff): named as they are now.
    assert.equal(
      (await send(app, checker, 'later-CHECKER01', 'PUT', '/v1/staff/X1', { name: 'x', role: 'viewer', scope: 'tenant' })).status,
      403,
    );

    const zh = csvOf(await (await send(app, f.keys.a, 'export-zh', 'GET', '/v1/audit/export?locale=zh-CN')).text());
    const col = (name: string) => zh.header.indexOf(name);
    const row = (rows: string[][], requestId: string, phase: string) => rows.find((r) => r[3] === requestId && r[4] === phase);
    const decision = row(zh.rows, 'reject-N1', 'result');
    assert.ok(decision);
    assert.equal(decision[5]?.startsWith('key:'), true, 'the raw actor stays');
    assert.deepEqual(
      [decision[col('操作者员工号')], decision[col('操作者')], decision[col('评级体系')], decision[col('等级')]],
      ['CHECKER01', '钱进', '客户等级', '金卡'],
    );
    const filing = row(zh.rows, 'file-N1', 'result');
    assert.deepEqual([filing?.[col('操作者员工号')], filing?.[col('操作者')]], ['MAKER01', '孙丽']);
    const later = row(zh.rows, 'later-CHECKER01', 'request');
    assert.deepEqual([later?.[col('操作者员工号')], later?.[col('操作者')]], ['CHECKER01', '钱晋'], 'renamed since');
    const unowned = row(zh.rows, 'put-N1', 'result');
    assert.deepEqual([unowned?.[col('操作者员工号')], unowned?.[col('操作者')]], ['', '无主密钥 “test admin”']);
    assert.equal(JSON.parse(decision[col('详情（JSON）')] ?? '').scheme, 'retail-tier', 'the raw detail stays');

    const en = csvOf(await (await send(app, f.keys.a, 'export-en', 'GET', '/v1/audit/export?locale=en')).text());
    assert.deepEqual(en.preamble[0], ['tierkit audit trail export']);
    assert.deepEqual(en.header.slice(-6), ['Actor staff id', 'Actor', 'Scheme', 'Level', 'Metrics', 'Personal fields']);
    assert.equal(en.header[0], 'Seq');
    const enDecision = row(en.rows, 'reject-N1', 'result');
    assert.deepEqual(
      enDecision?.slice(-6),
      ['CHECKER01', '钱进', 'Customer tier', 'Gold', '', 'kept'],
      'labels in English; the name is the name; the customer’s number and note kept',
    );
    assert.deepEqual(row(en.rows, 'put-N1', 'result')?.slice(-6, -4), ['', 'key without an owner “test admin”']);

    const zhTw = csvOf(await (await send(app, f.keys.a, 'export-tw', 'GET', '/v1/audit/export?locale=zh-TW')).text());
    assert.equal(row(zhTw.rows, 'reject-N1', 'result')?.at(-4), '客戶等級');
    assert.equal((await send(app, f.keys.a, 'export-xx', 'GET', '/v1/audit/export?locale=fr')).status, 400);
  });

  it('a restricted read names the grade it read beside its key, in the export’s language', async () => {
    // A bank whose AML grade names its readers: each read of it is one record, keeping the scheme's key.
    await provisionTenant(f.db.db, { id: 'bank-r', name: 'bank-r', pack: readersTestPack(), now: NOW });
    const admin = (await createApiKey(f.db.db, { tenantId: 'bank-r', role: 'admin', label: 'examiner', now: NOW })).secret;
    assert.equal((await send(f.app, admin, 'put-R1', 'PUT', '/v1/subjects/R1', { kind: 'customer', displayName: '赵敏' })).status, 201);
    const wrote = await send(f.app, admin, 'metrics-R1', 'PUT', '/v1/subjects/R1/metrics', {
      metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 90 }],
    });
    assert.equal(wrote.status, 200, await wrote.text());
    assert.equal((await send(f.app, admin, 'read-R1', 'GET', '/v1/subjects/R1/tiers')).status, 200);
    for (const [locale, name] of [
      ['zh-CN', '反洗钱风险'],
      ['en', 'AML risk'],
    ] as const) {
      const csv = csvOf(await (await send(f.app, admin, `export-r-${locale}`, 'GET', `/v1/audit/export?locale=${locale}`)).text());
      const at = csv.header.indexOf(locale === 'en' ? 'Detail (JSON)' : '详情（JSON）');
      const detailOf = (r: string[]) => JSON.parse(r[at] || 'null') as { restrictedRead?: { schemes: string[] } } | null;
      const read = csv.rows.find((r) => r[3] === 'read-R1' && detailOf(r)?.restrictedRead);
      assert.ok(read, `${locale}: the restricted read is exported`);
      const detail = detailOf(read) as { restrictedRead: { schemes: string[] } };
      assert.deepEqual(detail.restrictedRead.schemes, ['aml-test'], 'the raw detail keeps the key');
      assert.equal(read.at(-4), name, `${locale}: the scheme column names it`);
    }
  });

  it('?month= is the month in the bank’s zone (+08:00): a record at 2026-11-30T16:30Z is in December; offsets are taken; a bad month is a 400', async () => {
    let clock = new Date('2026-11-30T15:30:00Z');
    const app = createApp({ db: f.db.db, now: () => clock, logError: () => undefined });
    const put = async (at: string, id: string) => {
      clock = new Date(at);
      assert.equal(
        (await send(app, f.keys.a, `month-${id}`, 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '吴二' })).status,
        201,
      );
    };
    await put('2026-11-30T15:30:00Z', 'NOV'); // 23:30 on 30 November in Shanghai
    await put('2026-11-30T16:30:00Z', 'DEC'); // 00:30 on 1 December in Shanghai
    await put('2026-12-31T15:59:59Z', 'DEC2'); // 23:59:59 on 31 December
    await put('2026-12-31T16:00:00Z', 'JAN'); // midnight, 1 January
    clock = new Date('2027-01-05T02:00:00Z');

    const monthly = await send(app, f.keys.a, 'export-month', 'GET', '/v1/audit/export?month=2026-12');
    assert.equal(monthly.status, 200);
    assert.match(monthly.headers.get('Content-Disposition') ?? '', /filename="audit-bank-a-2026-12-Asia_Shanghai\.csv"$/);
    const csv = csvOf(await monthly.text());
    assert.deepEqual(csv.preamble.slice(1), [
      ['机构', 'bank-a'],
      ['时区', 'Asia/Shanghai'],
      ['月份', '2026-12'],
      ['起（含）', '2026-12-01T00:00:00.000+08:00', '2026-11-30T16:00:00.000Z'],
      ['止（不含）', '2027-01-01T00:00:00.000+08:00', '2026-12-31T16:00:00.000Z'],
    ]);
    const ids = (rows: string[][]) => [...new Set(rows.map((r) => r[3]).filter((r) => r?.startsWith('month-')))];
    assert.deepEqual(ids(csv.rows), ['month-DEC', 'month-DEC2']);

    const typed = await send(
      app,
      f.keys.a,
      'export-offsets',
      'GET',
      `/v1/audit/export?from=${encodeURIComponent('2026-12-01T00:00:00+08:00')}&to=${encodeURIComponent('2027-01-01T00:00:00+08:00')}`,
    );
    assert.equal(typed.status, 200, await typed.clone().text());
    assert.match(
      typed.headers.get('Content-Disposition') ?? '',
      /filename="audit-bank-a-20261201T000000\+0800-20270101T000000\+0800-Asia_Shanghai\.csv"$/,
    );
    assert.deepEqual(ids(csvOf(await typed.text()).rows), ['month-DEC', 'month-DEC2'], 'the same records as the month');

    for (const [query, code] of [
      ['month=2026-13', 'invalid_format'],
      ['month=december', 'invalid_format'],
      ['month=1999-12', 'too_small'],
      ['month=2026-12&from=2026-12-01T00:00:00Z', 'month_with_range'],
    ] as const) {
      const res = await send(app, f.keys.a, `bad-${query}`, 'GET', `/v1/audit/export?${query}`);
      assert.equal(res.status, 400, query);
      const problem = (await res.json()) as { errors: { path: string; code: string }[] };
      assert.deepEqual([problem.errors[0]?.path, problem.errors[0]?.code], ['query.month', code], query);
    }
  });
});
