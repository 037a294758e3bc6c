import assert from 'node:assert/strict';
import { it } from 'node:test';
import { verifyAuditChain } from '@tierkit/api';
import type { AuditRecord } from '@tierkit/core';
import { authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * What a reviewer reads on a write's result record beyond who, which route and which path: the
 * subject an embed token was minted for, the id a POST created, a staff member's role before and
 * after, what an override request said before it was edited (packages/api/README.md, "Audit").
 */

/** The result record of the request `requestId` in bank-a's chain, read as the admin reads it. */
async function resultOf(f: ApiFixture, requestId: string): Promise<AuditRecord> {
  const res = await client(f).get('/v1/audit?limit=50');
  assert.equal(res.status, 200);
  const found = ((await res.json()) as { items: AuditRecord[] }).items.find((r) => r.requestId === requestId && r.phase === 'result');
  assert.ok(found, `a result record for ${requestId}`);
  return found;
}

function send(f: ApiFixture, credential: string, requestId: string, method: string, path: string, body?: unknown) {
  return f.app.request(path, {
    method,
    headers: { Authorization: `Bearer ${credential}`, 'X-Request-Id': requestId, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

forEachDialect('audit detail', { corsOrigins: ['https://ebank.example'] }, (f) => {
  it('a staff member’s role and scope change is recorded with what they were before and what they are after', async () => {
    assert.equal((await send(f, f.keys.a, 'st-1', 'PUT', '/v1/staff/AD-S1', { name: '王芳', role: 'officer', scope: 'book' })).status, 201);
    assert.deepEqual((await resultOf(f, 'st-1')).detail, { before: null, after: { name: '王芳', role: 'officer', scope: 'book' } });
    assert.equal((await send(f, f.keys.a, 'st-2', 'PUT', '/v1/staff/AD-S1', { name: '王芳', role: 'viewer', scope: 'book' })).status, 200);
    assert.deepEqual((await resultOf(f, 'st-2')).detail, {
      before: { name: '王芳', role: 'officer', scope: 'book' },
      after: { name: '王芳', role: 'viewer', scope: 'book' },
    });
    // A grant of power changes nothing yet: its record says which grant waits, not an `after`.
    const asked = await send(f, f.keys.a, 'st-3', 'PUT', '/v1/staff/AD-S1', { name: '王芳', role: 'admin', scope: 'tenant' });
    assert.equal(asked.status, 202);
    const grant = (await asked.json()) as { id: string; expiresAt: string };
    assert.deepEqual((await resultOf(f, 'st-3')).detail, {
      before: { name: '王芳', role: 'viewer', scope: 'book' },
      after: { name: '王芳', role: 'admin', scope: 'tenant' },
      grant: grant.id,
      pending: true,
      expiresAt: grant.expiresAt,
    });
  });

  it('an embed token’s record names the customer it reads, its origins and expiry, never the token; a refused one the customer asked for', async () => {
    await client(f).customer('AD1');
    const minted = await send(f, f.keys.roles.officer, 'et-1', 'POST', '/v1/embed-tokens', {
      subject: 'AD1',
      origins: ['https://ebank.example'],
      ttlSeconds: 300,
    });
    assert.equal(minted.status, 201);
    const { token, expiresAt } = (await minted.json()) as { token: string; expiresAt: string };
    const record = await resultOf(f, 'et-1');
    assert.deepEqual(record.detail, { subject: 'AD1', origins: ['https://ebank.example'], expiresAt });
    assert.equal(JSON.stringify(record).includes(token.slice(4, 40)), false, 'the token itself is not kept');

    assert.equal((await send(f, f.keys.roles.officer, 'et-2', 'POST', '/v1/embed-tokens', { subject: 'NOBODY' })).status, 404);
    assert.deepEqual((await resultOf(f, 'et-2')).detail, { subject: 'NOBODY' });
  });

  it('an override request names the override it filed and what it asks; an edit keeps what the request said before and after', async () => {
    await client(f).customer('AD2');
    const filed = await send(f, f.keys.roles.officer, 'ov-1', 'POST', '/v1/subjects/AD2/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: '大额存款承诺',
      expiresAt: null,
    });
    assert.equal(filed.status, 201);
    const { id } = (await filed.json()) as { id: string };
    assert.deepEqual((await resultOf(f, 'ov-1')).detail, {
      override: id,
      subject: 'AD2',
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      expiresAt: null,
      reason: '大额存款承诺',
    });

    assert.equal(
      (await send(f, f.keys.roles.officer, 'ov-2', 'PATCH', `/v1/overrides/${id}`, { level: 'diamond', reason: '客户经理复核' })).status,
      200,
    );
    assert.deepEqual((await resultOf(f, 'ov-2')).detail, {
      before: { scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: '大额存款承诺', expiresAt: null },
      after: { scheme: 'retail-tier', level: 'diamond', mode: 'fixed', reason: '客户经理复核', expiresAt: null },
    });
  });

  it('an import names what file, in which mode, how many rows and the import it made; a job and a draft name theirs', async () => {
    const upload = await f.app.request('/v1/imports?kind=subjects&mode=valid-rows&fileName=branch-07.csv', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', 'X-Request-Id': 'im-1', ...authHeader(f) },
      body: 'id,name\nAD3,李雷\nAD4,韩梅梅\n',
    });
    assert.equal(upload.status, 201);
    const imported = (await upload.json()) as { id: string; sha256: string };
    assert.deepEqual((await resultOf(f, 'im-1')).detail, {
      kind: 'subjects',
      mode: 'valid-rows',
      fileName: 'branch-07.csv',
      dryRun: false,
      import: imported.id,
      status: 'succeeded',
      sha256: imported.sha256,
      rows: 2,
      rejectedRows: 0,
      written: 2,
    });

    assert.equal((await client(f).balances('AD3', [['2025-10', 1000]])).status, 200);
    const job = await send(f, f.keys.roles.officer, 'jb-1', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10' });
    assert.equal(job.status, 201);
    assert.deepEqual((await resultOf(f, 'jb-1')).detail, {
      job: ((await job.json()) as { id: string }).id,
      period: '2025-10',
      schemes: null,
      // Every scheme: none added for reading another's level.
      dependents: [],
      filter: null,
      reason: null,
    });

    const draft = await send(f, f.keys.roles.officer, 'pd-1', 'POST', '/v1/policies/retail-tier/drafts', {});
    assert.equal(draft.status, 201);
    const { version } = (await draft.json()) as { version: number };
    assert.deepEqual((await resultOf(f, 'pd-1')).detail, { version, note: null });

    // A decision on a version says which, from when and why: the path names the scheme and version only.
    const path = `/v1/policies/retail-tier/versions/${version}`;
    const sent = await send(f, f.keys.roles.officer, 'pd-2', 'POST', `${path}/submit`, {});
    assert.equal(sent.status, 200, await sent.clone().text());
    const { contentHash } = (await sent.json()) as { contentHash: string };
    const rejected = await send(f, f.keys.roles.approver, 'pd-3', 'POST', `${path}/reject`, { contentHash, note: '阈值依据不足' });
    assert.equal(rejected.status, 200, await rejected.clone().text());
    assert.deepEqual((await resultOf(f, 'pd-3')).detail, { version, note: '阈值依据不足', contentHash });
  });

  it('a metric write keeps the value each month had before it and the one it has now; a value sent again unchanged is not a change', async () => {
    await client(f).customer('AD5');
    const put = (requestId: string, metrics: { metric: string; period: string; value: number }[]) =>
      send(f, f.keys.roles.officer, requestId, 'PUT', '/v1/subjects/AD5/metrics', { metrics });
    assert.equal(
      (
        await put('mt-1', [
          { metric: 'avg_daily_balance', period: '2025-09', value: 100_000_00 },
          { metric: 'avg_daily_balance', period: '2025-10', value: 100_000_00 },
        ])
      ).status,
      200,
    );
    assert.deepEqual((await resultOf(f, 'mt-1')).detail, {
      changed: [
        { metric: 'avg_daily_balance', period: '2025-09', before: null, after: 100_000_00, unit: 'money', currency: 'CNY' },
        { metric: 'avg_daily_balance', period: '2025-10', before: null, after: 100_000_00, unit: 'money', currency: 'CNY' },
      ],
    });
    assert.equal(
      (
        await put('mt-2', [
          { metric: 'avg_daily_balance', period: '2025-09', value: 100_000_00 },
          { metric: 'avg_daily_balance', period: '2025-10', value: 5_000_000_00 },
        ])
      ).status,
      200,
    );
    assert.deepEqual((await resultOf(f, 'mt-2')).detail, {
      changed: [
        { metric: 'avg_daily_balance', period: '2025-10', before: 100_000_00, after: 5_000_000_00, unit: 'money', currency: 'CNY' },
      ],
    });
    // A metric of another unit carries no currency: the stored 0/1 reads as yes/no by its unit alone.
    assert.equal((await put('mt-3', [{ metric: 'premium_card', period: '2025-10', value: 1 }])).status, 200);
    assert.deepEqual((await resultOf(f, 'mt-3')).detail, {
      changed: [{ metric: 'premium_card', period: '2025-10', before: null, after: 1, unit: 'boolean' }],
    });
  });

  it('the detail is sealed in the chain: edited, the record no longer verifies', async () => {
    assert.equal((await verifyAuditChain(f.db.db, 'bank-a')).ok, true);
    const { seq } = await resultOf(f, 'st-2');
    await f.db.db
      .updateTable('audit_records')
      .set({ detail: JSON.stringify({ before: null, after: { name: '王芳', role: 'viewer', scope: 'book' } }) })
      .where('chain', '=', 'bank-a')
      .where('seq', '=', seq)
      .execute();
    const v = await verifyAuditChain(f.db.db, 'bank-a');
    assert.deepEqual(
      v.problems.map((p) => [p.seq, p.kind]),
      [[seq, 'altered']],
    );
  });
});
