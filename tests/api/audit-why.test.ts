import assert from 'node:assert/strict';
import { it } from 'node:test';
import { verifyAuditChain } from '@tierkit/api';
import type { AuditRecord } from '@tierkit/core';
import { client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * An examiner's finding: the trail did not say why for several of the makers' steps. Each step below is
 * taken over HTTP and its record read back as the examiner reads it (`GET /v1/audit`): an override
 * request keeps its maker's reason (in the side row, with the customer's number), a re-tier job its
 * reason and filter, a policy draft and submission their maker's note, and an approval the content hash
 * it approved (packages/api/README.md, "Audit"; docs/operations.md).
 */

/** The result record of the request `requestId` in bank-a's chain, read as the admin reads it. */
async function resultOf(f: ApiFixture, requestId: string): Promise<AuditRecord> {
  const res = await client(f).get('/v1/audit?limit=50');
  assert.equal(res.status, 200);
  const found = ((await res.json()) as { items: AuditRecord[] }).items.find((r) => r.requestId === requestId && r.phase === 'result');
  assert.ok(found, `a result record for ${requestId}`);
  return found;
}

/** The stored record (what its hash seals) and its side row, as the database holds them. */
async function storedOf(f: ApiFixture, seq: number) {
  const record = await f.db.db
    .selectFrom('audit_records')
    .selectAll()
    .where('chain', '=', 'bank-a')
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow();
  const side = await f.db.db
    .selectFrom('audit_personal')
    .selectAll()
    .where('chain', '=', 'bank-a')
    .where('seq', '=', seq)
    .executeTakeFirst();
  return { record, side };
}

