import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, mintStaffToken } from '@tierkit/api';
import type { Problem } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, START, type FourEyesTenant, type Who } from '../support/four-eyes-fixture.js';

type Tiers = { assignments: { scheme: string; level: string }[] };
type Overdue = { items: { subject: string; level: string }[] };

/** A 403 `forbidden` whose field error carries `code`. */
async function refusedWith(res: Response, code: string): Promise<Problem> {
  const body = (await res.json()) as Problem;
  assert.equal(res.status, 403, JSON.stringify(body));
  assert.equal(body.type, 'https://tierkit.dev/problems/forbidden');
  assert.equal(body.errors?.[0]?.code, code, JSON.stringify(body));
  return body;
}

/**
 * What a relationship manager may not do alone, found by an RM and their team lead (docs/domain.md §4):
 * rewrite their customer's balances, which would move the tier past the one-step, approved override; and
 * record the periodic review of a level that needs a sign-off (AML 高), which is compliance's.
 */
forEachDialect('a relationship manager’s limits: metrics and sign-off reviews', (f) => {
  let t: FourEyesTenant;
  let rmToken: Who;
  let rmKey: Who;
  const levelOf = async (id: string, scheme: string) =>
    (await ok<Tiers>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers`))).assignments.find((x) => x.scheme === scheme)?.level;
  const balances = (value: number) => ({
    metrics: ['2025-08', '2025-09', '2025-10'].map((period) => ({ metric: 'avg_daily_balance', period, value })),
  });

  before(async () => {
    t = await fourEyesTenant(f, 'rm-limits', START);
    await ok(await t.req('admin', 'PUT', '/v1/staff/RM001', { name: '王芳', role: 'officer', scope: 'book' }), 201);
    for (const [id, score] of [
      ['C9', 10],
      ['C5', 95],
      ['C6', 10],
    ] as const) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '陈志强' }), 201);
      await ok(
        await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [...balances(0).metrics, { metric: 'aml_customer_risk', period: '2025-10', value: score }],
        }),
      );
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager: 'RM001' }));
    }
    rmToken = { credential: (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'RM001', now: START })).token };
    rmKey = {
      credential: (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'officer', label: 'RM001', staffId: 'RM001', now: START }))
        .secret,
    };
  });

  it('an RM’s token or key may not write their customer’s balances: 403 pointing to overrides, the tier unchanged', async () => {
    assert.equal(await levelOf('C9', 'retail-tier'), 'standard');
    for (const who of [rmToken, rmKey]) {
      const body = await refusedWith(
        await t.req(who, 'PUT', '/v1/subjects/C9/metrics', balances(200_000_000)),
        'metrics_not_by_book_staff',
      );
      assert.match(body.detail ?? '', /override/);
      assert.equal(await levelOf('C9', 'retail-tier'), 'standard', 'nothing written, nothing re-tiered');
    }
    // Another book's customer is refused the same way (never a 404 that would say who is whose).
    await refusedWith(await t.req(rmToken, 'PUT', '/v1/subjects/NOBODY/metrics', balances(1)), 'metrics_not_by_book_staff');
    // The bank's systems (a tenant-wide officer's key) keep writing them.
    await ok(await t.req('officer', 'PUT', '/v1/subjects/C9/metrics', balances(200_000_000)));
    assert.equal(await levelOf('C9', 'retail-tier'), 'diamond');
    // The RM still asks for a courtesy tier the way the policy allows: an override request.
    await ok(
      await t.req(rmToken, 'POST', '/v1/subjects/C6/overrides', {
        scheme: 'retail-tier',
        level: 'gold',
        mode: 'floor',
        reason: '挽留',
        expiresAt: '2026-03-01T00:00:00.000Z',
      }),
      201,
    );
  });

  it('the review of a level needing a sign-off (AML 高) is an approver’s; an RM still reviews ordinary levels', async () => {
    await ok(await t.req('approver2', 'POST', '/v1/subjects/C5/levels/aml-test/approve', { contentHash: await signOffHash('C5') }));
    const later = new Date('2026-12-20T04:00:00.000Z');
    t.setClock(later);
    rmToken = { credential: (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'RM001', now: later })).token };
    const due = async () =>
      (await ok<Overdue>(await t.req(rmToken, 'GET', '/v1/reviews/overdue?scheme=aml-test'))).items.map((i) => [i.subject, i.level]);
    assert.deepEqual(await due(), [
      ['C5', 'high'],
      ['C6', 'low'],
      ['C9', 'low'],
    ]);
    for (const who of [rmToken, rmKey, 'officer'] as const) {
      const body = await refusedWith(
        await t.req(who, 'POST', '/v1/subjects/C5/reviews', { scheme: 'aml-test', note: '已复核' }),
        'review_needs_sign_off_role',
      );
      assert.deepEqual(body.errors?.[0]?.params, { scheme: 'aml-test', level: 'high', needs: 'approver' });
    }
    assert.deepEqual((await due())[0], ['C5', 'high'], 'refused: still overdue');
    await ok(await t.req(rmToken, 'POST', '/v1/subjects/C6/reviews', { scheme: 'aml-test', note: '已复核' }), 201);
    await ok(await t.req('approver', 'POST', '/v1/subjects/C5/reviews', { scheme: 'aml-test', note: 'EDD 已复核' }), 201);
    assert.deepEqual(await due(), [['C9', 'low']]);
    t.setClock(START);
  });

  it('the approvals queue names the person behind a key: its owner’s staff id, none for an unowned key', async () => {
    const file = (who: Who, id: string, level: string) =>
      t.req(who, 'POST', `/v1/subjects/${id}/overrides`, {
        scheme: 'retail-tier',
        level,
        mode: 'fixed',
        reason: '挽留',
        expiresAt: '2026-03-01T00:00:00.000Z',
      });
    const byKey = await ok<{ id: string; requestedBy: string }>(await file(rmKey, 'C5', 'gold'), 201);
    assert.match(byKey.requestedBy, /^key:/, 'the record keeps the credential');
    const unowned = await ok<{ id: string }>(await file('officer', 'C9', 'platinum'), 201);
    type Queue = { items: { id: string; requestedBy: string; requestedByStaff: string | null }[] };
    const queue = await ok<Queue>(await t.req('approver', 'GET', '/v1/approvals?kind=override&limit=100'));
    const item = (id: string) => queue.items.find((i) => i.id === id);
    assert.equal(item(byKey.id)?.requestedBy, byKey.requestedBy);
    assert.equal(item(byKey.id)?.requestedByStaff, 'RM001', 'the owner, whom the console names 王芳 · RM001');
    assert.equal(item(unowned.id)?.requestedByStaff, null);
    const byToken = queue.items.find((i) => i.requestedBy === 'staff:RM001');
    assert.equal(byToken?.requestedByStaff, 'RM001');
  });

  async function signOffHash(id: string): Promise<string> {
    return (await ok<{ contentHash: string }>(await t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`))).contentHash;
  }
});
