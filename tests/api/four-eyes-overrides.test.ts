import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { HistoryResponse, StaffTiersResponse, TiersResponse } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import {
  approvedOverride,
  fourEyesTenant,
  ok,
  problem,
  requestOverride,
  START,
  type FourEyesTenant,
  type Person,
} from '../support/four-eyes-fixture.js';
import { retireByTwo } from '../support/retire.js';

interface Override {
  id: string;
  status: string;
  inForce: boolean;
  contentHash: string;
  level: string;
  requestedBy: string;
  decidedBy: string | null;
  decisionNote: string | null;
}

forEachDialect('four eyes: overrides', (f) => {
  let t: FourEyesTenant;
  const retail = async (id: string) => {
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=retail-tier`));
    const a = tiers.assignments[0];
    assert.ok(a);
    return { level: a.level, decidedBy: a.explanation.decidedBy.kind };
  };
  const customer = async (id: string) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
      }),
    );
  };
  const request = (id: string, body: Record<string, unknown> = {}, who: Person = 'officer') => requestOverride(t, id, body, who);

  before(async () => {
    t = await fourEyesTenant(f, 'fe-overrides', START);
  });

  it('request → pending; nothing changes until another person approves the hash they saw; history names both', async () => {
    await customer('O1');
    const pending = await ok<Override>(await request('O1'), 201);
    assert.equal(pending.status, 'pending');
    assert.match(pending.contentHash, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(await retail('O1'), { level: 'standard', decidedBy: 'default' }, 'a pending override decides nothing');

    // Officers request; they never decide, whatever the content.
    await problem(
      await t.req('officer2', 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }),
      403,
      'forbidden',
    );
    // A hash of other content is refused, and so is a malformed one.
    await problem(
      await t.req('approver', 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: `sha256:${'0'.repeat(64)}` }),
      409,
      'content-changed',
    );
    await problem(await t.req('approver', 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: 'yes' }), 400, 'validation');

    const approved = await ok<Override>(
      await t.req('approver', 'POST', `/v1/overrides/${pending.id}/approve`, {
        contentHash: pending.contentHash,
        note: 'checked the file',
      }),
    );
    assert.equal(approved.status, 'approved');
    assert.equal(approved.inForce, true);
    assert.equal(approved.decisionNote, 'checked the file');
    assert.notEqual(approved.decidedBy, approved.requestedBy);
    assert.deepEqual(await retail('O1'), { level: 'gold', decidedBy: 'override' });

    const history = await ok<HistoryResponse>(await t.req('viewer', 'GET', '/v1/subjects/O1/history?scheme=retail-tier'));
    const event = history.items[0];
    assert.equal(event?.reason, 'override');
    assert.equal(event?.actor, pending.requestedBy, 'the requester caused the change');
    assert.equal(event?.approvedBy, approved.decidedBy, 'the approver signed it');

    // Approving again is a conflict: it is no longer pending.
    await problem(
      await t.req('approver2', 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }),
      409,
      'conflict',
    );

    const detail = await ok<{ decisions: { action: string; actor: string; note: string | null }[] }>(
      await t.req('viewer', 'GET', `/v1/overrides/${pending.id}`),
    );
    assert.deepEqual(
      detail.decisions.map((d) => [d.action, d.note]),
      [
        ['requested', null],
        ['approved', 'checked the file'],
      ],
    );

    // Revoke: the rules decide again, and the event names who revoked it.
    await problem(await t.req('approver', 'POST', `/v1/overrides/${pending.id}/revoke`, {}), 400, 'validation');
    const revoked = await ok<Override & { revokedBy: string }>(
      await t.req('approver2', 'POST', `/v1/overrides/${pending.id}/revoke`, { note: 'relationship ended' }),
    );
    assert.equal(revoked.status, 'revoked');
    assert.equal(revoked.inForce, false);
    assert.deepEqual(await retail('O1'), { level: 'standard', decidedBy: 'default' });
    const after = await ok<HistoryResponse>(await t.req('viewer', 'GET', '/v1/subjects/O1/history?scheme=retail-tier'));
    assert.equal(after.items[0]?.reason, 'override-expired');
    assert.equal(after.items[0]?.actor, revoked.revokedBy);
    const again = await t.req('approver2', 'POST', `/v1/overrides/${pending.id}/revoke`, { note: 'again' });
    assert.equal(again.status, 409);
    assert.equal(
      ((await again.json()) as { detail: string }).detail,
      `Override ${pending.id} is revoked; only approved overrides can be revoked.`,
      'the detail reads as a sentence',
    );
  });

  it('the override approved last decides; revoking it hands back to the one approved before', async () => {
    await customer('O9');
    const at = (seconds: number) => t.setClock(new Date(START.getTime() + seconds * 1000));
    try {
      at(1);
      await approvedOverride(t, 'O9', { level: 'diamond', mode: 'floor' });
      assert.deepEqual(await retail('O9'), { level: 'diamond', decidedBy: 'override' });
      at(3);
      const temporary = await approvedOverride<Override>(t, 'O9', { level: 'platinum', mode: 'fixed' }, { approvedBy: 'approver2' });
      assert.equal(temporary.inForce, true);
      assert.deepEqual(await retail('O9'), { level: 'platinum', decidedBy: 'override' }, 'the approval just given decides');
      const tiers = await ok<StaffTiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/O9/tiers?scheme=retail-tier'));
      assert.equal(tiers.assignments[0]?.explanation.override?.id, temporary.id);
      at(4);
      await ok(await t.req('approver', 'POST', `/v1/overrides/${temporary.id}/revoke`, { note: 'ended' }));
      assert.deepEqual(await retail('O9'), { level: 'diamond', decidedBy: 'override' }, 'the other approved override decides again');
    } finally {
      t.setClock(START);
    }
  });

  it('one pending request per subject and scheme: a second is a 409 naming the first, whoever files it', async () => {
    await customer('O10');
    const first = await ok<Override>(await request('O10'), 201);
    for (const who of ['officer', 'officer2', 'approver'] as const) {
      const res = await request('O10', { level: 'diamond', reason: 'again' }, who);
      const body = (await res.json()) as { type: string; detail: string };
      assert.equal(res.status, 409, JSON.stringify(body));
      assert.equal(body.type, 'https://tierkit.dev/problems/conflict');
      assert.ok(body.detail.includes(first.id), `the detail names the pending request: ${body.detail}`);
    }
    // Another scheme of the same subject is another question.
    const aml = await ok<Override>(await request('O10', { scheme: 'aml-test', level: 'high', mode: 'floor' }), 201);
    const pending = await ok<{ items: Override[] }>(await t.req('viewer', 'GET', '/v1/subjects/O10/overrides?status=pending'));
    assert.deepEqual(pending.items.map((o) => o.id).sort(), [first.id, aml.id].sort());
    // Once the pending one is decided or withdrawn, a new request may be filed.
    await ok(await t.req('officer', 'POST', `/v1/overrides/${first.id}/withdraw`, { note: 'replaced' }));
    await ok<Override>(await request('O10', { level: 'diamond' }, 'officer2'), 201);
  });

  it('a pending request past its expiry competes with nothing: a new one may be filed beside it', async () => {
    await customer('O12');
    const stale = await ok<Override>(await request('O12', { expiresAt: '2025-11-20T00:00:00Z' }), 201);
    await problem(await request('O12', { level: 'diamond' }), 409, 'conflict');
    try {
      t.setClock(new Date('2025-11-21T00:00:00.000Z'));
      await problem(
        await t.req('approver', 'POST', `/v1/overrides/${stale.id}/approve`, { contentHash: stale.contentHash }),
        422,
        'unprocessable',
      );
      const fresh = await ok<Override>(await request('O12', { level: 'diamond' }), 201);
      await problem(await request('O12', { level: 'platinum' }), 409, 'conflict');
      const again = await request('O12', { level: 'platinum', reason: 'x' }, 'officer2');
      assert.match(
        ((await again.json()) as { detail: string }).detail,
        new RegExp(fresh.id),
        'the one that can still be approved is named',
      );
    } finally {
      t.setClock(START);
    }
  });

  it('concurrent requests for one subject and scheme: exactly one is pending', async () => {
    await customer('O11');
    const answers = await Promise.all(
      (['officer', 'officer2', 'approver', 'approver2', 'admin', 'admin2'] as const).map((who) => request('O11', { reason: who }, who)),
    );
    assert.deepEqual(answers.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409]);
    const pending = await ok<{ items: Override[] }>(await t.req('viewer', 'GET', '/v1/subjects/O11/overrides?status=pending'));
    assert.equal(pending.items.length, 1);
  });

  it('the requester can never decide their own request, whatever their role', async () => {
    await customer('O2');
    for (const [who, scheme, level] of [
      ['approver', 'retail-tier', 'platinum'],
      ['admin', 'aml-test', 'high'],
    ] as const) {
      const mine = await ok<Override>(
        await t.req(who, 'POST', '/v1/subjects/O2/overrides', {
          scheme,
          level,
          mode: 'floor',
          reason: 'own',
          expiresAt: null,
        }),
        201,
      );
      await problem(await t.req(who, 'POST', `/v1/overrides/${mine.id}/approve`, { contentHash: mine.contentHash }), 403, 'four-eyes');
      await problem(
        await t.req(who, 'POST', `/v1/overrides/${mine.id}/reject`, { contentHash: mine.contentHash, note: 'no' }),
        403,
        'four-eyes',
      );
      const still = await ok<Override>(await t.req('viewer', 'GET', `/v1/overrides/${mine.id}`));
      assert.equal(still.status, 'pending');
    }
    assert.deepEqual(await retail('O2'), { level: 'standard', decidedBy: 'default' });
  });

  it('an edit changes the hash: the approval of the old content fails, the new one succeeds', async () => {
    await customer('O3');
    const first = await ok<Override>(await request('O3'), 201);
    await problem(await t.req('officer2', 'PATCH', `/v1/overrides/${first.id}`, { level: 'diamond' }), 403, 'forbidden');
    await problem(await t.req('officer', 'PATCH', `/v1/overrides/${first.id}`, {}), 400, 'validation');
    await problem(await t.req('officer', 'PATCH', `/v1/overrides/${first.id}`, { level: 'no-such-level' }), 400, 'validation');
    const edited = await ok<Override>(await t.req('officer', 'PATCH', `/v1/overrides/${first.id}`, { level: 'diamond' }));
    assert.notEqual(edited.contentHash, first.contentHash);
    assert.equal(edited.status, 'pending');
    await problem(
      await t.req('approver', 'POST', `/v1/overrides/${first.id}/approve`, { contentHash: first.contentHash }),
      409,
      'content-changed',
    );
    assert.deepEqual(await retail('O3'), { level: 'standard', decidedBy: 'default' });
    await ok(await t.req('approver', 'POST', `/v1/overrides/${first.id}/approve`, { contentHash: edited.contentHash }));
    assert.deepEqual(await retail('O3'), { level: 'diamond', decidedBy: 'override' });
    await problem(await t.req('officer', 'PATCH', `/v1/overrides/${first.id}`, { level: 'gold' }), 409, 'conflict');
  });

  it('reject and withdraw end a request with a note; neither changes the level', async () => {
    await customer('O4');
    const a = await ok<Override>(await request('O4'), 201);
    await problem(await t.req('approver', 'POST', `/v1/overrides/${a.id}/reject`, { contentHash: a.contentHash }), 400, 'validation');
    const rejected = await ok<Override>(
      await t.req('approver', 'POST', `/v1/overrides/${a.id}/reject`, { contentHash: a.contentHash, note: 'no evidence' }),
    );
    assert.equal(rejected.status, 'rejected');
    assert.equal(rejected.decisionNote, 'no evidence');
    await problem(await t.req('approver2', 'POST', `/v1/overrides/${a.id}/approve`, { contentHash: a.contentHash }), 409, 'conflict');

    const b = await ok<Override>(await request('O4'), 201);
    await problem(await t.req('officer2', 'POST', `/v1/overrides/${b.id}/withdraw`, {}), 403, 'forbidden');
    const withdrawn = await ok<Override>(await t.req('officer', 'POST', `/v1/overrides/${b.id}/withdraw`, { note: 'asked by mistake' }));
    assert.equal(withdrawn.status, 'withdrawn');
    await problem(await t.req('approver', 'POST', `/v1/overrides/${b.id}/approve`, { contentHash: b.contentHash }), 409, 'conflict');
    assert.deepEqual(await retail('O4'), { level: 'standard', decidedBy: 'default' });

    const list = await ok<{ items: Override[] }>(await t.req('viewer', 'GET', '/v1/subjects/O4/overrides'));
    assert.deepEqual(list.items.map((o) => o.status).sort(), ['rejected', 'withdrawn']);
    const rejectedOnly = await ok<{ items: Override[] }>(await t.req('viewer', 'GET', '/v1/overrides?status=rejected'));
    assert.ok(rejectedOnly.items.every((o) => o.status === 'rejected'));
    assert.ok(rejectedOnly.items.some((o) => o.id === a.id));
  });

  it('expiry: a past expiry is refused, an approval after the expiry is refused, an approved one stops deciding when it expires', async () => {
    await customer('O5');
    await problem(await request('O5', { expiresAt: '2025-11-01T00:00:00Z' }), 400, 'validation');
    await problem(await request('O5', { expiresAt: '2025-13-01T00:00:00Z' }), 400, 'validation');
    await problem(await request('O5', { expiresAt: '2026-01-01T08:00:00+08:00' }), 400, 'validation');
    const soon = await ok<Override>(await request('O5', { level: 'platinum', expiresAt: '2025-12-10T00:00:00Z' }), 201);
    await ok(await t.req('approver', 'POST', `/v1/overrides/${soon.id}/approve`, { contentHash: soon.contentHash }));
    const late = await ok<Override>(await request('O5', { expiresAt: '2025-11-20T00:00:00Z' }), 201);
    assert.deepEqual(await retail('O5'), { level: 'platinum', decidedBy: 'override' });
    try {
      t.setClock(new Date('2025-12-15T04:00:00.000Z'));
      await problem(
        await t.req('approver', 'POST', `/v1/overrides/${late.id}/approve`, { contentHash: late.contentHash }),
        422,
        'unprocessable',
      );
      const expired = await ok<{ items: Override[] }>(await t.req('viewer', 'GET', '/v1/subjects/O5/overrides?status=expired'));
      assert.deepEqual(
        expired.items.map((o) => [o.id, o.inForce]),
        [[soon.id, false]],
      );
      await problem(await t.req('approver', 'POST', `/v1/overrides/${soon.id}/revoke`, { note: 'too late' }), 409, 'conflict');
      // The next month's data is evaluated without it.
      await ok(
        await t.req('officer', 'PUT', '/v1/subjects/O5/metrics', {
          metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 0 }],
        }),
      );
      assert.deepEqual(await retail('O5'), { level: 'standard', decidedBy: 'default' });
    } finally {
      t.setClock(START);
    }
  });

  it('a request whose scheme was retired since cannot be approved: a 422 saying why, and it can still be rejected', async () => {
    const r = await fourEyesTenant(f, 'fe-retired', START);
    await ok(await r.req('officer', 'PUT', '/v1/subjects/X1', { kind: 'customer', displayName: '王芳' }), 201);
    const body = { scheme: 'risk-value-test', level: 'observe', mode: 'fixed', reason: 'watch list', expiresAt: null };
    const pending = await ok<Override>(await r.req('officer', 'POST', '/v1/subjects/X1/overrides', body), 201);
    await ok(
      await retireByTwo(
        (path, body) => r.req('approver', 'POST', path, body),
        (path, body) => r.req('approver2', 'POST', path, body),
        'risk-value-test',
        1,
        'matrix dropped',
      ),
    );
    const res = await r.req('approver2', 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash });
    assert.equal(res.status, 422, await res.clone().text());
    const refused = (await res.json()) as { type: string; detail: string };
    assert.equal(refused.type, 'https://tierkit.dev/problems/unprocessable');
    assert.match(refused.detail, /risk-value-test, which is no longer in force/);
    assert.equal((await ok<Override>(await r.req('viewer', 'GET', `/v1/overrides/${pending.id}`))).status, 'pending', 'nothing changed');
    const rejected = await ok<Override>(
      await r.req('approver2', 'POST', `/v1/overrides/${pending.id}/reject`, { contentHash: pending.contentHash, note: 'scheme retired' }),
    );
    assert.equal(rejected.status, 'rejected');
    // The retired scheme's requests are still listed; a scheme nothing knows is refused, not answered empty.
    const list = async (query: string) => (await ok<{ items: Override[] }>(await r.req('viewer', 'GET', `/v1/overrides${query}`))).items;
    assert.deepEqual(
      (await list('?scheme=risk-value-test')).map((o) => o.id),
      [pending.id],
    );
    assert.deepEqual(await list('?scheme=risk-value-test&status=pending'), []);
    assert.deepEqual(await list('?scheme=risk-tolerance'), [], 'in force, nothing requested');
    await problem(await r.req('viewer', 'GET', '/v1/overrides?scheme=risk_value_test'), 400, 'validation');
    await problem(await r.req('viewer', 'GET', '/v1/subjects/X1/overrides?scheme=aml_test'), 400, 'validation');
  });

  it('requests are checked: a scheme of another kind, an unknown level, extra fields, a subject that does not exist', async () => {
    await customer('O6');
    await problem(await request('O6', { scheme: 'no-such-scheme' }), 400, 'validation');
    await problem(await request('O6', { level: 'no-such-level' }), 400, 'validation');
    await problem(await request('O6', { scheme: 'product-risk', level: 'R1' }), 400, 'validation');
    await problem(await request('O6', { tenant: 'bank-b' }), 400, 'validation');
    await problem(await request('O6', { mode: 'ceiling' }), 400, 'validation');
    await problem(await request('NOPE'), 404, 'subject-not-found');
    await problem(await t.req('viewer', 'GET', '/v1/overrides/ovr_nope'), 404, 'not-found');
    await problem(await t.req('viewer', 'GET', '/v1/overrides?status=maybe'), 400, 'validation');
    await problem(await t.req('viewer', 'GET', '/v1/overrides?cursor=abc'), 400, 'bad-cursor');
  });

  it('lists page newest first with cursors', async () => {
    await customer('O7');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = (await ok<Override>(await request('O7', { reason: `r${i}` }), 201)).id;
      ids.push(id);
      // One request per subject and scheme is pending at a time.
      await ok(await t.req('officer', 'POST', `/v1/overrides/${id}/withdraw`, {}));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Override[]; nextCursor: string | null } = await ok(
        await t.req('viewer', 'GET', `/v1/subjects/O7/overrides?limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...ids].reverse());
  });

  it('every credential kind: other tenants see nothing, embed tokens nothing at all, staff tokens read but never write', async () => {
    await customer('O8');
    const o = await ok<Override>(await request('O8'), 201);
    const other = await fourEyesTenant(f, 'fe-other', START);
    await ok(await other.req('officer', 'PUT', '/v1/subjects/O8', { kind: 'customer', displayName: '李四' }), 201);
    // The other bank's people, whatever their role: the override does not exist for them.
    await problem(await other.req('admin', 'GET', `/v1/overrides/${o.id}`), 404, 'not-found');
    await problem(await other.req('approver', 'POST', `/v1/overrides/${o.id}/approve`, { contentHash: o.contentHash }), 404, 'not-found');
    await problem(await other.req('officer', 'PATCH', `/v1/overrides/${o.id}`, { level: 'diamond' }), 404, 'not-found');
    await problem(await other.req('approver', 'POST', `/v1/overrides/${o.id}/revoke`, { note: 'x' }), 404, 'not-found');
    const theirs = await ok<{ items: Override[] }>(await other.req('admin', 'GET', '/v1/overrides'));
    assert.deepEqual(theirs.items, []);
    const theirSubject = await ok<{ items: Override[] }>(await other.req('admin', 'GET', '/v1/subjects/O8/overrides'));
    assert.deepEqual(theirSubject.items, [], 'the same external id in another bank is another subject');

    // An embed token, even for this very subject: never.
    const embed = { credential: await t.embedToken('O8') };
    for (const [method, path, body] of [
      ['GET', '/v1/subjects/O8/overrides', undefined],
      ['POST', '/v1/subjects/O8/overrides', { scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'x', expiresAt: null }],
      ['GET', '/v1/overrides', undefined],
      ['GET', `/v1/overrides/${o.id}`, undefined],
      ['PATCH', `/v1/overrides/${o.id}`, { level: 'diamond' }],
      ['POST', `/v1/overrides/${o.id}/approve`, { contentHash: o.contentHash }],
      ['POST', `/v1/overrides/${o.id}/reject`, { contentHash: o.contentHash, note: 'x' }],
      ['POST', `/v1/overrides/${o.id}/revoke`, { note: 'x' }],
      ['POST', `/v1/overrides/${o.id}/withdraw`, {}],
    ] as const) {
      await problem(await t.req(embed, method, path, body), 403, 'forbidden');
    }
    const staff = { credential: await t.staffToken() };
    assert.equal((await ok<{ items: Override[] }>(await t.req(staff, 'GET', '/v1/subjects/O8/overrides'))).items.length, 1);
    await problem(await requestOverride(t, 'O8', { reason: 'x' }, staff), 403, 'forbidden');
    await problem(await t.req(staff, 'POST', `/v1/overrides/${o.id}/approve`, { contentHash: o.contentHash }), 403, 'forbidden');
    // A viewer key reads, never writes.
    await problem(await request('O8', { reason: 'x' }, 'viewer'), 403, 'forbidden');
    const still = await ok<Override>(await t.req('viewer', 'GET', `/v1/overrides/${o.id}`));
    assert.equal(still.status, 'pending');
    assert.equal(still.contentHash, o.contentHash);
  });
});
