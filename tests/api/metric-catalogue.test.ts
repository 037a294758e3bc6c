import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, mintStaffToken, type Role } from '@tierkit/api';
import type { AuditRecord, Problem } from '@tierkit/core';
import { findTenant } from '@tierkit/db';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * The tenant's own metrics (docs/policy-format.md, "The metric catalogue"): a bank's risk team adds
 * `debt_to_equity` and `current_ratio`, writes a corporate rating on them, and loads their values, as
 * they found they could not (400 unknown metric). Who may write the catalogue, what a scheme reading a
 * metric holds fixed, and that the other tenant sees none of it.
 */

const t = (zhCN: string, zhTW: string, en: string) => ({ 'zh-CN': zhCN, 'zh-TW': zhTW, en });

const debtToEquity = {
  key: 'debt_to_equity',
  unit: 'bp',
  label: t('资产负债率', '負債權益比', 'debt-to-equity ratio'),
  subjectKinds: ['corporate'],
  actionable: false,
  audience: 'staff',
};

/** A corporate rating on the bank's own ratio: lower debt is better, so its bands fall. */
const corporateRating = {
  key: 'corporate-rating',
  subjectKind: 'corporate',
  category: 'credit',
  audience: 'staff',
  name: t('对公评级', '對公評級', 'corporate rating'),
  levels: [
    { key: 'B', rank: 0, name: t('B', 'B', 'B'), color: 'warning' },
    { key: 'A', rank: 1, name: t('A', 'A', 'A'), color: 'success' },
  ],
  policy: {
    id: 'corporate-rating',
    version: 1,
    kind: 'score',
    factors: [
      {
        id: 'leverage',
        metric: 'debt_to_equity',
        window: null,
        weight: 100,
        transform: {
          kind: 'bands',
          bands: [
            { min: 0, points: 100 },
            { min: 15_000, points: 40 },
            { min: 30_000, points: 0 },
          ],
        },
      },
    ],
    bands: [{ level: 'A', min: 60 }],
  },
};

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

async function problem(res: Response, status: number, code?: string): Promise<Problem> {
  assert.equal(res.status, status, await res.clone().text());
  const body = (await res.json()) as Problem;
  if (code !== undefined)
    assert.ok(
      body.errors?.some((e) => e.code === code),
      `${code} in ${JSON.stringify(body)}`,
    );
  return body;
}

interface Entry {
  key: string;
  unit: string;
  audience: string;
  builtIn: boolean;
  usedBy: string[];
  label: Record<string, string>;
}

const who = (f: ApiFixture, role: Role) => client(f, () => f.keys.roles[role]);
const revision = async (f: ApiFixture, tenant = 'bank-a') => (await findTenant(f.db.db, tenant))?.catalogueText;

