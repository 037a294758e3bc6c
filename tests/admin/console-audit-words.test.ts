// The console's audit page says each record's detail and method in the staff's language: checked on
// the API's real records (a metric write, a CLI revoke, the schedule's job), in every locale.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditTrail, auditDetailOf, checkAuditFilter, readSchemes } from '@tierkit/admin';
import {
  appendOperatorAudit,
  cliAction,
  createApiKey,
  createApp,
  IMPORT_MAX_RUNNING_MS,
  provisionTenant,
  settleLapsedOverrides,
  startupAction,
  systemAction,
} from '@tierkit/api';
import { createImport } from '@tierkit/db';
import { HTTP_METHODS, OPERATOR_METHODS } from '@tierkit/core/wire';
import {
  auditDetailText,
  auditDetailTexts,
  credentialText,
  operatorMethodText,
  phaseText,
} from '../../apps/admin/src/pages/audit-detail-text.js';
import { AUDIT_WORDS } from '../../apps/admin/src/pages/audit.words.js';
import { schemeNames } from '../../apps/admin/src/scheme-names.js';
import { WALL_TIME_WORDS } from '../../apps/admin/src/time.words.js';
import { sayCheck } from '../../apps/admin/src/why-failed.js';
import { LONG_AGO, NOW } from '../support/api-fixture.js';
import { retireByTwo } from '../support/retire.js';
import { readersTestPack } from '../support/test-pack.js';
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
      ['指標 avg_daily_balance（2025-10）：CN¥400,000 → CN¥123', '指標 premium_card（2025-10）：無 → 是'],
    );
    assert.deepEqual(
      lines.map((l) => auditDetailText(l, 'en')),
      ['metric avg_daily_balance (2025-10): CN¥400,000 → CN¥123', 'metric premium_card (2025-10): none → yes'],
    );
  });

  it('an export of the trail says its format, its range in the bank’s time and where it ended, in every locale', async () => {
    const res = await f.app.request('/v1/audit/export?format=jsonl&from=2025-11-01T00:00:00Z&target=K04', {
      headers: { Authorization: `Bearer ${f.adminKey}` },
    });
    assert.equal(res.status, 200);
    await res.text();
    const t = new AuditTrail(f.client('admin'));
    // The export's own record (a request); its end is a result record of its own (next test).
    await t.setFilter({ route: '/v1/audit/export', phase: 'request' });
    const record = t.state.items[0]!;
    const {
      throughSeq: through,
      firstSeq,
      lastSeq,
      lastHash,
    } = (record.detail as { export: { throughSeq: number; firstSeq: number; lastSeq: number; lastHash: string } }).export;
    assert.match(lastHash, /^sha256:/);
    const lines = auditDetailOf(record);
    assert.deepEqual(
      lines.map((l) => auditDetailText(l, 'zh-CN')),
      [
        '导出：格式：jsonl',
        '导出：对象：K04',
        '导出：起始时间：2025-11-01 08:00:00',
        `导出：截至序号：${through}`,
        `导出：首条序号：${firstSeq}`,
        `导出：末条序号：${lastSeq}`,
        `导出：末条哈希：${lastHash}`,
      ],
    );
    assert.deepEqual(
      lines.map((l) => auditDetailText(l, 'zh-TW')),
      [
        '匯出：格式：jsonl',
        '匯出：對象：K04',
        '匯出：起始時間：2025-11-01 08:00:00',
        `匯出：截至序號：${through}`,
        `匯出：首筆序號：${firstSeq}`,
        `匯出：末筆序號：${lastSeq}`,
        `匯出：末筆雜湊：${lastHash}`,
      ],
    );
    assert.deepEqual(
      lines.map((l) => auditDetailText(l, 'en')),
      [
        'export: format: jsonl',
        'export: target: K04',
        'export: from: 2025-11-01 08:00:00',
        `export: through record: ${through}`,
        `export: first record: ${firstSeq}`,
        `export: last record: ${lastSeq}`,
        `export: last record's hash: ${lastHash}`,
      ],
    );
  });

  it('an export’s end says whether it completed or was cut off, how many records went and the last one, in every locale', async () => {
    const whole = await f.app.request('/v1/audit/export?format=jsonl&target=K04', { headers: { Authorization: `Bearer ${f.adminKey}` } });
    await whole.text();
    // A client that reads the first page and goes away: the stream is cancelled, the end says so.
    const cut = await f.app.request('/v1/audit/export?format=jsonl', { headers: { Authorization: `Bearer ${f.adminKey}` } });
    const reader = (cut.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ route: '/v1/audit/export', phase: 'result' });
    const [aborted, completed] = t.state.items;
    assert.ok(aborted && completed);
    const said = (r: typeof aborted, locale: 'zh-CN' | 'zh-TW' | 'en') => auditDetailOf(r).map((l) => auditDetailText(l, locale));
    const end = (completed.detail as { export: { records: number; lastSeq: number; lastHash: string } }).export;
    assert.deepEqual(said(completed, 'zh-CN'), [
      '导出：结束方式：已完成',
      '导出：已完成：是',
      `导出：记录数：${end.records}`,
      `导出：末条序号：${end.lastSeq}`,
      `导出：末条哈希：${end.lastHash}`,
    ]);
    assert.deepEqual(said(aborted, 'zh-TW').slice(0, 2), ['匯出：結束方式：下載端中途中止', '匯出：已完成：否']);
    assert.deepEqual(said(aborted, 'en').slice(0, 2), ['export: how it ended: aborted by the client', 'export: completed: no']);
    assert.equal(aborted.problem, 'export-aborted');
  });

  it('a closing learnt late names both dates, in the bank’s time, in every locale', async () => {
    // A customer last seen in September (the fixture's have October's metrics, and a closing before a
    // customer's recorded activity is refused): learnt only now to have left on 20 September. Recorded
    // long before, as a closing dated before the bank first recorded the customer is refused too.
    const then = createApp({ db: f.db.db, now: () => new Date(LONG_AGO), logError: () => undefined });
    const recorded = await then.request('/v1/subjects/K11', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'customer', displayName: '李晓红' }),
    });
    assert.equal(recorded.status, 201, await recorded.text());
    const seen = await put('/v1/subjects/K11/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-09', value: 10_000_00 }] });
    assert.equal(seen.status, 200, await seen.text());
    const res = await f.app.request('/v1/subjects/K11/close', {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ at: '2025-09-20T02:00:00Z', reason: '分行补报', late: true }),
    });
    assert.equal(res.status, 200, await res.text());
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ route: '/v1/subjects/{id}/close', target: 'K11', method: 'POST' });
    const lines = auditDetailOf(t.state.items[0]!);
    assert.deepEqual(auditDetailTexts(lines, 'zh-CN'), [
      '销户时间（统计起算）：2025-10-01 00:00:00',
      '实际销户时间（补录）：2025-09-20 10:00:00',
      '原因：分行补报',
    ]);
    assert.deepEqual(auditDetailTexts(lines, 'zh-TW').slice(0, 2), [
      '銷戶時間（統計起算）：2025-10-01 00:00:00',
      '實際銷戶時間（補錄）：2025-09-20 10:00:00',
    ]);
    assert.deepEqual(auditDetailTexts(lines, 'en').slice(0, 2), [
      'closed at (counted from): 2025-10-01 00:00:00',
      'really left at (recorded late): 2025-09-20 10:00:00',
    ]);
    const post = (path: string, body: unknown) =>
      f.app.request(path, {
        method: 'POST',
        headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });

    // An ordinary closing has one date, when the customer left: named plainly, not as a count's start.
    // Dated now, the fixture's clock: K09 was first recorded then, and a closing before that is refused.
    const closedK09 = await post('/v1/subjects/K09/close', { at: NOW.toISOString(), reason: '销户' });
    assert.equal(closedK09.status, 200, await closedK09.text());
    await t.setFilter({ route: '/v1/subjects/{id}/close', target: 'K09', method: 'POST' });
    const plain = auditDetailOf(t.state.items[0]!);
    assert.deepEqual(auditDetailTexts(plain, 'zh-CN'), ['销户时间：2025-11-15 12:00:00', '原因：销户']);
    assert.deepEqual(auditDetailTexts(plain, 'zh-TW'), ['銷戶時間：2025-11-15 12:00:00', '原因：销户']);
    assert.deepEqual(auditDetailTexts(plain, 'en'), ['closed at: 2025-11-15 12:00:00', 'reason: 销户']);
    // Back as it was: later tests of this file request overrides for K09.
    assert.equal((await post('/v1/subjects/K09/reopen', {})).status, 200);
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
    // The scheme and its levels by the names the tenant gives them, as the audit page reads them.
    const schemes = await readSchemes(f.client('admin'), new AbortController().signal);
    const said = (locale: 'zh-CN' | 'zh-TW' | 'en') => [
      operatorMethodText(settled.method, locale),
      credentialText(settled.credential, locale),
      ...auditDetailOf(settled).map((l) => auditDetailText(l, locale, schemeNames(schemes, locale))),
    ];
    assert.deepEqual(said('zh-CN'), [
      '服务器自动执行',
      '服务器自动执行',
      '客户等级：白金卡 → 普通',
      '客户：K10',
      `到期的人工调级：${filed.id}`,
    ]);
    assert.deepEqual(said('zh-TW'), [
      '伺服器自動執行',
      '伺服器自動執行',
      '客戶等級：白金卡 → 普通',
      '客戶：K10',
      `到期的人工調級：${filed.id}`,
    ]);
    assert.deepEqual(said('en'), [
      'by the server itself',
      'the server by itself',
      'Customer tier: Platinum → Standard',
      'customer: K10',
      `overrides expired: ${filed.id}`,
    ]);
    // A scheme the tenant no longer has (nor its levels): by its keys, said to be a scheme's level.
    const line = auditDetailOf(settled)[0]!;
    assert.equal(auditDetailText(line, 'zh-CN', schemeNames([], 'zh-CN')), 'retail-tier 等级：platinum → standard');
    assert.equal(auditDetailText(line, 'en', schemeNames([], 'en')), 'retail-tier level: platinum → standard');
  });

  it('an override’s approval is found by its customer, and says what was approved and by whose note', async () => {
    const schemes = await readSchemes(f.client('admin'), new AbortController().signal);
    const filed = await f.client('OFF1').http.send<{ id: string; contentHash: string }>('POST', '/v1/subjects/K08/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: '续约',
      expiresAt: null,
    });
    await f.client('admin').http.send('POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash, note: '同意' });
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ target: 'K08' });
    const approved = t.state.items.find((r) => r.route === '/v1/overrides/{overrideId}/approve' && r.phase === 'result');
    assert.ok(approved, 'the approval is listed under its customer');
    assert.deepEqual(
      auditDetailOf(approved).map((l) => auditDetailText(l, 'zh-CN', schemeNames(schemes, 'zh-CN'))),
      [
        `人工调级：${filed.id}`,
        '客户：K08',
        '方案：客户等级',
        '等级：金卡',
        '模式：固定为该等级',
        '到期时间：直到撤销',
        '备注：同意',
        // The request the approver was shown, by its fingerprint (the approval records it).
        `内容指纹：${filed.contentHash}`,
      ],
    );
    assert.equal(
      auditDetailOf(approved)
        .map((l) => auditDetailText(l, 'zh-TW'))
        .at(-1),
      `內容指紋：${filed.contentHash}`,
    );
    assert.equal(
      auditDetailOf(approved)
        .map((l) => auditDetailText(l, 'en'))
        .at(-1),
      `content hash: ${filed.contentHash}`,
    );
    assert.ok(
      t.state.items.some((r) => r.route === '/v1/subjects/{id}/overrides' && r.phase === 'result'),
      'and so is the request',
    );
  });

  it('a policy approval says the default date and the diff the approver was shown, in every locale', async () => {
    const off = f.client('OFF1').http;
    const draft = await off.send<{ version: number; document: { policy: { levels: { when: { value: number } }[] } } }>(
      'POST',
      '/v1/policies/aml-test/drafts',
      {},
    );
    const doc = structuredClone(draft.document);
    (doc.policy.levels[0] as { when: { value: number } }).when.value = 66;
    await off.send('PUT', `/v1/policies/aml-test/versions/${draft.version}`, { document: doc });
    const sub = await off.send<{ contentHash: string }>('POST', `/v1/policies/aml-test/versions/${draft.version}/submit`, {});
    await f.client('admin').http.send('POST', `/v1/policies/aml-test/versions/${draft.version}/approve`, { contentHash: sub.contentHash });
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ route: '/v1/policies/{scheme}/versions/{version}/approve' });
    const record = t.state.items.find((r) => r.phase === 'result');
    assert.ok(record);
    const says = (locale: 'zh-CN' | 'zh-TW' | 'en') => auditDetailOf(record).map((l) => auditDetailText(l, locale));
    assert.ok(says('zh-CN').includes('采用默认生效日期（下月 1 日）：是'), says('zh-CN').join('\n'));
    assert.ok(
      says('zh-CN').some((l) => /^审批人所见改动：修改: .*80.*→.*66/.test(l)),
      says('zh-CN').join('\n'),
    );
    assert.ok(
      says('zh-TW').some((l) => /^審核人所見變更：修改: .*80.*→.*66/.test(l)),
      says('zh-TW').join('\n'),
    );
    assert.ok(
      says('en').some((l) => /^changes the approver was shown: changed: .*80.*→.*66/.test(l)),
      says('en').join('\n'),
    );
    assert.ok(says('en').includes('simulation the approver was shown: none'), says('en').join('\n'));
  });

  it('a policy approval dated into the month under way says what the approver confirmed in words, not codes', async () => {
    const off = f.client('OFF1').http;
    // No approval may be dated before a version already scheduled (409 scheduled_version_later), and the
    // test before scheduled one from next month: retired first, as the refusal tells the approver to.
    const policies = await f.client('admin').http.get<{ items: { scheme: string; scheduled: { version: number }[] }[] }>('/v1/policies');
    // Retiring takes two people: the admin key asks, a second admin approves.
    const checker = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'admin', label: 'second checker', now: NOW })).secret;
    const as = (credential: string) => (path: string, body: unknown) =>
      f.app.request(path, {
        method: 'POST',
        headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const v of policies.items.find((p) => p.scheme === 'aml-test')?.scheduled ?? [])
      assert.equal((await retireByTwo(as(f.adminKey), as(checker), 'aml-test', v.version, 'superseded')).status, 200);
    const draft = await off.send<{ version: number }>('POST', '/v1/policies/aml-test/drafts', {});
    const sub = await off.send<{ contentHash: string }>('POST', `/v1/policies/aml-test/versions/${draft.version}/submit`, {});
    const month = NOW.toISOString().slice(0, 7);
    await f.client('admin').http.send('POST', `/v1/policies/aml-test/versions/${draft.version}/approve`, {
      contentHash: sub.contentHash,
      effectiveFrom: `${month}-01`,
      confirmRetier: true,
    });
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ route: '/v1/policies/{scheme}/versions/{version}/approve' });
    const record = t.state.items.find((r) => r.phase === 'result');
    assert.ok(record);
    const says = (locale: 'zh-CN' | 'zh-TW' | 'en') => auditDetailOf(record).map((l) => auditDetailText(l, locale));
    const confirmed = (locale: 'zh-CN' | 'zh-TW' | 'en') =>
      says(locale).find((l) => l.startsWith(AUDIT_WORDS[locale].fields.confirmedRetier ?? 'confirmedRetier'));
    assert.match(confirmed('zh-CN') ?? '', /^审批人确认重评：重评进行中的本月、/, says('zh-CN').join('\n'));
    assert.match(confirmed('zh-TW') ?? '', /^審核人確認重評：重評進行中的本月、/, says('zh-TW').join('\n'));
    assert.match(confirmed('en') ?? '', /^re-tier confirmed by the approver: re-tiers the month under way, .*a day already past/);
    for (const l of ['zh-CN', 'zh-TW', 'en'] as const) assert.doesNotMatch(confirmed(l) ?? '', /month-under-way|already-judged/);
  });

  it("an override's edit says its level by name, and a re-tier job the schemes it named (or all of them)", async () => {
    const schemes = await readSchemes(f.client('admin'), new AbortController().signal);
    const officer = f.client('OFF1');
    const filed = await officer.http.send<{ id: string }>('POST', '/v1/subjects/K09/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: '续约',
      expiresAt: null,
    });
    await officer.http.send('PATCH', `/v1/overrides/${filed.id}`, { level: 'diamond' });
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ method: 'PATCH', target: filed.id });
    const edited = t.state.items.find((r) => r.phase === 'result');
    assert.ok(edited);
    const lines = auditDetailOf(edited);
    assert.deepEqual(
      lines.map((l) => auditDetailText(l, 'zh-CN', schemeNames(schemes, 'zh-CN'))),
      ['等级：金卡 → 钻石卡'],
    );
    assert.deepEqual(
      lines.map((l) => auditDetailText(l, 'zh-TW', schemeNames(schemes, 'zh-TW'))),
      ['等級：金卡 → 鑽石卡'],
    );
    assert.deepEqual(
      lines.map((l) => auditDetailText(l, 'en', schemeNames(schemes, 'en'))),
      ['level: Gold → Diamond'],
    );

    const job = await f.client('admin').http.send<{ id: string }>('POST', '/v1/jobs', {
      kind: 'retier',
      period: '2025-10',
      schemes: ['retail-tier', 'aml-test'],
    });
    await t.setFilter({ route: '/v1/jobs', method: 'POST' });
    const queued = t.state.items.find(
      (r) => r.phase === 'result' && auditDetailOf(r).some((l) => l.kind === 'value' && l.value === job.id),
    );
    assert.ok(queued);
    const schemesLine = (locale: 'zh-CN' | 'en') =>
      auditDetailOf(queued)
        .map((l) => auditDetailText(l, locale, schemeNames(schemes, locale)))
        .filter((x) => /^(方案|schemes)[：:]/.test(x));
    assert.deepEqual(schemesLine('zh-CN'), ['方案：客户等级、反洗钱风险']);
    assert.deepEqual(schemesLine('en'), ['schemes: Customer tier, AML risk']);
    // The matrix that reads them is re-tiered with it: named, not its record's JSON.
    const withIt = (locale: 'zh-CN' | 'en') =>
      auditDetailOf(queued)
        .filter((l) => l.kind === 'value' && l.field === 'dependents')
        .map((l) => auditDetailText(l, locale, schemeNames(schemes, locale)));
    assert.deepEqual(withIt('zh-CN'), ['随之重评的方案：风险价值矩阵']);
    assert.deepEqual(withIt('en'), ['schemes re-tiered with it: risk × value']);
    // A job that named none re-tiers every scheme: its record says so, not "none".
    const every = await f.client('admin').http.send<{ id: string }>('POST', '/v1/jobs', { kind: 'retier', period: '2025-09' });
    await t.setFilter({ route: '/v1/jobs', method: 'POST' });
    const queuedAll = t.state.items.find(
      (r) => r.phase === 'result' && auditDetailOf(r).some((l) => l.kind === 'value' && l.value === every.id),
    );
    assert.ok(queuedAll);
    const allLine = (locale: 'zh-CN' | 'zh-TW' | 'en') =>
      auditDetailOf(queuedAll)
        .map((l) => auditDetailText(l, locale, schemeNames(schemes, locale)))
        .filter((x) => /^(方案|schemes)[：:]/.test(x));
    assert.deepEqual(allLine('zh-CN'), ['方案：全部方案']);
    assert.deepEqual(allLine('zh-TW'), ['方案：全部方案']);
    assert.deepEqual(allLine('en'), ['schemes: all schemes']);
  });

  it('an unmasked page names the customers it showed, and a lowering decision its move, maker and kind, in every locale', async () => {
    const read = await f.app.request('/v1/subjects?unmask=true&limit=2', {
      headers: { Authorization: `Bearer ${f.adminKey}`, 'X-Request-Id': 'req-words-unmasked-page' },
    });
    assert.equal(read.status, 200);
    const ids = ((await read.json()) as { items: { id: string }[] }).items.map((s) => s.id);
    const schemes = await readSchemes(f.client('admin'), new AbortController().signal);
    const t = new AuditTrail(f.client('admin'));
    await t.setFilter({ route: '/v1/subjects' });
    const page = t.state.items.find((r) => r.requestId === 'req-words-unmasked-page');
    assert.ok(page, 'the unmasked read is on the trail');
    const says = (r: NonNullable<typeof page>, locale: 'zh-CN' | 'zh-TW' | 'en') =>
      auditDetailOf(r).map((l) => auditDetailText(l, locale, schemeNames(schemes, locale)));
    assert.deepEqual(says(page, 'zh-CN'), [`所示客户：${ids.join('、')}`, '人数：2']);
    assert.deepEqual(says(page, 'en'), [`customers shown: ${ids.join(', ')}`, 'how many: 2']);

    // The detail a lowering decision records (routes/governance.ts), as the trail keeps it.
    await appendOperatorAudit(f.db.db, 'bank-a', cliAction('lowering decision (words)'), {
      status: 200,
      target: { id: 'K02' },
      detail: {
        kind: 'lowering',
        scheme: 'aml-test',
        level: 'high',
        from: 'high',
        proposedLevel: 'low',
        period: '2025-10',
        maker: 'staff:MAKER01',
        note: '筛查已结案',
        contentHash: 'sha256:ab',
      },
    });
    await t.setFilter({ method: 'CLI', target: 'K02' });
    const decision = t.state.items.find((r) => (r.detail as { kind?: string } | null)?.kind === 'lowering');
    assert.ok(decision);
    const aml = schemeNames(schemes, 'zh-CN').schemeName('aml-test');
    assert.deepEqual(says(decision, 'zh-CN'), [
      '类型：降级审批',
      `方案：${aml}`,
      '等级：高',
      '原等级：高',
      '拟调至：低',
      '月份：2025-10',
      '发起人：staff:MAKER01',
      '备注：筛查已结案',
      '内容指纹：sha256:ab',
    ]);
    assert.deepEqual(says(decision, 'zh-TW').slice(0, 1), ['類型：降級審核']);
    assert.deepEqual(says(decision, 'en').slice(3, 5), ['level before: High', 'proposed level: Low']);
  });

  it('a read of a grade with restricted readers names the grade, not its key, in every locale', async () => {
    // A bank whose AML grade names its readers (the default pack's rule): each read of it is one record.
    await provisionTenant(f.db.db, { id: 'bank-r', name: 'bank-r', pack: readersTestPack(), now: NOW });
    const key = (await createApiKey(f.db.db, { tenantId: 'bank-r', role: 'admin', label: 'words', now: NOW })).secret;
    const send = (method: string, path: string, body?: unknown) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'X-Request-Id': `req-words-${method}-${path}` },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    assert.equal((await send('PUT', '/v1/subjects/R1', { kind: 'customer', displayName: '赵敏' })).status, 201);
    const wrote = await send('PUT', '/v1/subjects/R1/metrics', {
      metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 10 }],
    });
    assert.equal(wrote.status, 200, await wrote.text());
    assert.equal((await send('GET', '/v1/subjects/R1/tiers')).status, 200);
    const admin = f.clientWith(key);
    const schemes = await readSchemes(admin, new AbortController().signal);
    const t = new AuditTrail(admin);
    await t.setFilter({ route: '/v1/subjects/{id}/tiers' });
    const read = t.state.items.find((r) => r.requestId === 'req-words-GET-/v1/subjects/R1/tiers');
    assert.ok(read, 'the restricted read is on the trail');
    assert.deepEqual(
      (read.detail as { restrictedRead: { schemes: string[] } }).restrictedRead.schemes,
      ['aml-test'],
      'the record keeps the key',
    );
    const said = (locale: 'zh-CN' | 'zh-TW' | 'en') =>
      auditDetailOf(read)
        .map((l) => auditDetailText(l, locale, schemeNames(schemes, locale)))
        .filter((x) => /^(受限读取|受限讀取|restricted read)/.test(x));
    const name = (locale: 'zh-CN' | 'zh-TW' | 'en') => schemes.find((s) => s.key === 'aml-test')?.name[locale];
    assert.deepEqual(said('zh-CN'), [`受限读取：方案：${name('zh-CN')}`, '受限读取：客户：R1', '受限读取：客户数：1']);
    assert.deepEqual(said('zh-TW')[0], `受限讀取：方案：${name('zh-TW')}`);
    assert.deepEqual(said('en')[0], `restricted read: schemes: ${name('en')}`);
    assert.equal(name('zh-CN'), '反洗钱风险');
  });

  it('a level its scheme no longer defines is shown by its key, beside the scheme’s name', async () => {
    // The tenant's schemes as read, retail-tier's platinum since dropped from it.
    const schemes = (await readSchemes(f.client('admin'), new AbortController().signal)).map((s) =>
      s.key === 'retail-tier' ? { ...s, levels: s.levels.filter((l) => l.key !== 'platinum') } : s,
    );
    const settled = {
      kind: 'change',
      field: 'level.retail-tier',
      before: 'platinum',
      after: 'gold',
      keys: { of: 'level', scheme: 'retail-tier' },
    } as const;
    assert.equal(auditDetailText(settled, 'zh-CN', schemeNames(schemes, 'zh-CN')), '客户等级：platinum → 金卡');
    assert.equal(auditDetailText(settled, 'zh-TW', schemeNames(schemes, 'zh-TW')), '客戶等級：platinum → 金卡');
    assert.equal(auditDetailText(settled, 'en', schemeNames(schemes, 'en')), 'Customer tier: platinum → Gold');
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

  it('a range bound the bank’s clocks skip, or no time at all, is refused in words in each locale, as a closing’s time is', () => {
    const { errors, filter } = checkAuditFilter({ from: '2026-03-08T02:30', to: '2026-02-30T00:00' }, 'America/New_York');
    assert.equal(filter, undefined);
    const said = (locale: 'zh-CN' | 'zh-TW' | 'en') =>
      [errors.from, errors.to].map((c) => (c ? sayCheck(c, AUDIT_WORDS[locale].checks, locale) : undefined));
    assert.deepEqual(said('zh-CN'), ['该时间因夏令时调整而不存在（时钟跳过了这一段），请改填其他时间', '不是有效的日期和时间']);
    assert.deepEqual(said('zh-TW'), ['該時間因夏令時調整而不存在（時鐘跳過了這一段），請改填其他時間', '不是有效的日期和時間']);
    assert.deepEqual(said('en'), ['the clocks skip this time (daylight saving): it never happened — enter another', 'not a date and time']);
    // The same words as a closing's time: one set for every typed time.
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const)
      for (const code of ['not-a-time', 'time-skipped'] as const)
        assert.equal(AUDIT_WORDS[locale].checks[code](), WALL_TIME_WORDS[locale][code]());
  });

  it('a range that ends before it starts is refused at its end, in words in each locale', () => {
    const { errors } = checkAuditFilter({ from: '2026-01-01T00:00', to: '2025-01-01T00:00' }, 'Asia/Shanghai');
    assert.deepEqual(Object.keys(errors), ['to']);
    const said = (locale: 'zh-CN' | 'zh-TW' | 'en') => (errors.to ? sayCheck(errors.to, AUDIT_WORDS[locale].checks, locale) : undefined);
    assert.equal(said('zh-CN'), '须晚于起始时间');
    assert.equal(said('zh-TW'), '須晚於起始時間');
    assert.equal(said('en'), 'must be later than From');
  });

  it('a status that is none is refused in words in each locale, and the summary names no particular field', () => {
    const { errors } = checkAuditFilter({ status: '600' }, 'Asia/Shanghai');
    assert.deepEqual(Object.keys(errors), ['status']);
    const said = (locale: 'zh-CN' | 'zh-TW' | 'en') =>
      errors.status ? sayCheck(errors.status, AUDIT_WORDS[locale].checks, locale) : undefined;
    assert.equal(said('zh-CN'), '须为 HTTP 状态码：100 至 599 的整数');
    assert.equal(said('zh-TW'), '須為 HTTP 狀態碼：100 至 599 的整數');
    assert.equal(said('en'), 'must be an HTTP status: a whole number from 100 to 599');
    // The summary is said for a refused status as for a refused time: it must not say "time".
    assert.doesNotMatch(AUDIT_WORDS['zh-CN'].fixFields, /时间/);
    assert.doesNotMatch(AUDIT_WORDS['zh-TW'].fixFields, /時間/);
    assert.doesNotMatch(AUDIT_WORDS.en.fixFields, /time/);
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
