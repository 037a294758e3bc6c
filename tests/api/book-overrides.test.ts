import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken, type Role } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { putStaffGranted, type Send } from '../support/granted-staff.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Override {
  id: string;
  status: string;
  contentHash: string;
  requestedBy: string;
  decidedBy: string | null;
  mayEdit: boolean;
  mayWithdraw: boolean;
}
interface WithDecisions extends Override {
  decisions: { action: string; actor: string; note: string | null }[];
}
interface AuditPage {
  items: { actor: string; method: string; route: string; target: Record<string, string>; status: number | null }[];
}

/**
 * Override requests belong to their customer's book (packages/api/README.md, "Four eyes"): the
 * relationship manager holding the book reads them with every decision, and when a customer moves to
 * another book the new RM may take back what the old one left pending, while the old one loses it.
 */
forEachDialect('override requests in relationship managers’ books', (f) => {
  let t: FourEyesTenant;
  const rm: Record<string, string> = {};
  const as = (credential: string) => ({ credential });
  const staff = (id: string, role: Role, scope: 'tenant' | 'book') => t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role, scope });
  /** A tenant-wide member is a grant of power: a second admin approves it (tests/support/granted-staff.ts). */
  const granted = async (id: string, role: Role, scope: 'tenant' | 'book') => {
    const send: Send = (credential, method, path, body) => t.req({ credential }, method, path, body);
    assert.equal(await putStaffGranted(send, t.keys.admin, t.keys.admin2, id, { name: id, role, scope }), 202);
  };
  const customer = async (id: string, manager: string) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
      }),
    );
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager }));
  };
  const request = (who: Parameters<FourEyesTenant['req']>[0], id: string, level = 'gold') =>
    t.req(who, 'POST', `/v1/subjects/${id}/overrides`, {
      scheme: 'retail-tier',
      level,
      mode: 'fixed',
      reason: 'VIP retention',
      expiresAt: null,
    });

  before(async () => {
    t = await fourEyesTenant(f, 'book-overrides', START);
    await ok(await staff('RM1', 'officer', 'book'), 201);
    await ok(await staff('RM2', 'officer', 'book'), 201);
    for (const id of ['RM1', 'RM2'])
      rm[id] = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
  });

  it('the RM whose book holds the customer reads a request and its decisions; another book, a customer’s token and another tenant do not', async () => {
    await customer('K1', 'RM1');
    const pending = await ok<Override>(await request(as(rm.RM1 ?? ''), 'K1'), 201);
    await ok(await t.req(as(rm.RM1 ?? ''), 'PATCH', `/v1/overrides/${pending.id}`, { level: 'diamond' }));

    const read = await ok<WithDecisions>(await t.req(as(rm.RM1 ?? ''), 'GET', `/v1/overrides/${pending.id}`));
    assert.equal(read.id, pending.id);
    assert.deepEqual(
      read.decisions.map((d) => [d.action, d.actor]),
      [
        ['requested', 'staff:RM1'],
        ['edited', 'staff:RM1'],
      ],
    );

    // Another book's RM learns nothing: the same answer as for an id nobody has.
    const outside = await t.req(as(rm.RM2 ?? ''), 'GET', `/v1/overrides/${pending.id}`);
    const none = await t.req(as(rm.RM2 ?? ''), 'GET', '/v1/overrides/ovr_nosuchrequest');
    const [a, b] = [(await outside.json()) as { type: string; detail: string }, (await none.json()) as { type: string; detail: string }];
    assert.deepEqual([outside.status, a.type], [404, 'https://tierkit.dev/problems/not-found']);
    assert.deepEqual([none.status, b.type], [404, a.type]);
    assert.equal(a.detail.replace(pending.id, 'X'), b.detail.replace('ovr_nosuchrequest', 'X'));

    // A customer's own token never reads staff matters, not even about themselves.
    await problem(await t.req(as(await t.embedToken('K1')), 'GET', `/v1/overrides/${pending.id}`), 403, 'forbidden');
    // Nor another tenant's staff, whoever they are.
    const other = await fourEyesTenant(f, 'book-overrides-other', START);
    await problem(await other.req('admin', 'GET', `/v1/overrides/${pending.id}`), 404, 'not-found');
    // The list is cut to the book (tests/api/book-override-list.test.ts): RM1 lists it, RM2 does not.
    const listed = async (who: string) =>
      ((await ok<{ items: Override[] }>(await t.req(as(who), 'GET', '/v1/overrides'))).items ?? []).map((o) => o.id);
    assert.ok((await listed(rm.RM1 ?? '')).includes(pending.id));
    assert.ok(!(await listed(rm.RM2 ?? '')).includes(pending.id));
  });

  it('a customer moved to another book takes its pending request along: the new RM may withdraw and replace it, the old one no longer reaches it', async () => {
    await customer('K2', 'RM1');
    const left = await ok<Override>(await request(as(rm.RM1 ?? ''), 'K2'), 201);
    assert.deepEqual([left.mayEdit, left.mayWithdraw], [true, true], 'the requester may edit and withdraw their pending request');
    await ok(await t.req('officer', 'PUT', '/v1/subjects/K2/manager', { manager: 'RM2' }));

    // The old RM: as for any customer outside their book.
    for (const [method, path, body] of [
      ['GET', `/v1/overrides/${left.id}`, undefined],
      ['PATCH', `/v1/overrides/${left.id}`, { level: 'diamond' }],
      ['POST', `/v1/overrides/${left.id}/withdraw`, {}],
    ] as const)
      await problem(await t.req(as(rm.RM1 ?? ''), method, path, body), 404, 'not-found');
    await problem(await request(as(rm.RM1 ?? ''), 'K2'), 404, 'subject-not-found');

    // The new RM reads it — told they may withdraw it, not edit it, in the one and in the customer's
    // list — may not rewrite another person's request, and may not file beside it…
    const seen = await ok<Override>(await t.req(as(rm.RM2 ?? ''), 'GET', `/v1/overrides/${left.id}`));
    assert.deepEqual([seen.mayEdit, seen.mayWithdraw], [false, true]);
    const listed = await ok<{ items: Override[] }>(await t.req(as(rm.RM2 ?? ''), 'GET', '/v1/subjects/K2/overrides'));
    assert.deepEqual(
      listed.items.filter((o) => o.id === left.id).map((o) => [o.mayEdit, o.mayWithdraw]),
      [[false, true]],
    );
    // A tenant-wide approver reads it too, and may neither edit nor withdraw another person's request.
    const approver = await ok<Override>(await t.req('approver', 'GET', `/v1/overrides/${left.id}`));
    assert.deepEqual([approver.mayEdit, approver.mayWithdraw], [false, false]);
    await problem(await t.req(as(rm.RM2 ?? ''), 'PATCH', `/v1/overrides/${left.id}`, { level: 'diamond' }), 403, 'forbidden');
    const beside = await request(as(rm.RM2 ?? ''), 'K2', 'diamond');
    assert.equal(beside.status, 409);
    const conflict = ((await beside.json()) as { detail: string }).detail;
    assert.match(conflict, /withdraw it and file your own/);
    assert.doesNotMatch(conflict, /edit/, 'the new RM may only withdraw, so they are not told to edit');
    // …but takes it back and files their own.
    const withdrawn = await ok<Override>(
      await t.req(as(rm.RM2 ?? ''), 'POST', `/v1/overrides/${left.id}/withdraw`, { note: 'customer moved to my book' }),
    );
    assert.deepEqual([withdrawn.status, withdrawn.decidedBy], ['withdrawn', 'staff:RM2']);
    const mine = await ok<Override>(await request(as(rm.RM2 ?? ''), 'K2', 'diamond'), 201);
    assert.equal(mine.requestedBy, 'staff:RM2');
    await problem(await t.req(as(rm.RM1 ?? ''), 'GET', `/v1/overrides/${mine.id}`), 404, 'not-found');

    // Who did what stays on record: the move in the audit trail, the withdrawal in the request's history.
    const history = await ok<WithDecisions>(await t.req('approver', 'GET', `/v1/overrides/${left.id}`));
    assert.deepEqual(
      history.decisions.map((d) => [d.action, d.actor, d.note]),
      [
        ['requested', 'staff:RM1', null],
        ['withdrawn', 'staff:RM2', 'customer moved to my book'],
      ],
    );
    const audit = await ok<AuditPage>(await t.req('admin', 'GET', '/v1/audit?route=/v1/subjects/{id}/manager&limit=100'));
    assert.ok(audit.items.some((r) => r.method === 'PUT' && r.target.id === 'K2' && r.status === 200 && r.actor.startsWith('key:')));
  });

  it('a request a tenant-wide officer filed for a book’s customer stays theirs: the RM reads it but may not withdraw it', async () => {
    await customer('K3', 'RM2');
    const compliance = await ok<Override>(await request('officer', 'K3', 'platinum'), 201);
    const read = await ok<Override>(await t.req(as(rm.RM2 ?? ''), 'GET', `/v1/overrides/${compliance.id}`));
    assert.deepEqual([read.mayEdit, read.mayWithdraw], [false, false]);
    await problem(await t.req(as(rm.RM2 ?? ''), 'POST', `/v1/overrides/${compliance.id}/withdraw`, {}), 403, 'forbidden');
    await problem(await t.req(as(rm.RM1 ?? ''), 'POST', `/v1/overrides/${compliance.id}/withdraw`, {}), 404, 'not-found');
    const still = await ok<Override>(await t.req('officer', 'GET', `/v1/overrides/${compliance.id}`));
    assert.equal(still.status, 'pending', 'a refused withdrawal changes nothing');
  });

  it('who may withdraw is read from the request as filed, not from the requester’s scope today', async () => {
    await granted('CO1', 'officer', 'tenant');
    await ok(await staff('RM3', 'officer', 'book'), 201);
    const token = async (id: string) =>
      (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;

    // A compliance officer's request stays theirs after an admin makes them book-scoped.
    await customer('K4', 'RM2');
    const filedWide = await ok<Override>(await request(as(await token('CO1')), 'K4', 'platinum'), 201);
    await ok(await staff('CO1', 'officer', 'book'));
    const read = await ok<Override>(await t.req(as(rm.RM2 ?? ''), 'GET', `/v1/overrides/${filedWide.id}`));
    assert.equal(read.mayWithdraw, false);
    const refused = await t.req(as(rm.RM2 ?? ''), 'POST', `/v1/overrides/${filedWide.id}/withdraw`, {});
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { detail: string }).detail, /only they may withdraw it/);
    assert.equal((await ok<Override>(await t.req('approver', 'GET', `/v1/overrides/${filedWide.id}`))).status, 'pending');

    // An RM's request stays the book's after an admin makes them tenant-wide: the new RM withdraws it.
    await customer('K5', 'RM3');
    const filedInBook = await ok<Override>(await request(as(await token('RM3')), 'K5'), 201);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/K5/manager', { manager: 'RM2' }));
    await granted('RM3', 'officer', 'tenant');
    const seen = await ok<Override>(await t.req(as(rm.RM2 ?? ''), 'GET', `/v1/overrides/${filedInBook.id}`));
    assert.equal(seen.mayWithdraw, true);
    const withdrawn = await ok<Override>(await t.req(as(rm.RM2 ?? ''), 'POST', `/v1/overrides/${filedInBook.id}/withdraw`, {}));
    assert.deepEqual([withdrawn.status, withdrawn.decidedBy], ['withdrawn', 'staff:RM2']);

    // An unowned key files for the whole bank: no RM may withdraw what it filed.
    await customer('K6', 'RM2');
    const byKey = await ok<Override>(await request('officer', 'K6'), 201);
    const keyRefused = await t.req(as(rm.RM2 ?? ''), 'POST', `/v1/overrides/${byKey.id}/withdraw`, {});
    assert.equal(keyRefused.status, 403);
    assert.doesNotMatch(((await keyRefused.json()) as { detail: string }).detail, /relationship manager/);
  });
});
