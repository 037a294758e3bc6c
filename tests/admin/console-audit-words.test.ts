// The console's audit page says each record's detail and method in the staff's language: checked on
// the API's real records (a metric write, a CLI revoke, the schedule's job), in every locale.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditTrail, auditDetailOf } from '@tierkit/admin';
import { appendOperatorAudit, cliAction, systemAction } from '@tierkit/api';
import { HTTP_METHODS, OPERATOR_METHODS } from '@tierkit/core/wire';
import { auditDetailText, credentialText, operatorMethodText } from '../../apps/admin/src/pages/audit-detail-text.js';
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
      '月度排程',
      '伺服器自動執行',
      '工作：job_w',
      '月份：2025-10',
      '原因：monthly re-evaluation of 2025-10',
    ]);
    assert.deepEqual(said(scheduled, 'en'), [
      'monthly schedule',
      'the server by itself',
      'job: job_w',
      'month: 2025-10',
      'reason: monthly re-evaluation of 2025-10',
    ]);
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