function send(f: ApiFixture, credential: string, requestId: string, method: string, path: string, body?: unknown) {
  return f.app.request(path, {
    method,
    headers: { Authorization: `Bearer ${credential}`, 'X-Request-Id': requestId, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

forEachDialect('audit: why each maker acted', (f) => {
  it('an override request keeps its maker’s reason, apart from the record with the customer; its approval names the hash it approved', async () => {
    await client(f).customer('WHY1');
    const filed = await send(f, f.keys.roles.officer, 'wy-ov-1', 'POST', '/v1/subjects/WHY1/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: '大额存款承诺，客户经理担保',
      expiresAt: null,
    });
    assert.equal(filed.status, 201);
    const { id, contentHash } = (await filed.json()) as { id: string; contentHash: string };
    const asked = await resultOf(f, 'wy-ov-1');
    assert.deepEqual(asked.detail, {
      override: id,
      subject: 'WHY1',
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      expiresAt: null,
      reason: '大额存款承诺，客户经理担保',
    });
    // Typed text about a customer: the record keeps neither it nor the number, its side row keeps both.
    const { record, side } = await storedOf(f, asked.seq);
    assert.equal(`${record.detail}${record.target}`.includes('大额存款'), false);
    assert.equal(`${record.detail}${record.target}`.includes('WHY1'), false);
    assert.equal(side?.subject, 'WHY1');
    assert.match(side?.detail ?? '', /大额存款承诺/);

    const approved = await send(f, f.keys.roles.approver, 'wy-ov-2', 'POST', `/v1/overrides/${id}/approve`, { contentHash });
    assert.equal(approved.status, 200, await approved.clone().text());
    assert.equal((await resultOf(f, 'wy-ov-2')).detail?.contentHash, contentHash);
  });

  it('a re-tier job keeps its reason and filter; a job of one customer keeps them with the customer, apart from the record', async () => {
    await client(f).customer('WHY2');
    assert.equal((await client(f).balances('WHY2', [['2025-10', 1000]])).status, 200);
    const whole = await send(f, f.keys.roles.officer, 'wy-jb-1', 'POST', '/v1/jobs', {
      kind: 'retier',
      period: '2025-10',
      filter: { kind: 'customer' },
      reason: '十月数据补录后重评',
    });
    assert.equal(whole.status, 201, await whole.clone().text());
    const wholeRecord = await resultOf(f, 'wy-jb-1');
    assert.deepEqual(
      { filter: wholeRecord.detail?.filter, reason: wholeRecord.detail?.reason },
      { filter: { kind: 'customer' }, reason: '十月数据补录后重评' },
    );

    const one = await send(f, f.keys.roles.officer, 'wy-jb-2', 'POST', '/v1/jobs', {
      kind: 'retier',
      period: '2025-10',
      filter: { subjects: ['WHY2'] },
      reason: '客户投诉复核',
    });
    assert.equal(one.status, 201, await one.clone().text());
    const oneRecord = await resultOf(f, 'wy-jb-2');
    assert.deepEqual(
      { filter: oneRecord.detail?.filter, reason: oneRecord.detail?.reason },
      { filter: { subjects: ['WHY2'] }, reason: '客户投诉复核' },
    );
    const { record, side } = await storedOf(f, oneRecord.seq);
    assert.equal(`${record.detail}${record.target}`.includes('WHY2'), false, 'the customer’s number is in the side row only');
    assert.equal(`${record.detail}`.includes('客户投诉'), false);
    assert.equal(side?.subject, 'WHY2');
  });

  it('a policy draft and its submission keep the maker’s note, which the checker reads in the queue; the approval names the hash it approved', async () => {
    const draft = await send(f, f.keys.roles.officer, 'wy-pd-1', 'POST', '/v1/policies/retail-tier/drafts', { note: '  上调金卡门槛  ' });
    assert.equal(draft.status, 201, await draft.clone().text());
    const { version, draftNote } = (await draft.json()) as { version: number; draftNote: string | null };
    assert.equal(draftNote, '上调金卡门槛', 'trimmed');
    assert.deepEqual((await resultOf(f, 'wy-pd-1')).detail, { version, note: '上调金卡门槛' });

    const path = `/v1/policies/retail-tier/versions/${version}`;
    const sent = await send(f, f.keys.roles.officer, 'wy-pd-2', 'POST', `${path}/submit`, { note: '模拟无降级' });
    assert.equal(sent.status, 200, await sent.clone().text());
    const { contentHash, submitNote } = (await sent.json()) as { contentHash: string; submitNote: string | null };
    assert.equal(submitNote, '模拟无降级');
    assert.deepEqual((await resultOf(f, 'wy-pd-2')).detail, { version, contentHash, note: '模拟无降级' });

    const queue = await send(f, f.keys.roles.approver, 'wy-pd-3', 'GET', '/v1/approvals?kind=policy');
    assert.equal(queue.status, 200);
    const item = ((await queue.json()) as { items: { id: string; draftNote?: string | null; submitNote?: string | null }[] }).items.find(
      (i) => i.id === `retail-tier@${version}`,
    );
    assert.deepEqual({ draftNote: item?.draftNote, submitNote: item?.submitNote }, { draftNote: '上调金卡门槛', submitNote: '模拟无降级' });

    const approved = await send(f, f.keys.roles.approver, 'wy-pd-4', 'POST', `${path}/approve`, { contentHash });
    assert.equal(approved.status, 200, await approved.clone().text());
    assert.equal((await resultOf(f, 'wy-pd-4')).detail?.contentHash, contentHash);
  });

  it('a blank or over-long note is refused with its field, and nothing is drafted or submitted', async () => {
    const before = (await (await send(f, f.keys.roles.officer, 'wy-n-0', 'GET', '/v1/policies/retail-tier/versions')).json()) as {
      items: unknown[];
    };
    for (const note of ['   ', 'x'.repeat(1001)]) {
      const res = await send(f, f.keys.roles.officer, 'wy-n-1', 'POST', '/v1/policies/retail-tier/drafts', { note });
      assert.equal(res.status, 400);
      const problem = (await res.json()) as { errors: { path: string }[] };
      assert.deepEqual(
        problem.errors.map((e) => e.path),
        ['note'],
      );
    }
    const after = (await (await send(f, f.keys.roles.officer, 'wy-n-2', 'GET', '/v1/policies/retail-tier/versions')).json()) as {
      items: unknown[];
    };
    assert.equal(after.items.length, before.items.length, 'no draft made');

    const draft = await send(f, f.keys.roles.officer, 'wy-n-3', 'POST', '/v1/policies/retail-tier/drafts', {});
    const { version } = (await draft.json()) as { version: number };
    const refused = await send(f, f.keys.roles.officer, 'wy-n-4', 'POST', `/v1/policies/retail-tier/versions/${version}/submit`, {
      note: '',
    });
    assert.equal(refused.status, 400);
    const still = await send(f, f.keys.roles.officer, 'wy-n-5', 'GET', `/v1/policies/retail-tier/versions/${version}`);
    assert.equal(((await still.json()) as { status: string }).status, 'draft', 'not submitted');
  });

  it('the chain with these records verifies', async () => {
    assert.equal((await verifyAuditChain(f.db.db, 'bank-a')).ok, true);
  });
});