forEachDialect('the tenant’s metric catalogue', (f) => {
  const officer = who(f, 'officer');
  const approver = who(f, 'approver');

  it('a policy author adds a metric of the bank’s own; a scheme, a metric write and the list then take it; the other tenant sees none of it', async () => {
    await ok(await officer.put('/v1/subjects/CORP1', { kind: 'corporate', displayName: '华东机械有限公司' }), 201);
    const write = { metrics: [{ metric: 'debt_to_equity', period: '2025-10', value: 12_500 }] };
    // Before: what the risk team found.
    await problem(await officer.put('/v1/subjects/CORP1/metrics', write), 400);
    const refusedImport = await f.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.officer}` },
      body: 'subject,metric,period,value\nCORP1,debt_to_equity,2025-09,13000\n',
    });
    assert.equal(refusedImport.status, 422, 'an import of a metric the catalogue lacks is refused');
    const draft = await ok<{ version: number }>(
      await officer.post('/v1/policies/corporate-rating/drafts', { document: corporateRating }),
      201,
    );
    await problem(await officer.post(`/v1/policies/corporate-rating/versions/${draft.version}/submit`, {}), 400, 'unknown_metric');

    const added = await ok<Entry>(await officer.post('/v1/metrics', debtToEquity), 201);
    assert.deepEqual([added.key, added.unit, added.audience, added.builtIn], ['debt_to_equity', 'bp', 'staff', false]);
    const list = await ok<{ items: Entry[] }>(await who(f, 'analyst').get('/v1/metrics'));
    assert.ok(list.items.some((m) => m.key === 'debt_to_equity'));
    assert.ok(list.items.find((m) => m.key === 'avg_daily_balance')?.builtIn);
    const policies = await ok<{ metrics: { key: string; audience?: string }[] }>(await who(f, 'analyst').get('/v1/policies'));
    assert.equal(policies.metrics.find((m) => m.key === 'debt_to_equity')?.audience, 'staff');

    await ok(await officer.put('/v1/subjects/CORP1/metrics', write));
    // The CSV import takes it too (a ratio in bp is no amount: `fen` reads it as the integer it is).
    const csv = 'subject,metric,period,value\nCORP1,debt_to_equity,2025-09,13000\n';
    const imported = await f.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.officer}` },
      body: csv,
    });
    assert.equal(imported.status, 201, await imported.clone().text());
    const submitted = await ok<{ contentHash: string }>(
      await officer.post(`/v1/policies/corporate-rating/versions/${draft.version}/submit`, {}),
    );
    await ok(
      await approver.post(`/v1/policies/corporate-rating/versions/${draft.version}/approve`, { contentHash: submitted.contentHash }),
    );
    const used = await ok<{ items: Entry[] }>(await officer.get('/v1/metrics'));
    assert.deepEqual(used.items.find((m) => m.key === 'debt_to_equity')?.usedBy, ['corporate-rating']);

    // The other bank: none of it.
    const other = await ok<{ items: Entry[] }>(await client(f, 'b').get('/v1/metrics'));
    assert.ok(!other.items.some((m) => m.key === 'debt_to_equity'));
    const { key: _key, ...amendment } = debtToEquity;
    await problem(await client(f, 'b').put('/v1/metrics/debt_to_equity', amendment), 404);
    await problem(await client(f, 'b').put('/v1/subjects/CORP1/metrics', write), 404);
  });

  it('a metric a policy reads keeps its unit and cannot be removed; its labels may change; each change is one audit record', async () => {
    const { key: _key, ...amendment } = debtToEquity;
    const before = await revision(f);
    await problem(await officer.put('/v1/metrics/debt_to_equity', { ...amendment, unit: 'count' }), 409, 'metric_in_use');
    await problem(await officer.put('/v1/metrics/debt_to_equity', { ...amendment, subjectKinds: ['customer'] }), 409, 'metric_in_use');
    const removal = await problem(
      await f.app.request('/v1/metrics/debt_to_equity', { method: 'DELETE', headers: { Authorization: `Bearer ${f.keys.roles.officer}` } }),
      409,
      'metric_in_use',
    );
    assert.deepEqual(removal.errors?.[0]?.params?.schemes, ['corporate-rating']);
    assert.equal(await revision(f), before, 'nothing changed');

    const relabelled = await ok<Entry>(
      await officer.put('/v1/metrics/debt_to_equity', { ...amendment, label: t('产权比率', '負債權益比', 'debt to equity') }),
    );
    assert.equal(relabelled.label['zh-CN'], '产权比率');
    assert.notEqual(await revision(f), before);
    const audit = await ok<{ items: AuditRecord[] }>(await client(f).get('/v1/audit?limit=5'));
    const record = audit.items.find((r) => r.route === '/v1/metrics/{key}' && r.method === 'PUT' && r.status === 200);
    assert.ok(record, JSON.stringify(audit.items.map((r) => [r.method, r.route, r.status])));
    assert.equal((record.detail as { before?: { label?: Record<string, string> } }).before?.label?.['zh-CN'], '资产负债率');

    // One no scheme reads may go.
    await ok(
      await officer.post('/v1/metrics', { ...debtToEquity, key: 'current_ratio', label: t('流动比率', '流動比率', 'current ratio') }),
      201,
    );
    const gone = await f.app.request('/v1/metrics/current_ratio', {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${f.keys.roles.officer}` },
    });
    assert.equal((await ok<Entry>(gone)).key, 'current_ratio');
    assert.ok(!(await ok<{ items: Entry[] }>(await officer.get('/v1/metrics'))).items.some((m) => m.key === 'current_ratio'));
  });

  it('a metric with stored values keeps its unit and currency, though no scheme reads it', async () => {
    const netWorth = { ...debtToEquity, key: 'net_worth', unit: 'money', currency: 'CNY', label: t('净资产', '淨資產', 'net worth') };
    const quick = { ...debtToEquity, key: 'quick_ratio', label: t('速动比率', '速動比率', 'quick ratio') };
    for (const body of [netWorth, quick]) await ok(await officer.post('/v1/metrics', body), 201);
    await ok(await officer.put('/v1/subjects/CORP2', { kind: 'corporate', displayName: '华南电子有限公司' }), 201);
    await ok(
      await officer.put('/v1/subjects/CORP2/metrics', { metrics: [{ metric: 'net_worth', period: '2025-10', value: 5_000_000_00 }] }),
    );
    const before = await revision(f);
    const { key: _n, ...worth } = netWorth;
    for (const change of [{ currency: 'USD' }, { unit: 'count', currency: undefined }]) {
      const refused = await problem(await officer.put('/v1/metrics/net_worth', { ...worth, ...change }), 409, 'metric_has_values');
      assert.deepEqual(refused.errors?.[0]?.params, { metric: 'net_worth', from: '2025-10', to: '2025-10' });
    }
    assert.equal(await revision(f), before, 'nothing changed');
    // One without values may still change its unit.
    const { key: _q, ...ratio } = quick;
    assert.equal((await ok<Entry>(await officer.put('/v1/metrics/quick_ratio', { ...ratio, unit: 'count' }))).unit, 'count');
  });

  it('bad input is a 400 or 409 with a stable code and changes nothing', async () => {
    const before = await revision(f);
    const cases: [unknown, number, string][] = [
      [{ ...debtToEquity, key: 'net_worth', unit: 'money' }, 400, 'required'],
      [{ ...debtToEquity, key: 'ratio2', currency: 'CNY' }, 400, 'invalid_value'],
      [{ ...debtToEquity, key: 'bad key!' }, 400, 'invalid_format'],
      [{ ...debtToEquity, key: 'ratio3', label: { 'zh-CN': '比率', en: 'ratio' } }, 400, 'invalid_type'],
      [{ ...debtToEquity, key: 'ratio4', audiance: 'staff' }, 400, 'unrecognized_keys'],
      [{ ...debtToEquity, key: 'ratio5', unit: 'percent' }, 400, 'invalid_value'],
      [debtToEquity, 409, 'metric_exists'],
      [{ ...debtToEquity, key: 'avg_daily_balance' }, 409, 'metric_exists'],
    ];
    for (const [body, status, code] of cases) await problem(await officer.post('/v1/metrics', body), status, code);
    assert.equal(await revision(f), before);
  });

  it('only tenant-wide policy authors and admins write it; lowering an audience is an admin’s; a default AML metric stays kept from customers', async () => {
    const body = { ...debtToEquity, key: 'interest_cover', audience: 'compliance' };
    for (const role of ['viewer', 'analyst'] as const) await problem(await who(f, role).post('/v1/metrics', body), 403);
    await problem(await who(f, 'viewer').get('/v1/metrics'), 403);
    assert.ok([200, 201].includes((await client(f).put('/v1/staff/RM7', { name: '王芳', role: 'officer', scope: 'book' })).status));
    const { token: rm } = await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'RM7', ttlSeconds: 600, now: NOW });
    const { secret: rmKey } = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'officer', label: 'RM7', staffId: 'RM7', now: NOW });
    for (const credential of [rm, rmKey]) await problem(await client(f, () => credential).post('/v1/metrics', body), 403);
    await ok(await officer.put('/v1/subjects/C1', { kind: 'customer', displayName: '张三' }), 201);
    const embed = (await ok<{ token: string }>(await officer.post('/v1/embed-tokens', { subject: 'C1' }), 201)).token;
    await problem(await client(f, () => embed).get('/v1/metrics'), 403);

    await ok(await officer.post('/v1/metrics', body), 201);
    const { key: _key, ...amendment } = body;
    const weakened = await problem(
      await officer.put('/v1/metrics/interest_cover', { ...amendment, audience: 'customer' }),
      403,
      'governance_weakened',
    );
    assert.deepEqual(weakened.errors?.[0]?.params, { metric: 'interest_cover', from: 'compliance', to: 'customer', needs: 'admin' });
    await problem(await officer.put('/v1/metrics/interest_cover', { ...amendment, audience: 'staff' }), 403, 'governance_weakened');
    // Tightening is the author's.
    assert.equal(
      (await ok<Entry>(await officer.put('/v1/metrics/interest_cover', { ...amendment, audience: 'compliance' }))).audience,
      'compliance',
    );
    // An admin's lowering is filed for a second admin, not applied (services/metric-audience-requests.ts).
    const filed = await ok<{ request: { id: string; status: string } }>(
      await client(f).put('/v1/metrics/interest_cover', { ...amendment, audience: 'customer', reason: '按客户等级规则需要' }),
      202,
    );
    assert.equal(filed.request.status, 'pending');
    assert.equal(
      (await ok<{ items: Entry[] }>(await officer.get('/v1/metrics'))).items.find((m) => m.key === 'interest_cover')?.audience,
      'compliance',
    );
    await ok(await client(f).post(`/v1/metric-audience-requests/${filed.request.id}/withdraw`, {}));

    const aml = (await ok<{ items: (Entry & Record<string, unknown>)[] }>(await officer.get('/v1/metrics'))).items.find(
      (m) => m.key === 'aml_customer_risk',
    );
    assert.ok(aml);
    const { key: _k, builtIn: _b, usedBy: _u, ...amlEntry } = aml;
    await problem(await client(f).put('/v1/metrics/aml_customer_risk', { ...amlEntry, audience: 'customer' }), 400, 'audience_fixed');
  });

  it('lowering an audience is four eyes: one admin asks (202, nothing changes), another decides; never its maker, one at a time', async () => {
    const secondAdmin = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'admin', label: 'second admin', now: NOW })).secret;
    const maker = client(f);
    const checker = client(f, () => secondAdmin);
    const body = {
      ...debtToEquity,
      key: 'payroll_months',
      unit: 'count',
      label: t('代发月数', '代發月數', 'payroll months'),
      subjectKinds: ['customer'],
      audience: 'staff',
    };
    await ok(await officer.post('/v1/metrics', body), 201);
    const { key: _k, ...amendment } = body;
    const before = await revision(f);
    const filed = (
      await ok<{ request: { id: string; contentHash: string; from: string; to: string; requestedByYou: boolean; mayDecide: boolean } }>(
        await maker.put('/v1/metrics/payroll_months', { ...amendment, audience: 'customer', reason: '按客户等级规则需要' }),
        202,
      )
    ).request;
    assert.deepEqual([filed.from, filed.to, filed.requestedByYou, filed.mayDecide], ['staff', 'customer', true, false]);
    assert.equal(await revision(f), before, 'nothing changed while it waits');
    // One at a time per metric.
    await problem(
      await checker.put('/v1/metrics/payroll_months', { ...amendment, audience: 'customer', reason: '按客户等级规则需要' }),
      409,
      'audience_request_pending',
    );
    // Its maker may not decide it; an officer may not either (the route is an admin's).
    assert.equal((await maker.post(`/v1/metric-audience-requests/${filed.id}/approve`, { contentHash: filed.contentHash })).status, 403);
    assert.equal((await officer.post(`/v1/metric-audience-requests/${filed.id}/approve`, { contentHash: filed.contentHash })).status, 403);
    await problem(await checker.post(`/v1/metric-audience-requests/${filed.id}/approve`, { contentHash: `sha256:${'0'.repeat(64)}` }), 409);
    assert.equal(await revision(f), before, 'nothing changed on a refusal');
    const listed = await ok<{ items: { id: string; mayDecide: boolean }[] }>(await checker.get('/v1/metric-audience-requests'));
    assert.equal(listed.items.find((r) => r.id === filed.id)?.mayDecide, true);
    const approved = await ok<{ status: string; decidedBy: string }>(
      await checker.post(`/v1/metric-audience-requests/${filed.id}/approve`, { contentHash: filed.contentHash, note: '已核对' }),
    );
    assert.equal(approved.status, 'approved');
    assert.equal(
      (await ok<{ items: Entry[] }>(await officer.get('/v1/metrics'))).items.find((m) => m.key === 'payroll_months')?.audience,
      'customer',
    );
    await problem(
      await checker.post(`/v1/metric-audience-requests/${filed.id}/approve`, { contentHash: filed.contentHash }),
      409,
      'already_decided',
    );
    // Raising stays immediate, the author's.
    assert.equal((await ok<Entry>(await officer.put('/v1/metrics/payroll_months', { ...amendment, audience: 'staff' }))).audience, 'staff');
    // A request whose metric changed since it was asked cannot apply: content-changed, reject and ask again.
    const again = (
      await ok<{ request: { id: string; contentHash: string } }>(
        await maker.put('/v1/metrics/payroll_months', { ...amendment, audience: 'customer', reason: '按客户等级规则需要' }),
        202,
      )
    ).request;
    await ok(
      await officer.put('/v1/metrics/payroll_months', { ...amendment, label: t('代发工资月数', '代發薪資月數', 'months of payroll') }),
    );
    const moved = await problem(
      await checker.post(`/v1/metric-audience-requests/${again.id}/approve`, { contentHash: again.contentHash }),
      409,
    );
    assert.equal(moved.type, 'https://tierkit.dev/problems/content-changed');
    await ok(
      await checker.post(`/v1/metric-audience-requests/${again.id}/reject`, { contentHash: again.contentHash, note: '请按新名称重新申请' }),
    );
    assert.equal(
      (await ok<{ items: Entry[] }>(await officer.get('/v1/metrics'))).items.find((m) => m.key === 'payroll_months')?.audience,
      'staff',
    );
    // Each step is in the trail with the entry before and after.
    const audit = await ok<{ items: AuditRecord[] }>(await client(f).get('/v1/audit?limit=30'));
    const approval = audit.items.find((r) => r.route === '/v1/metric-audience-requests/{id}/approve' && r.status === 200);
    assert.ok(approval, JSON.stringify(audit.items.map((r) => [r.route, r.status])));
    assert.equal((approval.detail as { after?: { audience?: string } }).after?.audience, undefined, 'customer is stored as no audience');
    assert.equal((approval.detail as { metric?: string }).metric, 'payroll_months');
  });

  it('a lowering waits in the approvals queue of tenant-wide admins only, marked for its maker, and leaves it once decided', async () => {
    const secondAdmin = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'admin', label: 'queue checker', now: NOW })).secret;
    const maker = client(f);
    const checker = client(f, () => secondAdmin);
    const body = {
      ...debtToEquity,
      key: 'wealth_events',
      unit: 'count',
      label: t('理财事件数', '理財事件數', 'wealth events'),
      subjectKinds: ['customer'],
      audience: 'compliance',
    };
    await ok(await officer.post('/v1/metrics', body), 201);
    const { key: _k, ...amendment } = body;
    const filed = (
      await ok<{ request: { id: string; contentHash: string } }>(
        await maker.put('/v1/metrics/wealth_events', { ...amendment, audience: 'staff', reason: '员工需要看到' }),
        202,
      )
    ).request;
    type Item = {
      kind: string;
      id: string;
      scheme: string;
      summary: string;
      approvalNeeds: string;
      approvalBlocked: string | null;
      requestedByYou: boolean;
      contentHash: string;
    };
    const queued = async (as: ReturnType<typeof client>, query = '') =>
      (await ok<{ items: Item[] }>(await as.get(`/v1/approvals?limit=100&kind=metric-audience${query}`))).items.filter(
        (i) => i.kind === 'metric-audience',
      );
    const seen = (await queued(checker, '&locale=en')).find((i) => i.id === filed.id);
    assert.ok(seen, 'the other admin finds it in the one queue');
    assert.deepEqual(
      [seen.scheme, seen.approvalNeeds, seen.approvalBlocked, seen.requestedByYou, seen.contentHash],
      ['', 'admin', null, false, filed.contentHash],
    );
    assert.equal(seen.summary, 'Metric audience: wealth events (wealth_events) compliance only → staff only');
    assert.equal((await queued(maker)).find((i) => i.id === filed.id)?.requestedByYou, true, 'its maker sees it, as theirs');
    assert.equal((await queued(maker, '&mine=false')).length, 0, 'not among what waits for its maker');
    // Nobody below a tenant-wide admin decides it, nor learns that a figure is about to be shown to customers.
    for (const role of ['approver', 'officer'] as const) assert.deepEqual(await queued(who(f, role)), [], role);
    // About no scheme: a queue filtered by one holds none.
    assert.deepEqual(await queued(checker, '&scheme=retail-tier'), []);
    await ok(await checker.post(`/v1/metric-audience-requests/${seen.id}/approve`, { contentHash: seen.contentHash }));
    assert.deepEqual(await queued(checker), [], 'decided, it leaves the queue');
  });

  it('a metric a customer scheme in force decides on cannot be kept from customers under it', async () => {
    // retail-tier (audience customer, in force) decides its levels on the monthly average balance.
    const entry = (await ok<{ items: (Entry & Record<string, unknown>)[] }>(await officer.get('/v1/metrics'))).items.find(
      (m) => m.key === 'avg_daily_balance',
    );
    assert.ok(entry);
    assert.ok(entry.usedBy.includes('retail-tier'), JSON.stringify(entry));
    const { key: _k, builtIn: _b, usedBy: _u, ...amendment } = entry;
    const before = await revision(f);
    for (const [as, audience] of [
      [officer, 'staff'],
      [client(f), 'compliance'],
    ] as const) {
      const refused = await problem(await as.put('/v1/metrics/avg_daily_balance', { ...amendment, audience }), 409, 'metric_in_use');
      assert.equal(refused.errors?.[0]?.path, 'audience');
      assert.ok(((refused.errors?.[0]?.params?.schemes ?? []) as string[]).includes('retail-tier'), JSON.stringify(refused));
    }
    assert.equal(await revision(f), before, 'nothing changed');
    // A new copy of the scheme in force still submits: the catalogue did not move under it.
    const copy = await ok<{ version: number }>(await officer.post('/v1/policies/retail-tier/drafts', {}), 201);
    await ok(await officer.post(`/v1/policies/retail-tier/versions/${copy.version}/submit`, {}));
    await ok(await approver.post(`/v1/policies/retail-tier/versions/${copy.version}/reject`, { note: 'a copy, to check it submits' }));
  });

  it('a scheme document with a misspelt field is refused, naming the path and the field it means', async () => {
    const draft = await ok<{ version: number; document: { levels: Record<string, unknown>[] } }>(
      await officer.post('/v1/policies/retail-tier/drafts', {}),
      201,
    );
    const document = structuredClone(draft.document);
    const last = document.levels.length - 1;
    (document.levels[last] as Record<string, unknown>).approvalrequired = true;
    await ok(await officer.put(`/v1/policies/retail-tier/versions/${draft.version}`, { document }));
    const refused = await problem(
      await officer.post(`/v1/policies/retail-tier/versions/${draft.version}/submit`, {}),
      400,
      'unknown_field',
    );
    const error = refused.errors?.find((e) => e.code === 'unknown_field');
    assert.equal(error?.path, `document.levels[${last}].approvalrequired`);
    assert.equal(error?.params?.suggestion, 'approvalRequired');
  });

  it('every stored version of both tenants is submitted again as it is under the stricter validator', async () => {
    for (const as of ['a', 'b'] as const) {
      const list = await ok<{ items: { scheme: string }[] }>(await client(f, as).get('/v1/policies'));
      for (const { scheme } of list.items) {
        // Every approved version, the one in force and the corporate rating scheduled for next month alike.
        const versions = await ok<{ items: { version: number; status: string }[] }>(
          await client(f, as).get(`/v1/policies/${scheme}/versions`),
        );
        const approved = versions.items.find((v) => v.status === 'active' || v.status === 'approved');
        assert.ok(approved, `${scheme}: ${JSON.stringify(versions.items)}`);
        const copy = await ok<{ version: number }>(
          await client(f, as).post(`/v1/policies/${scheme}/drafts`, { from: approved.version }),
          201,
        );
        await ok(await client(f, as).post(`/v1/policies/${scheme}/versions/${copy.version}/submit`, {}));
      }
    }
  });
  // Last: it leaves schemes with no approved version, which the test above resubmits scheme by scheme.
  it('a kinds or audience change under a version waiting for approval is a 409 naming it, and changes nothing; once decided it may', async () => {
    const gearing = { ...debtToEquity, key: 'gearing', label: t('杠杆率', '槓桿率', 'gearing') };
    await ok(await officer.post('/v1/metrics', gearing), 201);
    const corporate = await ok<{ version: number }>(
      await officer.post('/v1/policies/gearing-rating/drafts', {
        document: {
          ...corporateRating,
          key: 'gearing-rating',
          policy: {
            ...corporateRating.policy,
            id: 'gearing-rating',
            factors: [{ ...corporateRating.policy.factors[0], metric: 'gearing' }],
          },
        },
      }),
      201,
    );
    await ok(await officer.post(`/v1/policies/gearing-rating/versions/${corporate.version}/submit`, {}));
    // A customer score on a customer-facing count, waiting too.
    const visits = {
      key: 'branch_visits',
      unit: 'count',
      label: t('到店次数', '到店次數', 'branch visits'),
      subjectKinds: ['customer'],
      audience: 'customer',
    };
    await ok(await officer.post('/v1/metrics', visits), 201);
    const loyalty = await ok<{ version: number }>(
      await officer.post('/v1/policies/visit-tier/drafts', {
        document: {
          ...corporateRating,
          key: 'visit-tier',
          subjectKind: 'customer',
          category: 'value',
          audience: 'customer',
          name: t('到店等级', '到店等級', 'visit tier'),
          policy: {
            ...corporateRating.policy,
            id: 'visit-tier',
            factors: [
              {
                ...corporateRating.policy.factors[0],
                metric: 'branch_visits',
                transform: {
                  kind: 'bands',
                  bands: [
                    { min: 0, points: 0 },
                    { min: 4, points: 100 },
                  ],
                },
              },
            ],
          },
        },
      }),
      201,
    );
    await ok(await officer.post(`/v1/policies/visit-tier/versions/${loyalty.version}/submit`, {}));
    const before = await revision(f);
    const { key: _g, ...gearingEntry } = gearing;
    const kinds = await problem(
      await officer.put('/v1/metrics/gearing', { ...gearingEntry, subjectKinds: ['customer'] }),
      409,
      'metric_in_pending_version',
    );
    assert.equal(kinds.errors?.[0]?.path, 'subjectKinds');
    assert.deepEqual(kinds.errors?.[0]?.params, {
      metric: 'gearing',
      scheme: 'gearing-rating',
      version: corporate.version,
      schemes: ['gearing-rating'],
      unreadable: 0,
    });
    assert.match(kinds.detail ?? '', new RegExp(`version ${corporate.version} of "gearing-rating"`));
    const { key: _v, ...visitsEntry } = visits;
    const kept = await problem(
      await officer.put('/v1/metrics/branch_visits', { ...visitsEntry, audience: 'staff' }),
      409,
      'metric_in_pending_version',
    );
    assert.equal(kept.errors?.[0]?.path, 'audience');
    assert.equal(kept.errors?.[0]?.params?.scheme, 'visit-tier');
    assert.equal(await revision(f), before, 'nothing changed');
    // A label is no change under the version: allowed.
    await ok(await officer.put('/v1/metrics/gearing', { ...gearingEntry, label: t('杠杆比率', '槓桿比率', 'gearing ratio') }));
    // Rejected, the version waits no more: the change is the author's again.
    await ok(await approver.post(`/v1/policies/visit-tier/versions/${loyalty.version}/reject`, { note: 'not now' }));
    assert.equal(
      (await ok<Entry>(await officer.put('/v1/metrics/branch_visits', { ...visitsEntry, audience: 'staff' }))).audience,
      'staff',
    );
    await ok(await approver.post(`/v1/policies/gearing-rating/versions/${corporate.version}/reject`, { note: 'not now' }));
  });
});
