import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, provisionTenant } from '@tierkit/api';
import type { AuditRecord, PolicyPack, Problem } from '@tierkit/core';
import { findTenant } from '@tierkit/db';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { readersTestPack } from '../support/test-pack.js';

/*
 * Two leftovers of the metric catalogue. A 409 `metric_in_use` named every scheme reading the metric to
 * a writer who may not read some of them: an officer kept from the AML grade learnt from it that the AML
 * grade reads `aml_customer_risk` — its policy, which `GET /v1/metrics` already kept from them. And a
 * request to lower a metric's audience carried no reason for the admin who decides it, as every other
 * four-eyes request at a bank does.
 */

const TENANT = 'bank-mr';

type Who = 'officer' | 'admin' | 'checker';

/** The readers pack with the AML grade read by approvers and admins only: its officers write metrics but may not read it. */
function pack(): PolicyPack {
  const p = readersTestPack();
  return {
    ...p,
    schemes: p.schemes.map((s) => (s.key === 'aml-test' ? { ...s, readers: { roles: ['approver', 'admin'] } } : s)),
  };
}

const t = (zh: string, en: string) => ({ 'zh-CN': zh, 'zh-TW': zh, en });

forEachDialect('metric catalogue: a refusal names only readable schemes; an audience request carries its reason', (f) => {
  const keys = {} as Record<Who, string>;
  const as = (who: Who) => client(f, () => keys[who]);
  const revision = async () => (await findTenant(f.db.db, TENANT))?.catalogueText;
  const del = (who: Who, key: string) =>
    f.app.request(`/v1/metrics/${key}`, { method: 'DELETE', headers: { Authorization: `Bearer ${keys[who]}` } });

  before(async () => {
    const db = f.db.db;
    await provisionTenant(db, { id: TENANT, name: TENANT, pack: pack(), now: NOW });
    keys.officer = (await createApiKey(db, { tenantId: TENANT, role: 'officer', label: 'officer', now: NOW })).secret;
    keys.admin = (await createApiKey(db, { tenantId: TENANT, role: 'admin', label: 'maker', now: NOW })).secret;
    keys.checker = (await createApiKey(db, { tenantId: TENANT, role: 'admin', label: 'checker', now: NOW })).secret;
    // A staff watch list every officer reads, on the AML grade's score too: submitted, so it reads the metric.
    const aml = pack().schemes.find((s) => s.key === 'aml-test');
    assert.ok(aml);
    const watch = {
      ...aml,
      key: 'watch-list',
      name: t('关注名单', 'watch list'),
      readers: undefined,
      entitlements: undefined,
      policy: { ...aml.policy, id: 'watch-list' },
    };
    const draft = await as('officer').post('/v1/policies/watch-list/drafts', { document: JSON.parse(JSON.stringify(watch)) });
    assert.equal(draft.status, 201, await draft.clone().text());
    const { version } = (await draft.json()) as { version: number };
    const submitted = await as('officer').post(`/v1/policies/watch-list/versions/${version}/submit`, {});
    assert.equal(submitted.status, 200, await submitted.text());
  });

  it('a writer who may not read the AML grade is told the schemes they read and how many more, never the AML grade', async () => {
    const before = await revision();
    const refused = await del('officer', 'aml_customer_risk');
    const text = await refused.text();
    assert.equal(refused.status, 409, text);
    assert.doesNotMatch(text, /aml-test/, 'the AML grade is not named, in the detail nor the params');
    const body = JSON.parse(text) as Problem;
    const error = body.errors?.[0];
    assert.equal(error?.code, 'metric_in_use');
    assert.deepEqual(error?.params, { metric: 'aml_customer_risk', schemes: ['watch-list'], unreadable: 1 });
    assert.match(body.detail ?? '', /read by "watch-list" and 1 more you may not read/);
    // The metric list agrees: the same scheme named, the other left out.
    const list = (await (await as('officer').get('/v1/metrics')).json()) as { items: { key: string; usedBy: string[] }[] };
    assert.deepEqual(list.items.find((m) => m.key === 'aml_customer_risk')?.usedBy, ['watch-list']);
    // An amendment's refusal is cut the same way.
    const entry = { unit: 'score', label: t('反洗钱评分', 'AML score'), audience: 'compliance' };
    const unit = await as('officer').put('/v1/metrics/aml_customer_risk', { ...entry, unit: 'count' });
    const unitText = await unit.text();
    assert.equal(unit.status, 409, unitText);
    assert.doesNotMatch(unitText, /aml-test/);
    assert.deepEqual((JSON.parse(unitText) as Problem).errors?.[0]?.params, {
      metric: 'aml_customer_risk',
      schemes: ['watch-list'],
      unreadable: 1,
    });
    assert.equal(await revision(), before, 'nothing changed');

    // Its readers are told every scheme, and nothing is counted as hidden.
    const admin = (await (await del('admin', 'aml_customer_risk')).json()) as Problem;
    assert.deepEqual(admin.errors?.[0]?.params, { metric: 'aml_customer_risk', schemes: ['aml-test', 'watch-list'], unreadable: 0 });
  });

  it('a change under a waiting version of a scheme the writer may not read counts it, never names it (metric_in_pending_version)', async () => {
    // A metric only a waiting version of the AML grade reads: its kinds of subject are held by that version.
    const entry = {
      unit: 'score',
      label: t('交易异常评分', 'unusual activity score'),
      subjectKinds: ['customer', 'corporate'],
      audience: 'staff',
    };
    assert.equal((await as('officer').post('/v1/metrics', { key: 'unusual_activity', ...entry })).status, 201);
    const aml = pack().schemes.find((s) => s.key === 'aml-test');
    assert.ok(aml);
    const rules = aml.policy as unknown as { levels: { when: Record<string, unknown> }[] };
    const document = JSON.parse(
      JSON.stringify({
        ...aml,
        policy: { ...aml.policy, levels: rules.levels.map((l) => ({ ...l, when: { ...l.when, metric: 'unusual_activity' } })) },
      }),
    );
    const draft = await as('admin').post('/v1/policies/aml-test/drafts', { document });
    assert.equal(draft.status, 201, await draft.clone().text());
    const { version } = (await draft.json()) as { version: number };
    const submitted = await as('admin').post(`/v1/policies/aml-test/versions/${version}/submit`, {});
    assert.equal(submitted.status, 200, await submitted.text());

    const before = await revision();
    const kinds = { ...entry, subjectKinds: ['corporate'] };
    const refused = await as('officer').put('/v1/metrics/unusual_activity', kinds);
    const text = await refused.text();
    assert.equal(refused.status, 409, text);
    assert.doesNotMatch(text, /aml-test/, 'the AML grade is not named, in the detail nor the params');
    const body = JSON.parse(text) as Problem;
    assert.equal(body.errors?.[0]?.code, 'metric_in_pending_version');
    assert.deepEqual(body.errors?.[0]?.params, { metric: 'unusual_activity', schemes: [], unreadable: 1 });
    assert.match(body.detail ?? '', /read by 1 scheme you may not read, submitted and waiting/);
    assert.equal(await revision(), before, 'nothing changed');

    // Its readers are told which version, and nothing is counted as hidden.
    const admin = (await (await as('admin').put('/v1/metrics/unusual_activity', kinds)).json()) as Problem;
    assert.deepEqual(admin.errors?.[0]?.params, {
      metric: 'unusual_activity',
      scheme: 'aml-test',
      version,
      schemes: ['aml-test'],
      unreadable: 0,
    });
    assert.equal(await revision(), before, 'nothing changed');
  });

  it('lowering an audience needs its reason: none or blanks is a 422 that files nothing; the reason reaches the checker and the trail', async () => {
    const body = { unit: 'count', label: t('代发月数', 'payroll months'), subjectKinds: ['customer'], audience: 'staff' };
    assert.equal((await as('officer').post('/v1/metrics', { key: 'payroll_months', ...body })).status, 201);
    const before = await revision();
    for (const reason of [undefined, '', '   \n ']) {
      const res = await as('admin').put('/v1/metrics/payroll_months', {
        ...body,
        audience: 'customer',
        ...(reason === undefined ? {} : { reason }),
      });
      const problem = (await res.json()) as Problem;
      assert.equal(res.status, 422, JSON.stringify(problem));
      assert.deepEqual(
        problem.errors?.map((e) => [e.path, e.code]),
        [['reason', 'required']],
      );
    }
    const tooLong = await as('admin').put('/v1/metrics/payroll_months', { ...body, audience: 'customer', reason: '理'.repeat(1001) });
    assert.equal(tooLong.status, 400, await tooLong.text());
    assert.equal(await revision(), before, 'nothing changed');
    const waiting = (await (await as('checker').get('/v1/metric-audience-requests')).json()) as { items: unknown[] };
    assert.deepEqual(waiting.items, [], 'nothing filed');

    const filed = await as('admin').put('/v1/metrics/payroll_months', {
      ...body,
      audience: 'customer',
      reason: '  客户等级规则需要按代发月数分层  ',
    });
    assert.equal(filed.status, 202, await filed.clone().text());
    const request = ((await filed.json()) as { request: { id: string; reason: string } }).request;
    assert.equal(request.reason, '客户等级规则需要按代发月数分层', 'trimmed');

    const listed = (await (await as('checker').get('/v1/metric-audience-requests')).json()) as { items: { id: string; reason: string }[] };
    assert.equal(listed.items.find((r) => r.id === request.id)?.reason, '客户等级规则需要按代发月数分层');
    const queue = (await (await as('checker').get('/v1/approvals?kind=metric-audience&limit=10')).json()) as {
      items: { id: string; reason: string | null }[];
    };
    assert.equal(queue.items.find((i) => i.id === request.id)?.reason, '客户等级规则需要按代发月数分层', 'on the approvals card');

    const audit = (await (await as('checker').get('/v1/audit?limit=20')).json()) as { items: AuditRecord[] };
    const asked = audit.items.find((r) => r.route === '/v1/metrics/{key}' && r.method === 'PUT' && r.status === 202);
    assert.equal((asked?.detail as { reason?: string } | undefined)?.reason, '客户等级规则需要按代发月数分层');
    const refusal = audit.items.find((r) => r.route === '/v1/metrics/{key}' && r.method === 'PUT' && r.status === 422);
    assert.ok(refusal, 'the refusal is in the trail too');

    // A change applied at once needs none.
    const raised = await as('officer').put('/v1/metrics/payroll_months', { ...body, label: t('代发工资月数', 'months of payroll') });
    assert.equal(raised.status, 200, await raised.text());
  });
});
