// The console says the API's refusals in its own language: the problem's `type` (a stable code) and,
// for a validation problem, each field by its name and what is wrong — never the validator's English
// where it has words — and the kit's own checks by their codes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { BookAssignment, ImportStore, type KitError, Overrides } from '@tierkit/admin';
import { checkSchemeDocument, defaultPolicyPack, type ProblemFieldError } from '@tierkit/core';
import { IMPORT_WORDS } from '../../apps/admin/src/pages/import.words.js';
import { fieldMessage, fieldName, fieldSays, refusedForFinalMonth, sayCheck, whyFailed } from '../../apps/admin/src/why-failed.js';
import { OVERRIDE_WORDS } from '../../apps/admin/src/pages/overrides.words.js';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { createClient } from '@tierkit/client';
import { connect, HeavyReads, sqliteFile } from '@tierkit/db';
import { sql } from 'kysely';
import SQLite from 'better-sqlite3';
import { NOW } from '../support/api-fixture.js';
import { kitFixture, refusal } from './kit-fixture.js';
import { approvalTestPack } from '../support/test-pack.js';

describe('the console words the API’s refusals', () => {
  const f = kitFixture();

  it('a bad override body: every field in the console’s language, none of zod’s English', async () => {
    const e = await refusal(() =>
      f
        .client('OFF1')
        .http.send('POST', '/v1/subjects/K03/overrides', { scheme: 'retail-tier', level: 'gold', mode: 'sideways', reason: '' }),
    );
    assert.equal(e.status, 400);
    assert.ok(e.errors?.length, JSON.stringify(e));
    const zhCN = whyFailed(e, 'zh-CN');
    assert.match(zhCN, /^请求未通过校验: /);
    assert.match(zhCN, /方式: 须为以下之一：fixed, floor/);
    assert.match(zhCN, /理由: 必填/);
    assert.doesNotMatch(zhCN, /Invalid|expected|Too small|received/);
    const zhTW = whyFailed(e, 'zh-TW');
    assert.match(zhTW, /^請求未通過驗證: /);
    assert.match(zhTW, /方式: 須為以下之一：fixed, floor/);
    assert.doesNotMatch(zhTW, /Invalid|expected|Too small|received/);
    assert.match(whyFailed(e, 'en'), /Mode: must be one of: fixed, floor/);
  });

  it('a grade the reader’s role may not read (403 scheme_not_readable) says who to ask, in each language, not “forbidden”', () => {
    const e: KitError = {
      status: 403,
      type: 'https://tierkit.dev/problems/forbidden',
      title: 'The credential does not allow this',
      detail: 'Scheme "aml-risk" is not readable with this credential',
      errors: [
        { path: 'query.scheme', message: 'scheme aml-risk is not readable', code: 'scheme_not_readable', params: { scheme: 'aml-risk' } },
      ],
    };
    assert.equal(whyFailed(e, 'zh-CN'), '您的角色无权查看该评级（如反洗钱风险等级），请联系合规部门');
    assert.equal(whyFailed(e, 'zh-TW'), '您的角色無權查看該評級（如反洗錢風險等級），請聯絡法令遵循部門');
    assert.match(whyFailed(e, 'en'), /ask compliance/);
  });

  it('a metric in use names the schemes the writer reads and counts the others, in each language', () => {
    const inUse = (schemes: string[], unreadable: number): KitError => ({
      status: 409,
      type: 'https://tierkit.dev/problems/conflict',
      title: 'Conflict',
      detail: 'Metric "aml_customer_risk" is read by …',
      errors: [{ path: 'key', message: 'read by …', code: 'metric_in_use', params: { metric: 'aml_customer_risk', schemes, unreadable } }],
    });
    const mixed = inUse(['关注名单'], 1);
    assert.match(whyFailed(mixed, 'zh-CN'), /正被方案 关注名单 及另外 1 个您无权查看的方案使用/);
    assert.match(whyFailed(mixed, 'zh-TW'), /正被方案 关注名单 及另外 1 個您無權檢視的方案使用/);
    assert.match(whyFailed(mixed, 'en'), /is read by 关注名单 and 1 more you may not read:/);
    const hidden = inUse([], 2);
    assert.match(whyFailed(hidden, 'zh-CN'), /正被2 个您无权查看的方案使用/);
    assert.match(whyFailed(hidden, 'en'), /is read by 2 schemes you may not read:/);
    // Every scheme readable: named, nothing counted.
    assert.match(whyFailed(inUse(['零售客户等级'], 0), 'zh-CN'), /正被方案 零售客户等级 使用/);
  });

  it('a metric under a waiting version names the version the writer reads and counts the others, in each language', () => {
    const pending = (params: Record<string, string | number | string[]>): KitError => ({
      status: 409,
      type: 'https://tierkit.dev/problems/conflict',
      title: 'Conflict',
      detail: 'Metric "unusual_activity" is read by …',
      errors: [{ path: 'subjectKinds', message: 'read by …', code: 'metric_in_pending_version', params }],
    });
    const hidden = pending({ metric: 'unusual_activity', schemes: [], unreadable: 1 });
    assert.match(whyFailed(hidden, 'zh-CN'), /1 个您无权查看的方案有待审批的版本读取指标“unusual_activity”/);
    assert.match(whyFailed(hidden, 'zh-TW'), /1 個您無權檢視的方案有待核准的版本讀取指標「unusual_activity」/);
    assert.match(whyFailed(hidden, 'en'), /a version waiting for approval of 1 scheme you may not read reads “unusual_activity”/);
    for (const l of ['zh-CN', 'zh-TW', 'en'] as const) assert.doesNotMatch(whyFailed(hidden, l), /undefined|“”|「」/);
    const mixed = pending({ metric: 'm', scheme: 'watch-list', version: 3, schemes: ['watch-list'], unreadable: 2 });
    assert.match(whyFailed(mixed, 'zh-CN'), /方案“watch-list”第 3 版正在等待审批，且读取指标“m”（另有 2 个您无权查看的方案/);
    assert.match(
      whyFailed(mixed, 'en'),
      /version 3 of “watch-list” waits for approval and reads “m” \(as does a waiting version of 2 more schemes you may not read\)/,
    );
    assert.doesNotMatch(whyFailed(pending({ metric: 'm', scheme: 'w', version: 1, schemes: ['w'], unreadable: 0 }), 'en'), /may not read/);
  });

  it('a schema refusal is worded by its code and params, whatever the English says', () => {
    const reworded = 'a message a newer validator might write';
    assert.equal(
      fieldSays({ path: 'reason', message: reworded, code: 'too_big', params: { maximum: 500, origin: 'string' } }, 'zh-CN'),
      '最多 500 个字符',
    );
    assert.equal(
      fieldSays({ path: 'limit', message: reworded, code: 'too_small', params: { minimum: 1, inclusive: true, origin: 'number' } }, 'en'),
      fieldMessage('Too small: expected number to be >=1', 'en'),
    );
    assert.equal(
      fieldSays({ path: 'kind', message: reworded, code: 'invalid_value', params: { values: ['customer', 'product'] } }, 'zh-TW'),
      fieldMessage('Invalid option: expected one of "customer"|"product"', 'zh-TW'),
    );
    assert.equal(fieldSays({ path: 'x', message: reworded, code: 'custom' }, 'en'), reworded, 'a code without words: the API’s message');
    // A customer tier reading a company's metric (the engine's `metric_subject_kind`), in each language.
    const kind = {
      path: 'document.policy.levels[0].when.of[3].metric',
      message: reworded,
      code: 'metric_subject_kind',
      params: { metric: 'annual_revenue', subjectKind: 'customer', metricKinds: ['corporate'] },
    };
    assert.equal(fieldSays(kind, 'zh-CN'), '指标“annual_revenue”衡量的是企业客户，不能用于个人客户的方案');
    assert.equal(fieldSays(kind, 'zh-TW'), '指標「annual_revenue」衡量的是企業客戶，不能用於個人客戶的方案');
    assert.equal(fieldSays(kind, 'en'), 'metric “annual_revenue” is measured on companies, not on the customers this scheme grades');
    // A closing's time: before 2000, before the last final month's end, ahead of now.
    const instant = (code: 'too_small' | 'too_big', bound: Record<string, string>) =>
      fieldSays({ path: 'at', message: reworded, code, params: { ...bound, inclusive: true, origin: 'instant' } }, 'zh-CN');
    // Instants as the bank's clock reads them, the zone named: the API's floor of 2000 (UTC) is 08:00 in Shanghai.
    assert.equal(instant('too_small', { minimum: '2000-01-01T00:00:00.000Z' }), '不能早于 2000-01-01 08:00 (Asia/Shanghai)');
    assert.equal(
      instant('too_small', { minimum: '2025-09-30T16:00:00.000Z' }),
      '不能早于 2025-10-01 00:00 (Asia/Shanghai)：此前各月的统计已定稿',
    );
    assert.equal(instant('too_big', { maximum: '2025-11-15T04:00:00.000Z' }), '不能晚于当前时间（2025-11-15 12:00 (Asia/Shanghai)）');
  });

  it('the API’s own field refusal is worded by its code; its English stays only where the console has no words', async () => {
    // Without the schemes the kit cannot check the level: the API refuses it.
    const blind = new Overrides(f.client('RM1'), { now: () => NOW });
    await blind.open('K04');
    assert.equal(await blind.request({ scheme: 'retail-tier', level: 'ruby', mode: 'fixed', reason: 'x', expiresAt: null }), false);
    const level = blind.state.fieldErrors.level;
    assert.ok(level);
    assert.equal(level.code, undefined, 'not a check of the kit’s');
    assert.equal(level.api?.code, 'unknown_level');
    assert.equal(sayCheck(level, OVERRIDE_WORDS['zh-CN'].checks, 'zh-CN'), '“ruby”不是该方案的等级');
    assert.equal(sayCheck(level, OVERRIDE_WORDS['zh-TW'].checks, 'zh-TW'), '「ruby」不是該方案的等級');
    assert.equal(sayCheck(level, OVERRIDE_WORDS.en.checks, 'en'), '“ruby” is not a level of this scheme');
    // By the code, not the sentence: the API may reword its English.
    const reworded = { ...level, message: 'ruby? never heard of it' };
    assert.equal(sayCheck(reworded, OVERRIDE_WORDS['zh-CN'].checks, 'zh-CN'), '“ruby”不是该方案的等级');
    assert.equal(fieldMessage('a message the console has never seen', 'zh-CN'), 'a message the console has never seen');
    assert.equal(fieldSays({ path: 'x', message: 'said in English', code: 'a_code_from_a_newer_api' }, 'zh-TW'), 'said in English');
  });

  it('the API’s own checks, from its real refusals, in zh-CN, zh-TW and en', async () => {
    const admin = f.client('admin');
    const cases: [send: () => Promise<unknown>, zhCN: string, zhTW: string, en: string][] = [
      [
        () =>
          f.client('RM1').http.send('POST', '/v1/subjects/K04/overrides', {
            scheme: 'retail-tier',
            level: 'gold',
            mode: 'fixed',
            reason: 'x',
            expiresAt: '2025-01-01T00:00:00Z',
          }),
        '到期日: 须晚于现在',
        '到期日: 須晚於現在',
        'Expiry: must be in the future',
      ],
      [
        () =>
          admin.http.send('PUT', '/v1/subjects/K04/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2026-01', value: 1 }] }),
        'metrics[0].period: 2026-01 尚未开始（本月为 2025-11）',
        'metrics[0].period: 2026-01 尚未開始（本月為 2025-11）',
        'metrics[0].period: 2026-01 has not begun (this month is 2025-11)',
      ],
      [
        () => admin.http.send('PUT', '/v1/subjects/K04/metrics', { metrics: [{ metric: 'no_such', period: '2025-10', value: 1 }] }),
        'metrics[0].metric: 没有指标“no_such”',
        'metrics[0].metric: 沒有指標「no_such」',
        'metrics[0].metric: no metric “no_such”',
      ],
      [() => admin.http.get('/v1/subjects?scheme=nope'), '方案: 没有方案“nope”', '方案: 沒有方案「nope」', 'Scheme: no scheme “nope”'],
      [
        () => admin.http.get('/v1/analytics/distribution?scheme=retail-tier&from=2000-01&to=2025-10'),
        '截止: 最多 120 个月，现为 310 个月',
        '截止: 最多 120 個月，目前為 310 個月',
        'To: at most 120 months; this is 310',
      ],
      [
        () => admin.http.send('POST', '/v1/subject-managers', { assignments: [{ subject: 'K04', manager: 'NOBODY' }] }),
        'assignments[0].manager: 本机构没有员工“NOBODY”',
        'assignments[0].manager: 本機構沒有員工「NOBODY」',
        'assignments[0].manager: no staff member “NOBODY” in this bank',
      ],
    ];
    for (const [send, zhCN, zhTW, en] of cases) {
      const e = await refusal(send);
      assert.ok(
        e.errors?.every((x) => x.code !== undefined),
        JSON.stringify(e.errors),
      );
      assert.equal(whyFailed(e, 'zh-CN'), `请求未通过校验: ${zhCN}`);
      assert.equal(whyFailed(e, 'zh-TW'), `請求未通過驗證: ${zhTW}`);
      assert.equal(whyFailed(e, 'en'), `The request is not valid: ${en}`);
    }
  });

  it('a closing time refused for a final month, not for 2000, is the one told how a closing learnt late is recorded', async () => {
    // The fixture's September is final: a row in it is refused at the end of September; one said late, in 1999, at 2000.
    const res = await f.app.request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.adminKey}` },
      body: 'id,name,closedAt,closedLate\nK90,某客户,2025-09-20T10:00:00+08:00,\nK91,某客户,1999-12-31T00:00:00Z,1\n',
    });
    assert.equal(res.status, 422, await res.clone().text());
    const job = await f.app.request(res.headers.get('Location') ?? '', { headers: { Authorization: `Bearer ${f.adminKey}` } });
    const rows = ((await job.json()) as { errors: { items: (ProblemFieldError & { line: number })[] } }).errors.items;
    assert.deepEqual(
      rows.map((e) => [e.line, refusedForFinalMonth(e)]),
      [
        [2, true],
        [3, false],
      ],
    );
    // The dialog's check carries the API's refusal the same way: a final month's end, not 2000.
    const closing = await refusal(() =>
      f.client('admin').http.send('POST', '/v1/subjects/K04/close', { reason: 'x', at: '2025-09-20T02:00:00Z' }),
    );
    assert.equal(refusedForFinalMonth(closing.errors?.find((e) => e.path === 'at')), true);
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) assert.match(IMPORT_WORDS[locale].closedLateHint, /closedLate/);
  });

  it('bytes that are not UTF-8 in a request are no file: no CSV, no GBK', async () => {
    const admin = f.client('admin');
    const query = await refusal(() => admin.http.get('/v1/subjects?scheme=%FF'));
    assert.equal(query.errors?.[0]?.code, 'invalid_encoding', JSON.stringify(query));
    assert.equal(whyFailed(query, 'zh-CN'), '请求未通过校验: 方案: 不是有效的 UTF-8 百分号编码');
    assert.equal(whyFailed(query, 'zh-TW'), '請求未通過驗證: 方案: 不是有效的 UTF-8 百分比編碼');
    assert.equal(whyFailed(query, 'en'), 'The request is not valid: Scheme: is not valid percent-encoded UTF-8');
    const res = await f.app.request('/v1/subject-managers', {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: new Uint8Array([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as KitError;
    const json: KitError = { ...body, status: 400 };
    assert.equal(whyFailed(json, 'zh-CN'), '请求未通过校验: 请求内容: 请求内容不是有效的 UTF-8');
    assert.equal(whyFailed(json, 'en'), 'The request is not valid: Request body: the request body is not valid UTF-8');
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const)
      for (const e of [query, json]) assert.doesNotMatch(whyFailed(e, locale), /CSV|GBK|Big5|文件|檔案|file/, locale);
    // An import file's own: still the advice about GBK and Big5.
    assert.match(fieldSays({ path: '(body)', message: 'x', code: 'invalid_encoding', params: { encoding: 'utf-8' } }, 'en'), /GBK/);
  });

  it('a file that is not CSV, by its problem', () => {
    const csv = (params: Record<string, string | number>) => ({ path: 'line 2', message: 'English', code: 'invalid_csv', params });
    assert.equal(
      fieldSays(csv({ problem: 'record_too_long', maximum: 1_000_000 }), 'zh-CN'),
      '文件不是有效的 CSV：有一条记录超过 1,000,000 个字符（可能有引号未闭合）',
    );
    assert.equal(
      fieldSays(csv({ problem: 'record_too_long', maximum: 1_000_000 }), 'zh-TW'),
      '檔案不是有效的 CSV：有一筆紀錄超過 1,000,000 個字元（可能有引號未閉合）',
    );
    assert.match(fieldSays(csv({ problem: 'record_too_long', maximum: 1_000_000 }), 'en'), /longer than 1,000,000 characters/);
    assert.equal(fieldSays(csv({ problem: 'quote_not_closed' }), 'zh-CN'), '文件不是有效的 CSV：有引号未闭合');
    assert.match(fieldSays(csv({ problem: 'after_closing_quote' }), 'zh-TW'), /右引號之後/);
    // Another problem (csv-parse's other errors, or one a newer API adds): the general sentence, no quoting advice.
    assert.equal(fieldSays(csv({ problem: 'other' }), 'zh-CN'), '文件不是有效的 CSV');
    assert.equal(fieldSays(csv({ problem: 'something_new' }), 'en'), 'the file is not valid CSV');
  });

  it('two fields that exclude each other are named in the console’s language, from the API’s real refusals', async () => {
    const admin = f.client('admin');
    const both = await refusal(() => admin.http.send('POST', '/v1/policies/retail-tier/drafts', { from: 1, document: {} }));
    assert.equal(whyFailed(both, 'zh-CN'), '请求未通过校验: 复制自版本: 复制自版本、策略文档只能给出其一');
    assert.equal(whyFailed(both, 'zh-TW'), '請求未通過驗證: 複製自版本: 複製自版本、策略文件只能提供其一');
    assert.equal(whyFailed(both, 'en'), 'The request is not valid: Copy of version: give Copy of version or Policy document, not both');
    const one = await refusal(() => admin.http.get('/v1/subjects/K04/suitability'));
    assert.equal(whyFailed(one, 'zh-CN'), '请求未通过校验: 产品风险等级: 产品风险等级、产品编号须给出且只给出其一');
    assert.equal(whyFailed(one, 'zh-TW'), '請求未通過驗證: 產品風險等級: 產品風險等級、產品編號須提供且只提供其一');
    assert.equal(whyFailed(one, 'en'), 'The request is not valid: Product risk level: give exactly one: Product risk level or Product id');
  });

  it('the kit’s checks by their codes, with the data their words need', async () => {
    const o = new Overrides(f.client('RM1'), { now: () => NOW });
    await o.loadSchemes();
    await o.open('K04');
    await o.request({ scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'x'.repeat(1001), expiresAt: null });
    const reason = o.state.fieldErrors.reason;
    assert.ok(reason);
    assert.equal(sayCheck(reason, OVERRIDE_WORDS['zh-CN'].checks, 'zh-CN'), '理由最多 1000 个字符');
    assert.equal(sayCheck(reason, OVERRIDE_WORDS['zh-TW'].checks, 'zh-TW'), '理由最多 1000 個字元');
    assert.equal(sayCheck(reason, OVERRIDE_WORDS.en.checks, 'en'), 'At most 1000 characters');
  });

  it('an analytics range the wrong way round, as the analytics page would send it', async () => {
    const e = await refusal(() => f.client('OFF1').http.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-10&to=2025-06'));
    assert.equal(e.status, 400, JSON.stringify(e));
    assert.equal(whyFailed(e, 'zh-TW'), '請求未通過驗證: 截止: 不能早於起始月份（2025-10）');
  });

  it('a refusal of another kind is said by its type; the particulars of a conflict follow', async () => {
    const fourEyes: KitError = {
      status: 403,
      type: 'https://tierkit.dev/problems/four-eyes',
      title: 'The approver must be someone other than the requester',
      detail: 'staff:OFF1 requested it',
    };
    assert.equal(whyFailed(fourEyes, 'zh-TW'), '核准人須與申請人不同');
    const conflict: KitError = { status: 409, type: 'https://tierkit.dev/problems/conflict', title: 'x', detail: 'a draft is open' };
    assert.equal(whyFailed(conflict, 'zh-CN'), '与当前状态冲突: a draft is open');
    // A type the console does not know: the API's own words.
    assert.equal(whyFailed({ status: 418, type: 'https://example.com/teapot', title: 'I am a teapot' }, 'zh-CN'), 'I am a teapot');
  });

  it('an override further than its scheme allows (422): said by its code in the console’s words, not the API’s English', () => {
    const jump: KitError = {
      status: 422,
      type: 'https://tierkit.dev/problems/unprocessable',
      title: 'The request is well-formed but cannot be carried out',
      detail: 'An override of retail-tier may move subject "C005945" at most 1 level(s) …',
      errors: [
        {
          path: 'level',
          message: 'at most 1 level(s) from standard (overrides.maxStep)',
          code: 'override_jump_too_far',
          params: { scheme: 'retail-tier', from: 'standard', level: 'diamond', steps: 3, maxStep: 1 },
        },
      ],
    };
    assert.match(whyFailed(jump, 'zh-CN'), /较当前等级跨 3 级，该方案的人工调级每次最多调整 1 级/);
    assert.match(whyFailed(jump, 'zh-TW'), /較目前等級跨 3 級/);
    assert.doesNotMatch(whyFailed(jump, 'zh-CN'), /overrides\.maxStep|C005945/);
  });

  it('a decision of a request whose customer was closed meanwhile: said as the closing, not as the API’s English', async () => {
    const admin = f.client('admin');
    await admin.http.send('PUT', '/v1/subjects/KC1', { kind: 'customer', displayName: '王芳' });
    const request = (await f.client('OFF1').http.send('POST', '/v1/subjects/KC1/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: 'VIP',
      expiresAt: null,
    })) as {
      id: string;
      contentHash: string;
    };
    await admin.http.send('POST', '/v1/subjects/KC1/close', { reason: '销户' });
    const e = await refusal(() => admin.http.send('POST', `/v1/overrides/${request.id}/approve`, { contentHash: request.contentHash }));
    assert.equal(e.status, 409, JSON.stringify(e));
    assert.equal(whyFailed(e, 'zh-CN'), '该客户已销户，其待审批事项已随销户撤回，不能再为其办理；如需继续，请先撤销销户');
    assert.match(whyFailed(e, 'zh-TW'), /^該客戶已銷戶，/);
    assert.match(whyFailed(e, 'en'), /^This customer has left the bank/);
    assert.doesNotMatch(whyFailed(e, 'zh-CN'), /Subject|closed/);
  });

  it('approving a sign-off of a level the customer no longer has: said as the level having moved on, in each language', async () => {
    // A tenant whose AML high needs a sign-off, with two people: the officer who uploads, an admin who decides.
    await provisionTenant(f.db.db, { id: 'bank-s', name: 'bank-s', pack: approvalTestPack(), now: NOW });
    const key = async (role: 'officer' | 'admin') =>
      f.clientWith((await createApiKey(f.db.db, { tenantId: 'bank-s', role, label: `sign-off ${role}`, now: NOW })).secret);
    const officer = await key('officer');
    const admin = await key('admin');
    await admin.http.send('PUT', '/v1/subjects/KS1', { kind: 'customer', displayName: '王芳' });
    // The officer's upload grades the customer high: a sign-off waits for someone else.
    await officer.http.send('PUT', '/v1/subjects/KS1/metrics', {
      metrics: [{ metric: 'aml_customer_risk', period: '2025-09', value: 95 }],
    });
    const signOff = await admin.http.get<{ contentHash: string }>('/v1/subjects/KS1/levels/aml-test/approval');
    // Next month's figures grade them low: the high sign-off is superseded while the checker has it open.
    await officer.http.send('PUT', '/v1/subjects/KS1/metrics', {
      metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 10 }],
    });
    const e = await refusal(() =>
      admin.http.send('POST', '/v1/subjects/KS1/levels/aml-test/approve', { contentHash: signOff.contentHash }),
    );
    assert.equal(e.status, 409, JSON.stringify(e));
    assert.ok(e.errors?.some((x) => x.code === 'sign_off_superseded'));
    assert.match(whyFailed(e, 'zh-CN'), /^该签核已失效：客户的等级已变为其他等级/);
    assert.match(whyFailed(e, 'zh-TW'), /^該簽核已失效：客戶的等級已變為其他等級/);
    assert.match(whyFailed(e, 'en'), /^This sign-off no longer applies: the customer's level has moved on/);
    assert.doesNotMatch(whyFailed(e, 'zh-CN'), /superseded|sign-off/);
  });

  it('a policy approval with no simulation named, or weakening what an admin guards: said as what to do, in each language', async () => {
    // AML high needs a sign-off, and overrides of AML an admin's approval.
    const base = approvalTestPack();
    const pack = {
      ...base,
      schemes: base.schemes.map((s) =>
        s.key === 'aml-test' ? { ...s, overrides: { requestedBy: 'tenant' as const, approvedBy: 'admin' as const, maxDays: 180 } } : s,
      ),
    };
    await provisionTenant(f.db.db, { id: 'bank-g', name: 'bank-g', pack, now: NOW });
    const key = async (role: 'officer' | 'approver' | 'admin') =>
      f.clientWith((await createApiKey(f.db.db, { tenantId: 'bank-g', role, label: `policy ${role}`, now: NOW })).secret);
    const [officer, approver] = [await key('officer'), await key('approver')];
    const submit = async (edit: (doc: { levels: { approvalRequired?: boolean }[] }) => void) => {
      const draft = await officer.http.send<{ version: number; document: { levels: { approvalRequired?: boolean }[] } }>(
        'POST',
        '/v1/policies/aml-test/drafts',
        {},
      );
      edit(draft.document);
      await officer.http.send('PUT', `/v1/policies/aml-test/versions/${draft.version}`, { document: draft.document });
      return officer.http.send<{ version: number; contentHash: string }>(
        'POST',
        `/v1/policies/aml-test/versions/${draft.version}/submit`,
        {},
      );
    };
    const same = await submit(() => undefined);
    const unseen = await refusal(() =>
      approver.http.send('POST', `/v1/policies/aml-test/versions/${same.version}/approve`, { contentHash: same.contentHash }),
    );
    assert.equal(unseen.status, 422, JSON.stringify(unseen));
    assert.equal(whyFailed(unseen, 'zh-CN'), '无法执行: 本方案含须复核的等级：请先完成本版本的模拟并查看结果，再审批');
    assert.equal(whyFailed(unseen, 'zh-TW'), '無法執行: 本方案含須複核的等級：請先完成本版本的模擬並檢視結果，再核准');
    assert.match(whyFailed(unseen, 'en'), /: this scheme has levels that need a sign-off: run a simulation of this version/);

    const weaker = await submit((doc) => {
      for (const l of doc.levels) delete l.approvalRequired;
    });
    const refused = await refusal(() =>
      approver.http.send('POST', `/v1/policies/aml-test/versions/${weaker.version}/approve`, { contentHash: weaker.contentHash }),
    );
    assert.equal(refused.status, 403, JSON.stringify(refused));
    assert.equal(whyFailed(refused, 'zh-CN'), '您的角色无权执行此操作: 本版本放宽了现行版本的审批管控，须由管理员审批');
    assert.match(whyFailed(refused, 'zh-TW'), /須由管理員核准$/);
    assert.match(whyFailed(refused, 'en'), /an admin must approve it$/);
  });

  it('a policy approval dated before a version already scheduled: said as which version and what to do, in each language', async () => {
    await provisionTenant(f.db.db, { id: 'bank-s', name: 'bank-s', pack: approvalTestPack(), now: NOW });
    const key = async (role: 'officer' | 'approver') =>
      f.clientWith((await createApiKey(f.db.db, { tenantId: 'bank-s', role, label: `order ${role}`, now: NOW })).secret);
    const [officer, approver] = [await key('officer'), await key('approver')];
    const submit = async () => {
      const draft = await officer.http.send<{ version: number }>('POST', '/v1/policies/retail-tier/drafts', {});
      return officer.http.send<{ version: number; contentHash: string }>(
        'POST',
        `/v1/policies/retail-tier/versions/${draft.version}/submit`,
        {},
      );
    };
    const launch = await submit();
    await approver.http.send('POST', `/v1/policies/retail-tier/versions/${launch.version}/approve`, {
      contentHash: launch.contentHash,
      effectiveFrom: '2026-01-01',
    });
    const next = await submit();
    const refused = await refusal(() =>
      approver.http.send('POST', `/v1/policies/retail-tier/versions/${next.version}/approve`, {
        contentHash: next.contentHash,
        effectiveFrom: '2025-12-01',
      }),
    );
    assert.equal(refused.status, 409, JSON.stringify(refused));
    assert.equal(
      whyFailed(refused, 'zh-CN'),
      `与当前状态冲突: 第 ${launch.version} 版已排期自 2026-01-01 起生效，会在当天撤销本版本的改动：请选 2026-01-01 之后的日期，或先停用第 ${launch.version} 版`,
    );
    assert.match(whyFailed(refused, 'zh-TW'), /已排定自 2026-01-01 起生效/);
    assert.match(whyFailed(refused, 'en'), /is scheduled from 2026-01-01 and would undo this version's changes/);
  });
});

describe('the console words the API’s refusal of an import file', () => {
  const f = kitFixture();

  it('a file the API cannot read: where in it and why, in the console’s language', async () => {
    const s = new ImportStore(f.client('OFF1'));
    // GBK bytes sent as UTF-8: the API refuses the file as a whole.
    await s.pick(new Blob([new Uint8Array(iconv.encode('客户号,姓名\nK90,张三\n', 'gbk'))], { type: 'text/csv' }), 'gbk.csv');
    s.map('id', s.state.columns[0]);
    s.map('name', s.state.columns[1]);
    await s.preview();
    assert.equal(s.state.status, 'error');
    const said = s.state.problems.map((p) => `${fieldName(p.path, 'zh-TW')}: ${sayCheck(p, IMPORT_WORDS['zh-TW'].checks, 'zh-TW')}`);
    assert.ok(said.length, JSON.stringify(s.state.problems));
    // Only the encodings' own names are in Latin letters.
    assert.doesNotMatch(said.join(' ').replace(/UTF-8|GB18030|GBK|Big5/g, ''), /[A-Za-z]/, said.join(' '));
    assert.match(said.join(' '), /不是有效的 UTF-8/);
    assert.match(whyFailed(s.state.error, 'zh-CN'), /^请求未通过校验: 文件: 文件不是有效的 UTF-8/);
  });

  it('a mapped column the file does not have', async () => {
    const s = new ImportStore(f.client('OFF1'));
    await s.pick(new Blob(['id,name\nK91,张三\n'], { type: 'text/csv' }), 'ok.csv');
    s.map('name', 'name');
    // A host that maps a column the file does not have (the console offers only the file's own).
    s.map('id', 'nope');
    await s.preview();
    assert.equal(s.state.status, 'error');
    assert.match(whyFailed(s.state.error, 'zh-TW'), /「nope」欄: 對應中的欄「nope」不在檔案標題列中/);
  });
  it('an import’s row errors, from a real preview, worded by their codes in zh-CN, zh-TW and en', async () => {
    const s = new ImportStore(f.client('OFF1'), { metrics: defaultPolicyPack.metrics });
    await s.configure({ kind: 'metrics', amounts: 'yuan' });
    const file = [
      'subject,period,metric,value',
      'K01,2025-10,avg_daily_balance,1.234',
      'bad id!,2025-10,avg_daily_balance,1',
      'K01,October,avg_daily_balance,1',
      'K01,2025-10,no_such_metric,1',
      'K01,2025-10,avg_daily_balance',
      'NOPE,2025-10,avg_daily_balance,1',
      'K01,2025-10,transaction_count,',
    ].join('\n');
    await s.pick(new Blob([file], { type: 'text/csv' }), 'rows.csv');
    await s.preview();
    assert.equal(s.state.status, 'ready', JSON.stringify(s.state.error));
    const errors = s.state.preview?.errors ?? [];
    assert.ok(
      errors.every((e) => e.code !== undefined),
      JSON.stringify(errors),
    );
    const say = (locale: 'zh-CN' | 'zh-TW' | 'en') => errors.map((e) => fieldSays({ path: '', ...e }, locale));
    assert.deepEqual(say('zh-CN'), [
      '“1.234”不是以元填写的金额（数字，最多两位小数，不带千位分隔符）',
      '“bad id!”不是有效的客户号（1–64 位字母、数字或 _ . : -）',
      '“October”不是月份（YYYY-MM 或 YYYYMM）',
      '没有指标“no_such_metric”',
      '本行有 3 列，表头有 4 列',
      '本机构没有客户“NOPE”，请先导入客户',
      '必填',
    ]);
    assert.deepEqual(say('zh-TW'), [
      '「1.234」不是以元填寫的金額（數字，最多兩位小數，不含千分位符號）',
      '「bad id!」不是有效的客戶編號（1–64 位字母、數字或 _ . : -）',
      '「October」不是月份（YYYY-MM 或 YYYYMM）',
      '沒有指標「no_such_metric」',
      '本列有 3 欄，標題列有 4 欄',
      '本機構沒有客戶「NOPE」，請先匯入客戶',
      '必填',
    ]);
    assert.deepEqual(say('en'), [
      '“1.234” is not an amount in yuan (digits, at most 2 decimals, no separators)',
      '“bad id!” is not a customer id (1–64 letters, digits, _ . : -)',
      '“October” is not a month (YYYY-MM or YYYYMM)',
      'no metric “no_such_metric”',
      'the row has 3 fields; the header has 4',
      'no customer “NOPE” in this bank; import the customer first',
      'required',
    ]);
  });

  it('a missing field from an API without `received` (its English says so) is still required, not of the wrong type', () => {
    // As an API from before `params.received` sends it: zod's English and the expected type only.
    const older = {
      path: 'reason',
      message: 'Invalid input: expected string, received undefined',
      code: 'invalid_type',
      params: { expected: 'string' },
    };
    assert.equal(fieldSays(older, 'zh-CN'), '必填');
    assert.equal(fieldSays(older, 'en'), 'required');
    // Its wrong type stays a wrong type.
    assert.notEqual(fieldSays({ ...older, message: 'Invalid input: expected string, received number' }, 'en'), 'required');
  });

  it('an empty cell reads the same in an import stored before codes and in a new one', () => {
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const)
      assert.equal(
        fieldSays({ path: '', message: 'is empty' }, locale),
        fieldSays({ path: '', message: 'is empty', code: 'required' }, locale),
        locale,
      );
  });

  it('a row error is worded by its code whatever its English; one stored before codes keeps its English', () => {
    const row = (e: Omit<ProblemFieldError, 'path'>) => fieldSays({ path: '', ...e }, 'zh-CN');
    assert.equal(row({ message: 'reworded', code: 'unknown_staff', params: { staff: 'RM9' } }), '本机构没有员工“RM9”');
    assert.equal(
      row({ message: 'reworded', code: 'invalid_format', params: { format: 'staff_id', value: 'x y' } }),
      '“x y”不是有效的员工号（1–64 位字母、数字或 _ . : -）',
    );
    assert.equal(
      row({ message: 'reworded', code: 'immutable', params: { value: 'customer', subject: 'K01' } }),
      '不能更改（现为“customer”）',
    );
    assert.equal(
      row({ message: 'reworded', code: 'too_big', params: { maximum: 3, inclusive: true, origin: 'fields', actual: 5 } }),
      '本行有 5 列，表头有 3 列',
    );
    assert.equal(row({ message: 'a newer check', code: 'a_code_the_console_does_not_know' }), 'a newer check');
    assert.equal(row({ message: 'stored by an earlier release' }), 'stored by an earlier release');
  });

  it('a policy draft’s errors, from the engine’s own check, worded by their codes in zh-CN, zh-TW and en', () => {
    const pack = structuredClone(defaultPolicyPack) as unknown as {
      metrics: typeof defaultPolicyPack.metrics;
      schemes: { key: string; levels: { key: string }[]; policy: Record<string, unknown> }[];
    };
    const i = pack.schemes.findIndex((x) => x.key === 'retail-tier');
    const doc = structuredClone(pack.schemes[i]) as unknown as {
      levels: { key: string }[];
      policy: { levels: { level: string; when: { of: { value: number; metric: string }[] } }[] };
    };
    // Platinum below gold, a rule for the lowest level, a metric not in the catalogue.
    const [gold, platinum] = doc.policy.levels;
    assert.ok(gold && platinum);
    platinum.when.of[0] = { ...platinum.when.of[0], value: 1 } as never;
    doc.policy.levels.push({ ...structuredClone(gold), level: doc.levels[0]?.key ?? '' });
    (gold.when.of[1] as { metric: string }).metric = 'no_such_metric';
    const checked = checkSchemeDocument(pack, 'retail-tier', doc);
    assert.equal(checked.ok, false);
    const errors = checked.ok ? [] : checked.errors;
    const codes = errors.map((e) => e.code);
    for (const code of ['out_of_order', 'lowest_level', 'unknown_metric']) assert.ok(codes.includes(code), JSON.stringify(errors));
    const said = (locale: 'zh-CN' | 'zh-TW' | 'en') => errors.map((e) => fieldSays(e, locale)).join('\n');
    const lowest = doc.levels[0]?.key;
    // Both levels named: the author sees which rule the lowered one collides with.
    assert.match(said('zh-CN'), new RegExp(`门槛顺序不对：较高等级“${platinum.level}”的门槛低于较低等级“${gold.level}”的门槛`));
    assert.match(said('zh-TW'), new RegExp(`門檻順序不對：較高等級「${platinum.level}」的門檻低於較低等級「${gold.level}」的門檻`));
    assert.match(said('en'), new RegExp(`the threshold of higher level “${platinum.level}” is below that of lower level “${gold.level}”`));
    assert.match(said('zh-CN'), new RegExp(`“${lowest}”是最低等级`));
    assert.match(said('zh-CN'), /没有指标“no_such_metric”/);
    assert.match(said('zh-TW'), new RegExp(`「${lowest}」是最低等級`));
    assert.match(said('en'), new RegExp(`“${lowest}” is the lowest level`));
    for (const locale of ['zh-CN', 'zh-TW'] as const)
      assert.doesNotMatch(said(locale), /threshold|lowest|unknown metric|Invalid/, 'none of the engine’s English');
  });

  it('the other policy codes, each in three languages', () => {
    const cases: [ProblemFieldError, string, string, string][] = [
      [
        { path: 'document.policy.factors', message: 'x', code: 'weights_sum', params: { actual: 80, expected: 100 } },
        '因子权重合计为 80，须为 100',
        '因子權重合計為 80，須為 100',
        'the factor weights add up to 80, not 100',
      ],
      [
        { path: 'document.levels[2].key', message: 'x', code: 'duplicate', params: { level: 'gold' } },
        '等级“gold”出现了两次',
        '等級「gold」出現了兩次',
        'level “gold” is listed twice',
      ],
      [
        { path: 'row', message: 'x', code: 'duplicate', params: { subject: 'C1', metric: 'aum', month: '2025-10', line: 2 } },
        'aum 的 2025-10 数据在第 2 行已给出另一个值',
        'aum 的 2025-10 資料在第 2 行已給出另一個值',
        'aum for 2025-10 is given another value on line 2',
      ],
      [
        { path: 'body', message: 'x', code: 'duplicate', params: { metric: 'aum', month: '2025-10' } },
        'aum 的 2025-10 数据出现了两次',
        'aum 的 2025-10 資料出現了兩次',
        'aum for 2025-10 is given twice',
      ],
      [
        { path: 'document.policy.levels[2].level', message: 'x', code: 'duplicate', params: { level: 'gold', of: 'rule' } },
        '等级“gold”有两条规则',
        '等級「gold」有兩條規則',
        'level “gold” has two rules',
      ],
      [
        {
          path: 'document.levels[2].approvalrequired',
          message: 'x',
          code: 'unknown_field',
          params: { field: 'approvalrequired', known: ['key', 'approvalRequired'], suggestion: 'approvalRequired' },
        },
        '方案文档没有“approvalrequired”这个字段：是否指“approvalRequired”？',
        '方案文件沒有「approvalrequired」這個欄位：是否指「approvalRequired」？',
        'a scheme document has no field “approvalrequired”: did you mean “approvalRequired”?',
      ],
      [
        { path: 'document.customerBlocks', message: 'x', code: 'staff_only', params: { field: 'customerBlocks' } },
        '“customerBlocks”只能设在内部方案上：面向客户的方案的限制会原样显示给客户',
        '「customerBlocks」只能設在內部方案上：對客戶顯示的方案的限制會原樣顯示給客戶',
        '“customerBlocks” is a staff scheme’s setting: a customer scheme’s blocks are shown to the customer whole',
      ],
      [
        {
          path: 'document.policy.levels[0].when.metric',
          message: 'x',
          code: 'staff_metric',
          params: { metric: 'pep', scheme: 'vip-care' },
        },
        '面向客户的方案不能按“pep”评定等级：该指标不得向客户透露，等级本身就会透露它',
        '對客戶顯示的方案不能依「pep」評定等級：該指標不得向客戶透露，等級本身就會透露它',
        'a customer scheme cannot decide a level on “pep”: the metric is kept from customers, and the level would tell them',
      ],
      [
        {
          path: 'document.policy.factors[3].metric',
          message: 'x',
          code: 'staff_metric',
          params: { metric: 'credit_score', scheme: 'star', actual: 50, maximum: 49 },
        },
        '面向客户的方案中，不得向客户透露的指标（如“credit_score”）合计权重为 50，须低于 50',
        '對客戶顯示的方案中，不得向客戶透露的指標（如「credit_score」）合計權重為 50，須低於 50',
        'a customer scheme’s factors on metrics kept from customers (such as “credit_score”) weigh 50; they must weigh less than 50',
      ],
      [
        {
          path: 'document.policy.levels[1].level',
          message: 'x',
          code: 'unreachable_level',
          params: { level: 'R2', otherLevel: 'R3', at: 'schemes[0].policy.levels[2]' },
        },
        '等级“R2”永远评不到：满足它的规则的对象都满足更高等级“R3”的规则',
        '等級「R2」永遠評不到：符合它的規則的對象都符合更高等級「R3」的規則',
        'level “R2” can never be reached: whatever meets its rule meets the rule of the higher level “R3”',
      ],
      [
        {
          path: 'document.policy.map',
          message: 'x',
          code: 'grade_disclosed',
          params: { level: 'high', scheme: 'aml-risk', from: ['high'] },
        },
        '等级“high”只由 aml-risk 的复核等级（high）得出：无权查看 aml-risk 的员工会由此得知该等级；请再映射该方案的其他等级或这些员工同样无权查看的来源，或给本方案与 aml-risk 相同的可查看员工',
        '等級「high」只由 aml-risk 的複核等級（high）得出：無權查看 aml-risk 的員工會由此得知該等級；請再對應該方案的其他等級或這些員工同樣無權查看的來源，或給本方案與 aml-risk 相同的可查看員工',
        'level “high” comes only from aml-risk’s sign-off levels (high): staff who may not read aml-risk would learn it from this level; map another level of aml-risk, or a source those staff may not read either, to it too, or give this scheme aml-risk’s readers',
      ],
      [
        { path: 'document.readers.roles', message: 'x', code: 'readers_without_decider', params: { scheme: 'aml-risk', needs: 'admin' } },
        '可查看 aml-risk 的员工须包括管理员：否则再无人能审批该方案的新版本，包括放宽可查看范围的版本',
        '可查看 aml-risk 的員工須包括管理員：否則再無人能核准該方案的新版本，包括放寬可查看範圍的版本',
        'the staff who read aml-risk must include admins: else nobody could approve its next version, not even one widening its readers again',
      ],
      [
        { path: 'document.category', message: 'x', code: 'suitability_taken', params: { scheme: 'product-risk', subjectKind: 'product' } },
        '适当性管理只读取一个此类方案，即“product-risk”：再加一个会被忽略',
        '適合度管理只讀取一個此類方案，即「product-risk」：再加一個會被忽略',
        'suitability reads one scheme of this kind, “product-risk”: a second would be ignored',
      ],
      [
        { path: 'document.levels[2].key', message: 'x', code: 'suitability_level', params: { level: 'balanced', values: ['C1', 'C2'] } },
        '适当性管理读取的等级为 C1、C2（最低等级可表示“未评级”），且须按此顺序排列：“balanced”不符合',
        '適合度管理讀取的等級為 C1、C2（最低等級可表示「未評級」），且須依此順序排列：「balanced」不符合',
        'suitability reads the levels C1, C2 (the lowest may mean “not rated”), in that order: “balanced” is not one of them',
      ],
      [
        { path: 'document.matrix.cells', message: 'x', code: 'no_cell', params: { row: 'high', col: 'gold' } },
        '矩阵缺少行“high”、列“gold”的格子',
        '矩陣缺少列「high」、欄「gold」的格子',
        'the matrix has no cell for row “high”, column “gold”',
      ],
      [
        {
          path: 'document.policy.from',
          message: 'x',
          code: 'wrong_subject_kind',
          params: { scheme: 'size', subjectKind: 'corporate', expected: 'customer' },
        },
        '方案“size”评定的是企业客户，不是个人客户',
        '方案「size」評定的是企業客戶，不是個人客戶',
        'scheme “size” tiers companies, not customers',
      ],
      [
        { path: 'document.policy.from', message: 'x', code: 'cycle', params: { schemes: ['a', 'b', 'a'] } },
        '方案之间循环引用：a → b → a',
        '方案之間循環參照：a → b → a',
        'schemes read each other in a cycle: a → b → a',
      ],
      [
        { path: 'document.levels[1].rank', message: 'x', code: 'out_of_order', params: { of: 'rank', value: 0, other: 1 } },
        '等级须按级别从低到高排列，级别严格递增',
        '等級須依級別由低到高排列，級別嚴格遞增',
        'levels must be listed lowest rank first, ranks strictly ascending',
      ],
      [
        {
          path: 'document',
          message: 'x',
          code: 'unmapped',
          params: { level: 'severe', scheme: 'aml-test', elsewhere: 'schemes[2].matrix.rows', inScheme: 'risk-value-test' },
        },
        '此版本使方案“risk-value-test”出错：方案“aml-test”的等级“severe”没有对应项',
        '此版本使方案「risk-value-test」出錯：方案「aml-test」的等級「severe」沒有對應項',
        'this version breaks scheme “risk-value-test”: level “severe” of scheme “aml-test” has nothing to map to',
      ],
      // An override's expiry against its scheme's rule (the API's own check on a request or an edit).
      [
        {
          path: 'expiresAt',
          message: 'x',
          code: 'expiry_required',
          params: { scheme: 'aml-risk', maxDays: 180, latest: '2026-06-01T00:00:00.000Z' },
        },
        '该方案的人工调级须设到期日，最长 180 天',
        '此方案的人工調級須設到期日，最長 180 天',
        'an override of this scheme needs an expiry, at most 180 days ahead',
      ],
      [
        {
          path: 'expiresAt',
          message: 'x',
          code: 'expiry_too_late',
          params: { scheme: 'aml-risk', maxDays: 180, latest: '2026-06-01T00:00:00.000Z' },
        },
        '该方案的人工调级最长 180 天',
        '此方案的人工調級最長 180 天',
        'an override of this scheme may run at most 180 days',
      ],
      // An override further from the level now than the scheme's rule allows (422 on `level`).
      [
        {
          path: 'level',
          message: 'x',
          code: 'override_jump_too_far',
          params: { scheme: 'retail-tier', from: 'standard', level: 'diamond', steps: 3, maxStep: 1 },
        },
        '较当前等级跨 3 级，该方案的人工调级每次最多调整 1 级',
        '較目前等級跨 3 級，此方案的人工調級每次最多調整 1 級',
        '3 levels from the level now; an override of this scheme may move at most 1',
      ],
    ];
    for (const [e, zhCN, zhTW, en] of cases)
      assert.deepEqual([fieldSays(e, 'zh-CN'), fieldSays(e, 'zh-TW'), fieldSays(e, 'en')], [zhCN, zhTW, en]);
  });
  it('a condition’s value of the wrong type or left out, from the engine’s own check, worded by code whatever its English', () => {
    const pack = structuredClone(defaultPolicyPack);
    const doc = structuredClone(pack.schemes.find((x) => x.key === 'retail-tier')) as unknown as {
      policy: { levels: { when: { of: Record<string, unknown>[] } }[] };
    };
    const [first, second] = doc.policy.levels[0]?.when.of ?? [];
    assert.ok(first && second);
    first.value = 'fifty';
    delete second.value;
    const checked = checkSchemeDocument(pack, 'retail-tier', doc);
    assert.equal(checked.ok, false);
    // The English reworded: only the code and params may decide the words.
    const errors = (checked.ok ? [] : checked.errors).map((e) => ({ ...e, message: 'a message a newer validator might write' }));
    const said = (locale: 'zh-CN' | 'zh-TW' | 'en') => errors.map((e) => fieldSays(e, locale));
    assert.deepEqual(said('zh-CN'), ['应为数字', '必填'], JSON.stringify(errors));
    assert.deepEqual(said('zh-TW'), ['應為數字', '必填']);
    assert.deepEqual(said('en'), ['must be a number', 'required']);
  });

  it('a retirement that would break the policies in force: each error by its code, with the month and the scheme it breaks', async () => {
    const e = await refusal(() => f.client('admin').http.send('POST', '/v1/policies/aml-test/versions/1/retire', { note: '试一下' }));
    assert.equal(e.status, 422, JSON.stringify(e));
    assert.ok(e.errors?.length, JSON.stringify(e));
    const zhCN = whyFailed(e, 'zh-CN');
    assert.match(zhCN, /^无法执行: 此变更会使 \d{4}-\d{2} 生效的策略出错（方案“[\w-]+”）：没有方案“aml-test”/);
    assert.doesNotMatch(zhCN, /With this change|unknown scheme|schemes\[/);
    assert.match(whyFailed(e, 'zh-TW'), /^無法執行: 此變更會使 \d{4}-\d{2} 生效的策略出錯（方案「[\w-]+」）：沒有方案「aml-test」/);
    assert.match(
      whyFailed(e, 'en'),
      /^This cannot be done: this change would break the policies in force for \d{4}-\d{2} \(scheme “[\w-]+”\): no scheme “aml-test”/,
    );
  });
});

describe('the console words a database out of reach', () => {
  it('as a wait in zh-CN, zh-TW and en, from the API’s real 503, not as a server fault to report', async () => {
    // Nothing listens on port 1: the pool's connection is refused, as during a PostgreSQL restart.
    const down = connect({ url: 'postgres://tierkit@127.0.0.1:1/tierkit', onConnectionLost: () => undefined });
    const app = createApp({ db: down.db, now: () => NOW, credentialCacheSeconds: 0, logError: () => undefined });
    try {
      const client = createClient({
        baseUrl: 'http://tierkit.test',
        token: () => 'tk_any',
        fetch: (input, init) => Promise.resolve(app.request(input instanceof Request ? input : String(input), init)),
      });
      const o = new Overrides(client, { now: () => NOW });
      await o.open('K01');
      const e = o.state.error;
      assert.equal(e?.status, 503, JSON.stringify(e));
      assert.equal(whyFailed(e, 'zh-CN'), '暂时无法连接数据库，请稍后重试');
      assert.equal(whyFailed(e, 'zh-TW'), '暫時無法連線資料庫，請稍後重試');
      assert.equal(whyFailed(e, 'en'), 'The database cannot be reached just now; try again shortly');
      // Any other server failure still says what to do if it persists.
      assert.match(whyFailed({ ...e, type: 'https://tierkit.dev/problems/internal', status: 500 }, 'en'), /contact support/);
    } finally {
      await down.close();
    }
  });
});

describe('the console words a database busy with another writer', () => {
  const f = kitFixture();

  it('as a wait in zh-CN, zh-TW and en, from the API’s real 503 while a CLI import holds SQLite’s lock, not as a fault to report', async () => {
    const file = await sqliteFile(f.db.db);
    assert.ok(file);
    // Another process on the same file (`tierkit import` beside the server) holds the write lock.
    const other = new SQLite(file);
    other.exec('BEGIN IMMEDIATE');
    const a = new BookAssignment(f.client('OFF1'));
    try {
      await a.open('K03');
      assert.equal(a.state.status, 'ready');
      await a.assign('RM2');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const e = a.state.error;
    assert.equal(e?.status, 503, JSON.stringify(e));
    assert.equal(whyFailed(e, 'zh-CN'), '数据库正忙（另有导入或重评正在写入），本次未作任何更改，请稍后重试');
    assert.equal(whyFailed(e, 'zh-TW'), '資料庫忙碌中（另有匯入或重評正在寫入），本次未做任何變更，請稍後重試');
    assert.equal(
      whyFailed(e, 'en'),
      'The database is busy with another writer (an import or a re-tier); nothing was changed — try again shortly',
    );
    await a.assign('RM2');
    assert.equal(a.state.saved, 'RM2', 'the same move goes through once the lock is free');
  });
});

describe('the console words a bank-wide list the server has no room for', () => {
  const f = kitFixture();

  it('as a wait or a narrower ask in zh-CN, zh-TW and en, from the API’s real 503, not as a fault to report', async () => {
    const file = await sqliteFile(f.db.db);
    assert.ok(file);
    // One reader process, no queue, held by a read that runs until it is stopped.
    const reads = new HeavyReads(file, { processes: 1, queue: 0, timeoutMs: 120_000 });
    try {
      await reads.whenReady();
      const held = sql`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 10000000000) SELECT count(*) FROM c`
        .execute(reads.db)
        .catch((err: unknown) => err);
      const app = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, heavyReads: reads.db });
      const res = await app.request('/v1/subjects?scheme=retail-tier&sort=gap', { headers: { Authorization: `Bearer ${f.adminKey}` } });
      const e = { ...((await res.json()) as { type: string; title: string }), status: res.status };
      assert.equal(e.status, 503, JSON.stringify(e));
      assert.equal(whyFailed(e, 'zh-CN'), '服务器正在处理其他全行范围的查询，本次未开始；请稍后重试，或按客户经理缩小范围');
      assert.equal(whyFailed(e, 'zh-TW'), '伺服器正在處理其他全行範圍的查詢，本次未開始；請稍後重試，或依理財專員縮小範圍');
      assert.equal(
        whyFailed(e, 'en'),
        'The server is busy with other bank-wide lists and reports and did not start this one — try again shortly, or narrow it to a relationship manager',
      );
      for (const kind of ['heavy-read-timeout', 'heavy-read-failed'])
        for (const locale of ['zh-CN', 'zh-TW', 'en'] as const)
          assert.notEqual(
            whyFailed({ ...e, type: `https://tierkit.dev/problems/${kind}` }, locale),
            whyFailed({ status: 503, title: 'x' }, locale),
            `${kind} ${locale}: its own words, not a server fault`,
          );
      await reads.close();
      await held;
    } finally {
      await reads.close();
    }
  });
});

