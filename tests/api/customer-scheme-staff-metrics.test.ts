import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Problem } from '@tierkit/core';
import { updatePolicyVersion } from '@tierkit/db';
import { client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * The scheme author's tipping-off finding: a customer scheme whose level is drawn on PEP, an AML score or
 * the credit score would tell the customer that classification through the level, whatever its words.
 * Submit refuses it, naming the metric (packages/api README, "Errors": `staff_metric`).
 */

const name = (zh: string, en: string) => ({ 'zh-CN': zh, 'zh-TW': zh, en });
const threshold = (metric: string, value: number) => ({ kind: 'threshold', metric, window: null, op: 'gte', value });
/** The persona's vip-care: `high` when any of `when`. */
const vipCare = (audience: 'customer' | 'staff', ...when: unknown[]) => ({
  key: 'vip-care',
  subjectKind: 'customer',
  category: 'value',
  audience,
  name: name('贵宾关怀', 'VIP care'),
  levels: [
    { key: 'standard', rank: 0, name: name('普通', 'Standard'), color: 'neutral' },
    { key: 'high', rank: 1, name: name('高', 'High'), color: 'danger' },
  ],
  policy: { id: 'vip-care', version: 1, kind: 'rules', levels: [{ level: 'high', when: { kind: 'any', of: when } }] },
});

async function json<T>(res: Response, status: number): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

forEachDialect('a customer scheme may not decide on a metric kept from customers', (f: ApiFixture) => {
  const officer = client(f, () => f.keys.roles.officer);

  it('refuses to submit vip-care on PEP or AML customer risk, 400 staff_metric naming each metric; nothing is submitted', async () => {
    const draft = await json<{ version: number }>(
      await officer.post('/v1/policies/vip-care/drafts', {
        document: vipCare('customer', threshold('pep', 1), threshold('aml_customer_risk', 70)),
      }),
      201,
    );
    const body = await json<Problem>(await officer.post(`/v1/policies/vip-care/versions/${draft.version}/submit`, {}), 400);
    assert.equal(body.type, 'https://tierkit.dev/problems/validation');
    assert.deepEqual(
      body.errors?.map((e) => [e.path, e.code, e.params?.metric]),
      [
        ['document.policy.levels[0].when.of[0].metric', 'staff_metric', 'pep'],
        ['document.policy.levels[0].when.of[1].metric', 'staff_metric', 'aml_customer_risk'],
      ],
    );
    const still = await json<{ status: string }>(await officer.get(`/v1/policies/vip-care/versions/${draft.version}`), 200);
    assert.equal(still.status, 'draft');
  });

  it('refuses one on the credit score, and takes the same rules as a staff scheme', async () => {
    const credit = await json<{ version: number }>(
      await officer.post('/v1/policies/vip-credit/drafts', {
        document: { ...vipCare('customer', threshold('credit_score', 60)), key: 'vip-credit' },
      }),
      201,
    );
    const body = await json<Problem>(await officer.post(`/v1/policies/vip-credit/versions/${credit.version}/submit`, {}), 400);
    assert.deepEqual(
      body.errors?.map((e) => [e.code, e.params?.metric]),
      [['staff_metric', 'credit_score']],
    );
    const staff = await json<{ version: number }>(
      await officer.post('/v1/policies/vip-staff/drafts', { document: { ...vipCare('staff', threshold('pep', 1)), key: 'vip-staff' } }),
      201,
    );
    const submitted = await json<{ status: string }>(
      await officer.post(`/v1/policies/vip-staff/versions/${staff.version}/submit`, {}),
      200,
    );
    assert.equal(submitted.status, 'submitted');
  });

  it('refuses to approve such a version submitted before submit checked it: approval checks it again', async () => {
    const draft = await json<{ version: number }>(
      await officer.post('/v1/policies/vip-old/drafts', { document: { ...vipCare('customer', threshold('pep', 1)), key: 'vip-old' } }),
      201,
    );
    // Submitted under the release before this check, as the persona's vip-care was: stored as such.
    const hash = `sha256:${'0'.repeat(64)}`;
    assert.ok(
      await updatePolicyVersion(f.db.db, 'bank-a', 'vip-old', draft.version, 'draft', {
        status: 'submitted',
        submittedBy: 'officer-before',
        submittedAt: '2025-11-01T00:00:00.000Z',
        contentHash: hash,
      }),
    );
    const approver = client(f, () => f.keys.roles.approver);
    const body = await json<Problem>(
      await approver.post(`/v1/policies/vip-old/versions/${draft.version}/approve`, { contentHash: hash }),
      400,
    );
    assert.deepEqual(
      body.errors?.map((e) => [e.code, e.params?.metric]),
      [['staff_metric', 'pep']],
    );
    const still = await json<{ status: string }>(await officer.get(`/v1/policies/vip-old/versions/${draft.version}`), 200);
    assert.equal(still.status, 'submitted');
  });

  it('lists which metrics are kept from customers, for the editor', async () => {
    const list = await json<{ metrics: { key: string; audience?: string }[] }>(await officer.get('/v1/policies'), 200);
    const audience = (k: string) => list.metrics.find((m) => m.key === k)?.audience;
    assert.deepEqual(['pep', 'aml_customer_risk', 'credit_score', 'avg_daily_balance', 'loan_days_past_due'].map(audience), [
      'compliance',
      'compliance',
      'staff',
      undefined,
      undefined,
    ]);
  });
});
