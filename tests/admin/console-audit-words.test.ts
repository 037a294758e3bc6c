// The console's audit page says each record's detail and method in the staff's language: checked on
// the API's real records (a metric write, a CLI revoke, the schedule's job), in every locale.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditTrail, auditDetailOf } from '@tierkit/admin';
import { appendOperatorAudit, cliAction, IMPORT_MAX_RUNNING_MS, settleLapsedOverrides, startupAction, systemAction } from '@tierkit/api';
import { createImport } from '@tierkit/db';
import { HTTP_METHODS, OPERATOR_METHODS } from '@tierkit/core/wire';
import { auditDetailText, credentialText, operatorMethodText, phaseText } from '../../apps/admin/src/pages/audit-detail-text.js';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

describe('the console words audit records', () => {
  const f = kitFixture();
  const put = (path: string, body: unknown) =>
    f.app.request(path, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('a metric write says money in yuan and a yes/no metric as yes/no, not the stored fen and 0/1', async () => {
    // K04 held ¥400,000 for October (the fixture's); the officer corrects it to ¥123 and sets the premium card.
    const res = await put('/v1/subjects/K04/metrics', {
      metrics: [
        { metric: 'avg_daily_balance', period: '2025-10', value: 123_00 },
        { metric: 'premium_card', period: '2025-10', value: 1 },
      ],
    });
    assert.equal(res.status, 200, await res.text());
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ route: '/v1/subjects/{id}/metrics', target: 'K04', method: 'PUT' });
    const lines = auditDetailOf(t.state.items[0]!);
    assert.deepEqual(
      lines.map((l) => auditDetailText(l, 'zh-CN')),
      ['指标 avg_daily_balance（2025-10）：¥400,000 → ¥123', '指标 premium_card（2025-10）：无 → 是'],
    );
    assert.deepEqual(
      lines.map((l) => auditDetailText(l, 'zh-TW')),
      ['指標 avg_daily_balance（2025-10）：¥400,000 → ¥123', '指標 premium_card（2025-10）：無 → 是'],
    );
    assert.deepEqual(
      lines.map((l) => auditDetailText(l, 'en')),
      ['metric avg_daily_balance (2025-10): ¥400,000 → ¥123', 'metric premium_card (2025-10): none → yes'],
    );
  });

  it('a record written before units were recorded shows its integers as they are', () => {
    const line = { kind: 'metric', metric: 'avg_daily_balance', period: '2025-10', before: null, after: 123_00 } as const;
    assert.equal(auditDetailText(line, 'en'), 'metric avg_daily_balance (2025-10): none → 12300');
  });

  it('a key the command line revoked and a job the schedule queued: their methods, credentials and fields in zh-TW and en', async () => {
    await appendOperatorAudit(f.db.db, 'bank-a', cliAction('tierkit keys revoke'), {
      status: 200,
      target: { key: 'key_w' },
      detail: { key: 'key_w', role: 'viewer', owner: null, label: 'old' },
    });
    await appendOperatorAudit(f.db.db, 'bank-a', systemAction('schedule', 'monthly re-tier'), {
      status: 201,
      target: { job: 'job_w' },
      detail: { job: 'job_w', period: '2025-10', reason: 'monthly re-evaluation of 2025-10' },
    });
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ method: 'CLI' });
    const [cli] = t.state.items;
    await t.setFilter({ method: 'SCHEDULE' });
    const [scheduled] = t.state.items;
    assert.ok(cli && scheduled);
    const said = (r: typeof cli, locale: 'zh-TW' | 'en') => [
      operatorMethodText(r.method, locale),
      credentialText(r.credential, locale),
      ...auditDetailOf(r).map((l) => auditDetailText(l, locale)),
    ];
    assert.deepEqual(said(cli, 'zh-TW'), [
      '命令列',
      '伺服器上的命令列（tierkit）',
      '金鑰：key_w',
      '角色：viewer',
      '持有人：無',
      '標籤：old',
    ]);
    assert.deepEqual(said(cli, 'en'), [
      'command line',
      'command line on the server (tierkit)',
      'key: key_w',
      'role: viewer',
      'owner: none',
      'label: old',
    ]);
    assert.deepEqual(said(scheduled, 'zh-TW'), [
      '伺服器自動執行',
      '伺服器自動執行',
      '工作：job_w',
      '月份：2025-10',
      '原因：monthly re-evaluation of 2025-10',
    ]);
    assert.deepEqual(said(scheduled, 'en'), [
      'by the server itself',
      'the server by itself',
      'job: job_w',
      'month: 2025-10',
      'reason: monthly re-evaluation of 2025-10',
    ]);
  });

  it('an expired override the server settled: the customer, the override and the level it moved back, in each locale', async () => {
    const hour = 3_600_000;
    const filed = await f
      .client('OFF1')
      .http.send<{ id: string; status: string; contentHash: string }>('POST', '/v1/subjects/K10/overrides', {
        scheme: 'retail-tier',
        level: 'platinum',
        mode: 'fixed',
        reason: '挽留',
        expiresAt: new Date(NOW.getTime() + hour).toISOString(),
      });
    if (filed.status !== 'approved')
      await f.client('admin').http.send('POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash });
    // The schedule's sweep, an hour after it expired: the real record, as the server writes it.
    assert.equal(await settleLapsedOverrides(f.db.db, new Date(NOW.getTime() + 2 * hour)), 1);
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ actor: 'system:override-expiry' });
    const [settled] = t.state.items;
    assert.ok(settled);
    const said = (locale: 'zh-CN' | 'zh-TW' | 'en') => [
      operatorMethodText(settled.method, locale),
      credentialText(settled.credential, locale),
      ...auditDetailOf(settled).map((l) => auditDetailText(l, locale)),
    ];
    assert.deepEqual(said('zh-CN'), [
      '服务器自动执行',
      '服务器自动执行',
      'retail-tier 等级：platinum → standard',
      '客户：K10',
      `到期的例外申请：${filed.id}`,
    ]);
    assert.deepEqual(said('zh-TW'), [
      '伺服器自動執行',
      '伺服器自動執行',
      'retail-tier 等級：platinum → standard',
      '客戶：K10',
      `到期的例外申請：${filed.id}`,
    ]);
    assert.deepEqual(said('en'), [
      'by the server itself',
      'the server by itself',
      'retail-tier level: platinum → standard',
      'customer: K10',
      `overrides expired: ${filed.id}`,
    ]);
  });

  it('an interrupted import the starting server marked failed: the import, its file and why', async () => {
    await appendOperatorAudit(f.db.db, 'bank-a', startupAction('interrupted import'), {
      status: 200,
      target: { import: 'imp_w' },
      detail: { import: 'imp_w', fileName: '十月.csv', why: 'the process importing it (host 42) stopped' },
    });
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ method: 'START', route: 'interrupted import' });
    const [marked] = t.state.items;
    assert.ok(marked);
    const said = (locale: 'zh-CN' | 'en') => [
      operatorMethodText(marked.method, locale),
      ...auditDetailOf(marked).map((l) => auditDetailText(l, locale)),
    ];
    assert.deepEqual(said('zh-CN'), [
      '服务器启动',
      '导入：imp_w',
      '文件名：十月.csv',
      '判定中断的原因：the process importing it (host 42) stopped',
    ]);
    assert.deepEqual(said('en'), [
      'server start-up',
      'import: imp_w',
      'file name: 十月.csv',
      'judged interrupted because: the process importing it (host 42) stopped',
    ]);
  });

  it('an interrupted import an upload found is said as a change the upload made, not as a move; a start’s as a result', async () => {
    await createImport(f.db.db, {
      id: 'imp_found',
      tenantId: 'bank-a',
      kind: 'metrics',
      options: {},
      fileName: '九月.csv',
      createdBy: 'test',
      createdAt: new Date(NOW.getTime() - IMPORT_MAX_RUNNING_MS - 60_000).toISOString(),
      owner: 'another-host 1234',
    });
    const upload = await f.app.request('/v1/imports?kind=subjects&fileName=again.csv', {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'text/csv', 'X-Request-Id': 'rq-found' },
      body: 'id,name\nK01,张晓明\n',
    });
    assert.equal(upload.status, 201, await upload.clone().text());
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ route: 'interrupted import', target: 'imp_found' });
    const [found] = t.state.items;
    assert.ok(found);
    assert.deepEqual([found.phase, found.status, found.requestId], ['change', null, 'rq-found']);
    assert.deepEqual(
      (['zh-CN', 'zh-TW', 'en'] as const).map((l) => phaseText(found, l)),
      ['变更（请求执行中所做）', '變更（請求執行中所做）', 'change (made while the request ran)'],
    );
    await t.setFilter({ method: 'START', route: 'interrupted import' });
    const [started] = t.state.items;
    assert.ok(started);
    assert.equal(phaseText(started, 'en'), 'result');
  });

  it('every operator method has words in every locale; an HTTP method or a word of no record is shown as it is', () => {
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      for (const m of OPERATOR_METHODS) assert.ok(operatorMethodText(m, locale) && operatorMethodText(m, locale) !== m, `${m} ${locale}`);
      for (const m of HTTP_METHODS) assert.equal(operatorMethodText(m, locale), undefined);
      // An edited record's method or credential that happens to name an object's own property.
      assert.equal(operatorMethodText('constructor', locale), undefined);
      assert.equal(credentialText('toString', locale), 'toString');
    }
  });
});