describe('the console words an erased customer', () => {
  const PROBLEMS = 'https://tierkit.dev/problems/';
  it('a read, a write again and an import row naming them: each in the console’s language, never the API’s English', () => {
    const read: KitError = { status: 404, title: 'The customer’s personal data was erased', type: `${PROBLEMS}subject-erased` };
    const write: KitError = {
      status: 409,
      title: 'The request conflicts with the current state',
      type: `${PROBLEMS}conflict`,
      detail: 'Subject "RT6" was erased after its retention period; it cannot be written again.',
      errors: [{ path: 'params.id', message: 'was erased', code: 'erased', params: { at: '2025-11-15T04:00:00.000Z' } }],
    };
    const row = { path: 'line 2, column "subject"', message: 'subject "RT6" was erased', code: 'erased', params: { subject: 'RT6' } };
    assert.equal(whyFailed(read, 'zh-CN'), '该客户销户已超过保存期限，个人信息已删除');
    assert.equal(whyFailed(read, 'zh-TW'), '該客戶銷戶已超過保留期限，個人資料已刪除');
    assert.equal(whyFailed(read, 'en'), "This customer's personal data was erased after the retention period");
    assert.match(whyFailed(write, 'zh-CN'), /个人信息已删除，不能再为其写入/);
    assert.match(whyFailed(write, 'zh-TW'), /個人資料已刪除，無法再為其寫入/);
    assert.match(whyFailed(write, 'en'), /personal data was erased; nothing more can be written/);
    assert.equal(fieldSays(row, 'zh-CN'), '客户“RT6”的个人信息已于保存期满后删除，不能再写入');
    assert.equal(fieldSays(row, 'zh-TW'), '客戶「RT6」的個人資料已於保留期滿後刪除，無法再寫入');
    assert.match(fieldSays(row, 'en') ?? '', /customer “RT6” was erased after the retention period/);
    // What an import says today: the line, never the number (its record is kept).
    const stored = { path: 'line 2, column "subject"', message: 'this row names a customer erased', code: 'erased', params: {} };
    assert.equal(fieldSays(stored, 'zh-CN'), '该行的客户的个人信息已于保存期满后删除，不能再写入');
    assert.equal(fieldSays(stored, 'zh-TW'), '該列的客戶的個人資料已於保留期滿後刪除，無法再寫入');
    assert.match(fieldSays(stored, 'en') ?? '', /^this row's customer was erased after the retention period/);
  });
});
