import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Override {
  id: string;
  status: string;
  contentHash: string;
  reasonCategory?: string;
  evidence?: string;
}
interface Problem {
  errors?: { path: string; code?: string }[];
}

const EVIDENCE = 'DMS-2026-118734';

/**
 * An override's evidence (docs/domain.md §4, "An override's evidence"): an RM filing a courtesy (a VIP
 * keeps 白金卡 six months) says what it rests on and cites a document; the approver sees both, the
 * approval binds them, the trail keeps them, and the customer's own token never sees either.
 */
forEachDialect('override requests: a reason category and evidence for the approver', (f) => {
  let t: FourEyesTenant;
  let rm: { credential: string };

  before(async () => {
    t = await fourEyesTenant(f, 'override-evidence', START);
    await ok(await t.req('admin', 'PUT', '/v1/staff/RM1', { name: '王芳', role: 'officer', scope: 'book' }), 201);
    rm = { credential: (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'RM1', ttlSeconds: 900, now: START })).token };
    for (const id of ['V1', 'V2']) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '李四' }), 201);
      await ok(
        await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
        }),
      );
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager: 'RM1' }));
    }
  });

  it('the RM files with a category and a document number; the approver sees them in the request and the queue, and approves what they saw', async () => {
    const filed = await ok<Override>(await requestOverride(t, 'V1', { reasonCategory: 'retention', evidence: EVIDENCE }, rm), 201);
    assert.deepEqual([filed.reasonCategory, filed.evidence], ['retention', EVIDENCE]);
    const seen = await ok<Override>(await t.req('approver', 'GET', `/v1/overrides/${filed.id}`));
    assert.deepEqual([seen.reasonCategory, seen.evidence], ['retention', EVIDENCE]);
    const queue = await ok<{ items: { id: string; reasonCategory?: string; evidence?: string }[] }>(
      await t.req('approver', 'GET', '/v1/approvals'),
    );
    const item = queue.items.find((i) => i.id === filed.id);
    assert.deepEqual([item?.reasonCategory, item?.evidence], ['retention', EVIDENCE]);

    // The evidence is part of what is approved: changed after the approver read it, their hash no longer fits.
    const edited = await ok<Override>(await t.req(rm, 'PATCH', `/v1/overrides/${filed.id}`, { evidence: 'DMS-2026-000001' }));
    assert.notEqual(edited.contentHash, seen.contentHash);
    await problem(await t.req('approver', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: seen.contentHash }), 409);
    const approved = await ok<Override>(
      await t.req('approver', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: edited.contentHash }),
    );
    assert.equal(approved.evidence, 'DMS-2026-000001');

    // The trail keeps what was filed and what it was edited from.
    const trail = JSON.stringify(await ok(await t.req('admin', 'GET', '/v1/audit?limit=100')));
    assert.ok(trail.includes(EVIDENCE), 'the filing and the edit are in the trail with their evidence');
    assert.ok(trail.includes('"reasonCategory":"retention"'));
  });

  it('the customer’s own token never sees the category or the evidence', async () => {
    const embed = { credential: await t.embedToken('V1') };
    for (const path of ['/v1/subjects/V1/tiers', '/v1/subjects/V1/history', '/v1/subjects/V1/entitlements']) {
      const body = await (await t.req(embed, 'GET', path)).text();
      assert.ok(
        !body.includes('DMS-2026') && !body.includes('reasonCategory') && !body.includes('evidence'),
        `${path}: ${body.slice(0, 200)}`,
      );
    }
    await problem(await t.req(embed, 'GET', '/v1/overrides'), 403, 'forbidden');
  });

  it('an unknown category or an empty evidence is a 400 and files nothing; a request without them is as before', async () => {
    const bad = await requestOverride(t, 'V2', { reasonCategory: 'friendship' }, rm);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Problem).errors?.[0]?.path, 'reasonCategory');
    const empty = await requestOverride(t, 'V2', { evidence: '   ' }, rm);
    assert.equal(empty.status, 400);
    const none = await ok<{ items: unknown[] }>(await t.req('approver', 'GET', '/v1/subjects/V2/overrides'));
    assert.equal(none.items.length, 0, 'nothing filed');
    const plain = await ok<Override>(await requestOverride(t, 'V2', {}, rm), 201);
    assert.equal('reasonCategory' in plain || 'evidence' in plain, false);
  });
});
