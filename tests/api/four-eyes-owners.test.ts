import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, drainJobs, mintStaffToken, type Role } from '@tierkit/api';
import type { StaffHistoryResponse } from '@tierkit/core';
import { putStaffGranted, type Send } from '../support/granted-staff.js';
import { forEachDialect } from '../support/api-fixture.js';
import {
  approvedOverride,
  fourEyesTenant,
  ok,
  problem,
  requestOverride,
  START,
  type FourEyesTenant,
} from '../support/four-eyes-fixture.js';

interface Override {
  id: string;
  status: string;
  contentHash: string;
  requestedBy: string;
  decidedBy: string | null;
}
interface Queue {
  items: { kind: string; id: string; requestedBy: string; requestedByYou: boolean }[];
}
interface AuditPage {
  items: { actor: string; credential: string; route: string; status: number | null; problem: string | null }[];
}

/**
 * Key ownership and four eyes between people: one staff member's keys and token are one person, so
 * none of them may decide what another of them requested; an unowned key is a person of its own.
 */
forEachDialect('four eyes: API keys owned by staff members', (f) => {
  let t: FourEyesTenant;
  /** Alice holds an officer key, an approver key and a staff token; Bob an approver key. */
  const alice = { officer: '', approver: '', token: '' };
  let bob = '';
  const as = (credential: string) => ({ credential });
  const key = async (role: Role, staffId: string, tenantId = t.tenantId) =>
    (await createApiKey(f.db.db, { tenantId, role, label: `${staffId} ${role}`, staffId, now: START })).secret;
  /** Staff as an admin sets them up: a grant of power approved by a second admin (tests/support/granted-staff.ts). */
  const staff = async (id: string, role: Role, scope: 'tenant' | 'book' = 'tenant', tenant: FourEyesTenant = t) => {
    const send: Send = (credential, method, path, body) => tenant.req({ credential }, method, path, body);
    const status = await putStaffGranted(send, tenant.keys.admin, tenant.keys.admin2, id, { name: id, role, scope });
    assert.ok([200, 201, 202].includes(status), `${id}: ${status}`);
  };
  const customer = async (id: string) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
      }),
    );
  };
  const request = (credential: string, id: string) => requestOverride(t, id, {}, as(credential));

  before(async () => {
    t = await fourEyesTenant(f, 'fe-owners', START);
    await staff('ALICE', 'approver');
    await staff('BOB', 'approver');
    alice.officer = await key('officer', 'ALICE');
    alice.approver = await key('approver', 'ALICE');
    alice.token = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'ALICE', ttlSeconds: 900, now: START })).token;
    bob = await key('approver', 'BOB');
  });

  it('an override requested with one of Alice’s keys is refused to her other key and her token, and decided by Bob', async () => {
    await customer('W1');
    const pending = await ok<Override>(await request(alice.officer, 'W1'), 201);
    assert.match(pending.requestedBy, /^key:key_/, 'the record names the credential that acted');
    for (const credential of [alice.approver, alice.token]) {
      await problem(
        await t.req(as(credential), 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }),
        403,
        'four-eyes',
      );
      await problem(
        await t.req(as(credential), 'POST', `/v1/overrides/${pending.id}/reject`, { contentHash: pending.contentHash, note: 'mine' }),
        403,
        'four-eyes',
      );
    }
    const approved = await ok<Override>(
      await t.req(as(bob), 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }),
    );
    assert.equal(approved.status, 'approved');
    const history = await ok<StaffHistoryResponse>(await t.req('viewer', 'GET', '/v1/subjects/W1/history?scheme=retail-tier'));
    assert.equal(history.items[0]?.actor, pending.requestedBy);
    assert.equal(history.items[0]?.approvedBy, approved.decidedBy);
    assert.match(approved.decidedBy ?? '', /^key:key_/);

    // The audit trail says which credential was refused, and still verifies.
    const refused = await ok<AuditPage>(await t.req('admin', 'GET', '/v1/audit?limit=100'));
    assert.ok(
      refused.items.some((r) => r.problem === 'four-eyes' && r.credential === 'staff-token' && r.actor === 'staff:ALICE'),
      'the token’s refusal is recorded as the token’s',
    );
    assert.ok(refused.items.some((r) => r.problem === 'four-eyes' && r.credential === 'key' && r.actor.startsWith('key:')));
    assert.equal((await ok<{ ok: boolean }>(await t.req('admin', 'GET', '/v1/audit/verify'))).ok, true);
  });

  it('requested with Alice’s token, her key cannot decide it; she may withdraw it with either', async () => {
    await customer('W2');
    // Her token has her staff role (approver), enough to request.
    const pending = await ok<Override>(await request(alice.token, 'W2'), 201);
    assert.equal(pending.requestedBy, 'staff:ALICE');
    await problem(
      await t.req(as(alice.approver), 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }),
      403,
      'four-eyes',
    );
    await problem(await t.req(as(bob), 'PATCH', `/v1/overrides/${pending.id}`, { level: 'diamond' }), 403, 'forbidden');
    const edited = await ok<Override>(await t.req(as(alice.officer), 'PATCH', `/v1/overrides/${pending.id}`, { level: 'diamond' }));
    const withdrawn = await ok<Override>(await t.req(as(alice.approver), 'POST', `/v1/overrides/${pending.id}/withdraw`, {}));
    assert.equal(withdrawn.status, 'withdrawn');
    assert.notEqual(edited.contentHash, pending.contentHash);
  });

  it('a level her key’s upload caused is refused to her other key; another person signs it off', async () => {
    await ok(await t.req(as(alice.officer), 'PUT', '/v1/subjects/W3', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req(as(alice.officer), 'PUT', '/v1/subjects/W3/metrics', {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }],
      }),
    );
    const pending = await ok<{ contentHash: string; requestedBy: string }>(
      await t.req('viewer', 'GET', '/v1/subjects/W3/levels/aml-test/approval'),
    );
    for (const credential of [alice.approver, alice.token]) {
      await problem(
        await t.req(as(credential), 'POST', '/v1/subjects/W3/levels/aml-test/approve', { contentHash: pending.contentHash }),
        403,
        'four-eyes',
      );
    }
    await ok(await t.req('approver', 'POST', '/v1/subjects/W3/levels/aml-test/approve', { contentHash: pending.contentHash }));
  });

  it('a policy version Alice submitted with one key is refused to her other key', async () => {
    const draft = await ok<{ version: number }>(await t.req(as(alice.officer), 'POST', '/v1/policies/aml-test/drafts', {}), 201);
    const submitted = await ok<{ contentHash: string }>(
      await t.req(as(alice.officer), 'POST', `/v1/policies/aml-test/versions/${draft.version}/submit`, {}),
    );
    await problem(
      await t.req(as(alice.approver), 'POST', `/v1/policies/aml-test/versions/${draft.version}/approve`, {
        contentHash: submitted.contentHash,
        effectiveFrom: '2026-01-01',
      }),
      403,
      'four-eyes',
    );
    await problem(
      await t.req(as(alice.token), 'POST', `/v1/policies/aml-test/versions/${draft.version}/reject`, { note: 'mine' }),
      403,
      'four-eyes',
    );
    await ok(await t.req(as(bob), 'POST', `/v1/policies/aml-test/versions/${draft.version}/reject`, { note: 'not now' }));
  });

  it('the approvals queue tells each caller what they filed, by person: Alice’s token sees her key’s requests as hers, Bob does not', async () => {
    await customer('WQ1');
    const pending = await ok<Override>(await request(alice.officer, 'WQ1'), 201);
    // A policy version Alice wrote with her key and a colleague submitted: four eyes refuses its authors too.
    const draft = await ok<{ version: number }>(await t.req(as(alice.officer), 'POST', '/v1/policies/aml-test/drafts', {}), 201);
    await ok(await t.req('officer', 'POST', `/v1/policies/aml-test/versions/${draft.version}/submit`, {}));
    const mine = async (credential: string) => {
      const page = await ok<Queue>(await t.req(as(credential), 'GET', '/v1/approvals?limit=100'));
      const flag = (kind: string, id: string) => page.items.find((i) => i.kind === kind && i.id === id)?.requestedByYou;
      return [flag('override', pending.id), flag('policy', `aml-test@${draft.version}`)];
    };
    assert.deepEqual(await mine(alice.token), [true, true], 'her console token');
    assert.deepEqual(await mine(alice.approver), [true, true], 'her other key');
    assert.deepEqual(await mine(bob), [false, false], 'another approver');
    // The override reads say the same: hers to withdraw with any credential, not Bob's.
    const read = async (credential: string) => {
      const one = await ok<Override & { requestedByYou: boolean }>(await t.req(as(credential), 'GET', `/v1/overrides/${pending.id}`));
      const list = await ok<{ items: (Override & { requestedByYou: boolean })[] }>(
        await t.req(as(credential), 'GET', '/v1/overrides?status=pending&limit=100'),
      );
      return [one.requestedByYou, list.items.find((o) => o.id === pending.id)?.requestedByYou];
    };
    assert.deepEqual(await read(alice.token), [true, true]);
    assert.deepEqual(await read(bob), [false, false]);
    // What the flag promises is what four eyes does.
    await problem(
      await t.req(as(alice.token), 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }),
      403,
      'four-eyes',
    );
    await ok(await t.req(as(bob), 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }));
    await ok(await t.req(as(bob), 'POST', `/v1/policies/aml-test/versions/${draft.version}/reject`, { note: 'not now' }));
  });

  it('a level a re-tier job Alice started moved is hers in the queue, with her token and her key; not Bob’s', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/WJ1', { kind: 'customer', displayName: '王芳' }), 201);
    // Someone else loads the data; Alice's token starts the job that moves the level into sign-off.
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.officer}` },
      body: 'subject,metric,period,value\nWJ1,aml_customer_risk,2025-10,95\nWJ1,avg_daily_balance,2025-10,0',
    });
    assert.equal(imported.status, 201, await imported.text());
    const job = await ok<{ id: string }>(
      await t.req(as(alice.token), 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }),
      201,
    );
    await drainJobs({ db: f.db.db, now: () => START });
    const item = async (credential: string) => {
      const page = await ok<Queue>(await t.req(as(credential), 'GET', '/v1/approvals?kind=level&subject=WJ1'));
      const found = page.items.find((i) => i.kind === 'level' && i.id === 'WJ1:aml-test');
      assert.ok(found, JSON.stringify(page.items));
      return found;
    };
    const seen = await item(alice.token);
    assert.equal(seen.requestedBy, `job:${job.id}`, 'the job is the requester');
    assert.equal(seen.requestedByYou, true, 'her token: she started the job');
    assert.equal((await item(alice.approver)).requestedByYou, true, 'a key she owns');
    assert.equal((await item(bob)).requestedByYou, false, 'another approver');
    const pending = await ok<{ contentHash: string }>(await t.req('viewer', 'GET', '/v1/subjects/WJ1/levels/aml-test/approval'));
    await problem(
      await t.req(as(alice.approver), 'POST', '/v1/subjects/WJ1/levels/aml-test/approve', { contentHash: pending.contentHash }),
      403,
      'four-eyes',
    );
    await ok(await t.req(as(bob), 'POST', '/v1/subjects/WJ1/levels/aml-test/approve', { contentHash: pending.contentHash }));
  });

  it('a policy version Alice only submitted (another wrote it) is hers in the queue, and refused to her', async () => {
    const draft = await ok<{ version: number; authors: string[] }>(await t.req('officer', 'POST', '/v1/policies/aml-test/drafts', {}), 201);
    const submitted = await ok<{ contentHash: string; authors: string[]; submittedBy: string }>(
      await t.req(as(alice.token), 'POST', `/v1/policies/aml-test/versions/${draft.version}/submit`, {}),
    );
    assert.equal(submitted.submittedBy, 'staff:ALICE');
    assert.ok(!submitted.authors.includes('staff:ALICE'), `not an author: ${submitted.authors.join(', ')}`);
    const flag = async (credential: string) =>
      (await ok<Queue>(await t.req(as(credential), 'GET', '/v1/approvals?kind=policy&limit=100'))).items.find(
        (i) => i.id === `aml-test@${draft.version}`,
      )?.requestedByYou;
    assert.equal(await flag(alice.token), true, 'the submitter’s token');
    assert.equal(await flag(alice.approver), true, 'a key the submitter owns');
    assert.equal(await flag(bob), false);
    await problem(
      await t.req(as(alice.token), 'POST', `/v1/policies/aml-test/versions/${draft.version}/approve`, {
        contentHash: submitted.contentHash,
        effectiveFrom: '2026-01-01',
      }),
      403,
      'four-eyes',
    );
    await ok(await t.req(as(bob), 'POST', `/v1/policies/aml-test/versions/${draft.version}/reject`, { note: 'not now' }));
  });

  it('write answers say whose the override is: the filer’s on request, edit and withdraw; not the approver’s', async () => {
    await customer('WW1');
    type Mine = Override & { requestedByYou: boolean };
    // Filed with her officer key, edited with her token, withdrawn with her approver key: hers each time.
    const filed = await ok<Mine>(await request(alice.officer, 'WW1'), 201);
    assert.equal(filed.requestedByYou, true, 'POST');
    const edited = await ok<Mine>(await t.req(as(alice.token), 'PATCH', `/v1/overrides/${filed.id}`, { level: 'diamond' }));
    assert.equal(edited.requestedByYou, true, 'PATCH');
    const withdrawn = await ok<Mine>(await t.req(as(alice.approver), 'POST', `/v1/overrides/${filed.id}/withdraw`, {}));
    assert.equal(withdrawn.requestedByYou, true, 'withdraw');
    // Filed again, approved by Bob: his answer says it is not his.
    const approved = await approvedOverride<Mine>(t, 'WW1', {}, { by: as(alice.officer), approvedBy: as(bob) });
    assert.equal(approved.requestedByYou, false, 'approve');
  });

  it('a relationship manager edits and withdraws what they requested for their book; another RM cannot even see it', async () => {
    await staff('RM1', 'officer', 'book');
    await staff('RM2', 'officer', 'book');
    await customer('W6');
    await ok(await t.req('officer', 'PUT', '/v1/subjects/W6/manager', { manager: 'RM1' }));
    const token = async (staffId: string) =>
      (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId, ttlSeconds: 900, now: START })).token;
    const rm1 = await token('RM1');
    const rm2 = await token('RM2');
    const pending = await ok<Override>(await request(rm1, 'W6'), 201);
    await problem(await t.req(as(rm2), 'PATCH', `/v1/overrides/${pending.id}`, { level: 'diamond' }), 404, 'not-found');
    await problem(await t.req(as(rm2), 'POST', `/v1/overrides/${pending.id}/withdraw`, {}), 404, 'not-found');
    // A tenant-wide officer who is not the requester is told why.
    await problem(await t.req('officer2', 'PATCH', `/v1/overrides/${pending.id}`, { level: 'diamond' }), 403, 'forbidden');
    const edited = await ok<Override>(await t.req(as(rm1), 'PATCH', `/v1/overrides/${pending.id}`, { level: 'diamond' }));
    assert.notEqual(edited.contentHash, pending.contentHash);
    const withdrawn = await ok<Override>(await t.req(as(rm1), 'POST', `/v1/overrides/${pending.id}/withdraw`, { note: 'client declined' }));
    assert.equal(withdrawn.status, 'withdrawn');
  });

  it('unowned keys stay people of their own: two of them may request and approve', async () => {
    await customer('W4');
    await approvedOverride(t, 'W4', {}, { by: as(t.keys.officer), approvedBy: as(t.keys.approver) });
  });

  it('a key’s owner must be a staff member of its tenant, whose role is not below the key’s', async () => {
    await assert.rejects(key('approver', 'NOBODY'), /no staff member "NOBODY" in tenant "fe-owners"/);
    // Another tenant's staff member is no staff member of this one.
    const other = await fourEyesTenant(f, 'fe-owners-other', START);
    await staff('CAROL', 'admin', 'tenant', other);
    await assert.rejects(key('approver', 'CAROL'), /no staff member "CAROL"/);
    await staff('DAVE', 'officer');
    await assert.rejects(key('admin', 'DAVE'), /has the officer role; their key may not have the higher role admin/);
    const listed = (await import('@tierkit/api')).listKeys;
    const keys = await listed(f.db.db, t.tenantId);
    assert.ok(
      keys.every((k) => k.staffId !== 'NOBODY' && k.staffId !== 'CAROL' && k.label !== 'DAVE admin'),
      'nothing was stored',
    );
    assert.equal(keys.filter((k) => k.staffId === 'ALICE').length, 2);
  });

  it('an owner demoted or made book-scoped holds their keys to it at once; an owner gone leaves their keys acting for nobody', async () => {
    await staff('ERIN', 'approver');
    const erin = await key('approver', 'ERIN');
    await customer('W5');
    const pending = await ok<Override>(await request(t.keys.officer, 'W5'), 201);
    const session = await ok<{ role: string; staff: { id: string } | null }>(await t.req(as(erin), 'GET', '/v1/session'));
    assert.deepEqual([session.role, session.staff?.id], ['approver', 'ERIN']);

    await staff('ERIN', 'officer');
    await problem(
      await t.req(as(erin), 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }),
      403,
      'forbidden',
    );
    // Made book-scoped, their keys reach only their own book: W5 is not in it, so the queue holds nothing
    // and the request is theirs to decide no longer (told as of an id nobody has).
    await staff('ERIN', 'approver', 'book');
    assert.deepEqual((await ok<{ items: unknown[] }>(await t.req(as(erin), 'GET', '/v1/approvals'))).items, []);
    await problem(await t.req(as(erin), 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }), 404);

    // Nothing in the API removes a staff member; a bank's own tooling may delete the row.
    await f.db.db.deleteFrom('staff').where('tenant_id', '=', t.tenantId).where('id', '=', 'ERIN').execute();
    try {
      // Past the seconds a verified credential is trusted for (another process deleted the row).
      t.setClock(new Date(START.getTime() + 60_000));
      const res = await t.req(as(erin), 'GET', '/v1/session');
      const body = (await res.json()) as { type: string; detail: string };
      assert.equal(res.status, 401, JSON.stringify(body));
      assert.equal(body.type, 'https://tierkit.dev/problems/invalid-token');
      assert.match(body.detail, /no longer on this tenant's staff/);
    } finally {
      t.setClock(START);
    }
  });
});
