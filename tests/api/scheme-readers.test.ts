import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, mintStaffToken, provisionTenant, type Role } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import type { AuditRecord } from '@tierkit/core';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { readersTestPack } from '../support/test-pack.js';

/*
 * Who reads a customer's AML grade (docs/permissions.md, "Who reads a scheme's levels"): a scheme with
 * `readers` is absent for the rest of staff from every read of several schemes, a read naming it is a
 * 403 `scheme_not_readable`, and each read of its levels by its readers is one audit record. The tenant
 * `bank-r` gives the suite's AML scheme the default pack's readers; `bank-a` (the fixture's) gives none.
 */

interface Tiers {
  assignments: { scheme: string; level: string }[];
}

forEachDialect('who reads an AML grade', (f) => {
  const keys = {} as Record<Role | 'rmOfficer' | 'viewerToken' | 'officerToken', string>;
  const as = (who: keyof typeof keys) => client(f, () => keys[who]);
  const get = (who: keyof typeof keys, path: string, requestId?: string) =>
    f.app.request(path, { headers: { Authorization: `Bearer ${keys[who]}`, ...(requestId ? { 'X-Request-Id': requestId } : {}) } });
  const trail = async (): Promise<AuditRecord[]> => {
    const res = await get('admin', '/v1/audit?limit=100');
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { items: AuditRecord[] }).items;
  };
  const restricted = async (requestId: string) =>
    (await trail()).filter((r) => r.requestId === requestId && (r.detail as { restrictedRead?: unknown } | null)?.restrictedRead);
  const refusal = async (res: Response) => {
    assert.equal(res.status, 403, await res.clone().text());
    assert.ok(((await res.clone().json()) as { errors?: unknown }).errors, await res.clone().text());
    return ((await res.json()) as { errors: { code: string; params: unknown }[] }).errors.map((e) => [e.code, e.params]);
  };

  it('setup: bank-r with AML readers, a high-risk and a low-risk customer, staff of each kind', async () => {
    await provisionTenant(f.db.db, { id: 'bank-r', name: 'bank-r', pack: readersTestPack(), now: NOW });
    for (const role of ['viewer', 'analyst', 'officer', 'approver', 'admin'] as const)
      keys[role] = (await createApiKey(f.db.db, { tenantId: 'bank-r', role, label: role, now: NOW })).secret;
    const at = NOW.toISOString();
    await upsertStaff(f.db.db, 'bank-r', { id: 'V1', name: '只读', role: 'viewer', scope: 'tenant' }, at);
    await upsertStaff(f.db.db, 'bank-r', { id: 'C1', name: '合规', role: 'officer', scope: 'tenant' }, at);
    await upsertStaff(f.db.db, 'bank-r', { id: 'RM1', name: '客户经理', role: 'officer', scope: 'book' }, at);
    keys.viewerToken = (await mintStaffToken(f.db.db, { tenantId: 'bank-r', staffId: 'V1', now: NOW })).token;
    keys.officerToken = (await mintStaffToken(f.db.db, { tenantId: 'bank-r', staffId: 'C1', now: NOW })).token;
    keys.rmOfficer = (await mintStaffToken(f.db.db, { tenantId: 'bank-r', staffId: 'RM1', now: NOW })).token;
    const admin = as('admin');
    for (const [id, risk] of [
      ['R1', 90],
      ['R2', 10],
    ] as const) {
      await admin.customer(id);
      const res = await admin.put(`/v1/subjects/${id}/metrics`, {
        metrics: [
          { metric: 'avg_daily_balance', period: '2025-10', value: 6_000_000 },
          { metric: 'aml_customer_risk', period: '2025-10', value: risk },
        ],
      });
      assert.equal(res.status, 200, await res.text());
    }
    assert.equal((await admin.put('/v1/subjects/R1/manager', { manager: 'RM1' })).status, 200);
    assert.equal((await admin.put('/v1/subjects/R2/manager', { manager: 'RM1' })).status, 200);
  });

  it('a viewer key, a viewer’s staff token, an analyst and a relationship manager do not see it; their reads keep working', async () => {
    for (const who of ['viewer', 'viewerToken', 'analyst', 'rmOfficer'] as const) {
      const tiers = await get(who, '/v1/subjects/R1/tiers');
      assert.equal(tiers.status, 200, who);
      const schemes = ((await tiers.json()) as Tiers).assignments.map((a) => a.scheme);
      assert.ok(
        schemes.includes('retail-tier') && !schemes.includes('aml-test') && !schemes.includes('risk-value-test'),
        `${who}: ${schemes}`,
      );
      const history = await (await get(who, '/v1/subjects/R1/history')).text();
      assert.doesNotMatch(history, /aml-test/, who);
      const ents = await (await get(who, '/v1/subjects/R1/entitlements')).text();
      assert.doesNotMatch(ents, /aml-test|edd|高风险/, who);
      const list = await (await get(who, '/v1/schemes')).text();
      assert.doesNotMatch(list, /"aml-test"/, who);
    }
    // Nothing of theirs was recorded as a restricted read: they read none.
    assert.equal((await trail()).filter((r) => (r.detail as { restrictedRead?: unknown } | null)?.restrictedRead).length, 0);
  });

  it('naming it is a 403 scheme_not_readable, never an empty answer: tiers, history, lists, levelOf, matrix, analytics, approvals, the scheme', async () => {
    const notReadable = [['scheme_not_readable', { scheme: 'aml-test' }]];
    for (const who of ['viewer', 'viewerToken', 'rmOfficer'] as const) {
      for (const path of [
        '/v1/subjects/R1/tiers?scheme=aml-test',
        '/v1/subjects/R1/history?scheme=aml-test',
        '/v1/subjects?scheme=aml-test&level=high',
        '/v1/subjects?levelOf=aml-test',
        ...(who === 'rmOfficer' ? [] : ['/v1/approvals?scheme=aml-test']),
      ])
        assert.deepEqual(await refusal(await get(who, path)), notReadable, `${who} ${path}`);
    }
    for (const path of ['/v1/schemes/aml-test', '/v1/matrix/risk-value-test'])
      assert.deepEqual(await refusal(await get('viewer', path)), notReadable, path);
    assert.deepEqual(
      await refusal(await get('analyst', '/v1/analytics/distribution?scheme=aml-test&from=2025-09&to=2025-10')),
      notReadable,
    );
    // A scheme nobody has is still the 400 it was: the refusal names only schemes that exist.
    assert.equal((await get('viewer', '/v1/subjects?scheme=nope&level=x')).status, 400);
  });

  it('an officer (key and token), an approver and an admin read it, each read audited once with the customers and the scheme', async () => {
    for (const [who, rid] of [
      ['officer', 'rd-off'],
      ['officerToken', 'rd-tok'],
      ['approver', 'rd-apr'],
      ['admin', 'rd-adm'],
    ] as const) {
      const res = await get(who, '/v1/subjects/R1/tiers', rid);
      assert.equal(res.status, 200, who);
      const aml = ((await res.json()) as Tiers).assignments.find((a) => a.scheme === 'aml-test');
      assert.equal(aml?.level, 'high', who);
      const records = await restricted(rid);
      assert.equal(records.length, 1, who);
      assert.deepEqual(records[0]?.detail, { restrictedRead: { schemes: ['aml-test'], subjects: ['R1'], count: 1 } });
      assert.equal(records[0]?.route, '/v1/subjects/{id}/tiers');
    }
    const [tok] = await restricted('rd-tok');
    assert.deepEqual([tok?.actor, tok?.credential], ['staff:C1', 'staff-token']);
    // A list by the grade names the page's customers, in one record.
    const list = await get('officer', '/v1/subjects?levelOf=aml-test', 'rd-list');
    assert.equal(list.status, 200);
    const [rec] = await restricted('rd-list');
    assert.deepEqual(rec?.detail, { restrictedRead: { schemes: ['aml-test'], subjects: ['R1', 'R2'], count: 2 } });
    // Asked for the value tier only, the read shows no grade and records none.
    assert.equal((await get('officer', '/v1/subjects/R1/tiers?scheme=retail-tier', 'rd-tier')).status, 200);
    assert.deepEqual(await restricted('rd-tier'), []);
  });

  it('the approvals queue and the overdue reviews: the AML sign-off and review are the readers’ only', async () => {
    const schemesIn = async (who: keyof typeof keys, path: string) => {
      const res = await get(who, path);
      assert.equal(res.status, 200, `${who} ${path}: ${await res.clone().text()}`);
      return ((await res.json()) as { items: { scheme: string }[] }).items.map((i) => i.scheme);
    };
    assert.ok((await schemesIn('approver', '/v1/approvals')).includes('aml-test'), 'R1’s 高 waits for a sign-off');
    for (const who of ['viewer', 'viewerToken'] as const) {
      assert.ok(!(await schemesIn(who, '/v1/approvals')).includes('aml-test'), who);
      assert.ok(!(await schemesIn(who, '/v1/reviews/overdue')).includes('aml-test'), who);
      assert.deepEqual(await refusal(await get(who, '/v1/reviews/overdue?scheme=aml-test')), [
        ['scheme_not_readable', { scheme: 'aml-test' }],
      ]);
    }
  });

  it('override requests of the grade are its readers’ only: absent from a viewer’s lists, a 404 by id, 403 by name; an officer’s read recorded', async () => {
    const filed = await as('officer').post('/v1/subjects/R2/overrides', {
      scheme: 'aml-test',
      level: 'high',
      mode: 'fixed',
      reason: '可疑交易，调高评级',
      expiresAt: null,
    });
    assert.equal(filed.status, 201, await filed.clone().text());
    const { id } = (await filed.json()) as { id: string };
    for (const who of ['viewer', 'viewerToken', 'analyst', 'rmOfficer'] as const) {
      for (const path of ['/v1/overrides', '/v1/subjects/R2/overrides', '/v1/overrides?status=pending']) {
        const res = await get(who, path);
        assert.equal(res.status, 200, `${who} ${path}`);
        assert.doesNotMatch(await res.text(), /aml-test|可疑交易/, `${who} ${path}`);
      }
      assert.equal((await get(who, `/v1/overrides/${id}`)).status, 404, `${who} by id`);
      assert.deepEqual(
        await refusal(await get(who, '/v1/overrides?scheme=aml-test')),
        [['scheme_not_readable', { scheme: 'aml-test' }]],
        who,
      );
    }
    const listed = await get('officer', '/v1/subjects/R2/overrides', 'rd-ovr');
    assert.match(await listed.text(), /aml-test/);
    assert.deepEqual((await restricted('rd-ovr'))[0]?.detail, { restrictedRead: { schemes: ['aml-test'], subjects: ['R2'], count: 1 } });
    assert.equal((await get('officer', `/v1/overrides/${id}`, 'rd-ovr1')).status, 200);
    assert.deepEqual((await restricted('rd-ovr1'))[0]?.detail, { restrictedRead: { schemes: ['aml-test'], subjects: ['R2'], count: 1 } });
    // Withdrawn again, so the queue tests below see only the sign-off.
    assert.equal((await as('officer').post(`/v1/overrides/${id}/withdraw`, {})).status, 200);
  });

  it('a pending sign-off of the grade is not read by name by those who may not read it', async () => {
    for (const who of ['viewer', 'viewerToken', 'rmOfficer'] as const)
      assert.deepEqual(
        await refusal(await get(who, '/v1/subjects/R1/levels/aml-test/approval')),
        [['scheme_not_readable', { scheme: 'aml-test' }]],
        who,
      );
    const res = await get('approver', '/v1/subjects/R1/levels/aml-test/approval', 'rd-sign');
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual((await restricted('rd-sign'))[0]?.detail, { restrictedRead: { schemes: ['aml-test'], subjects: ['R1'], count: 1 } });
  });

  it('a band read from the grade keeps its level for everyone, but not the rule that names the grade (map.aml-test.high: AML 高 → 高)', async () => {
    for (const who of ['viewer', 'viewerToken', 'rmOfficer'] as const) {
      const res = await get(who, '/v1/subjects/R1/tiers?scheme=band-test');
      assert.equal(res.status, 200, who);
      const [band] = (
        (await res.json()) as { assignments: { level: string; explanation: { decidedBy: { id: string; label: { en: string } } } }[] }
      ).assignments;
      assert.equal(band?.level, 'high', who);
      // Nor the grade's level in `levelsRead` (spliced as stored before: the view's cut never ran on /tiers).
      assert.doesNotMatch(JSON.stringify(band), /aml-test/, who);
      assert.deepEqual(
        [band?.explanation.decidedBy.id, band?.explanation.decidedBy.label.en],
        ['map', 'read from a grade you may not read'],
        who,
      );
      const history = await (await get(who, '/v1/subjects/R1/history?scheme=band-test')).text();
      assert.match(history, /band-test/, who);
      assert.doesNotMatch(history, /map\.(aml-test\.)?high|aml-test/, who);
    }
    // Its readers read the rule: the grade it was read from.
    const res = await get('officer', '/v1/subjects/R1/tiers?scheme=band-test');
    assert.match(await res.text(), /"id":"map\.aml-test\.high"/);
  });

  it('a simulation of the grade names customers with it: the readers’ only — an analyst is refused it, and its job is a 404 to them', async () => {
    const notReadable = [['scheme_not_readable', { scheme: 'aml-test' }]];
    assert.deepEqual(await refusal(await as('analyst').post('/v1/policies/aml-test/versions/1/simulate', {})), notReadable);
    assert.deepEqual(await refusal(await as('analyst').post('/v1/policies/aml-test/versions/1/simulations', {})), notReadable);
    assert.deepEqual(await refusal(await get('analyst', '/v1/policies/aml-test/versions/1/simulations')), notReadable);
    const sync = await as('officer').post('/v1/policies/aml-test/versions/1/simulate', {});
    assert.equal(sync.status, 200, await sync.clone().text());
    const queued = await as('officer').post('/v1/policies/aml-test/versions/1/simulations', {});
    assert.equal(queued.status, 202, await queued.clone().text());
    const { id } = (await queued.json()) as { id: string };
    assert.equal((await get('analyst', `/v1/jobs/${id}`)).status, 404);
    assert.equal((await get('analyst', `/v1/jobs/${id}/events`)).status, 404);
    assert.doesNotMatch(await (await get('analyst', '/v1/jobs')).text(), new RegExp(id));
    assert.equal((await get('officer', `/v1/jobs/${id}`)).status, 200);
    assert.match(await (await get('officer', '/v1/jobs')).text(), new RegExp(id));
    assert.equal((await as('officer').post(`/v1/jobs/${id}/cancel`, {})).status, 200);
  });

  it('an embed token never sees it, and no read of it is recorded', async () => {
    const minted = await as('officer').post('/v1/embed-tokens', { subject: 'R1', ttlSeconds: 600 });
    assert.equal(minted.status, 201);
    const token = ((await minted.json()) as { token: string }).token;
    const res = await f.app.request('/v1/subjects/R1/tiers', { headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': 'rd-emb' } });
    assert.equal(res.status, 200);
    assert.doesNotMatch(await res.text(), /aml-test|"high"|edd/);
    const named = await f.app.request('/v1/subjects/R1/tiers?scheme=aml-test', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(named.status, 404, 'a customer is not told the staff scheme exists');
    assert.deepEqual(await restricted('rd-emb'), []);
  });

  it('another tenant’s pack names no readers: its viewer reads its AML grade, unrecorded', async () => {
    const admin = client(f);
    await admin.customer('T1');
    await admin.put('/v1/subjects/T1/metrics', { metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 90 }] });
    const res = await client(f, () => f.keys.roles.viewer).get('/v1/subjects/T1/tiers?scheme=aml-test');
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Tiers).assignments[0]?.level, 'high');
    // And bank-r's viewer cannot reach bank-a's customer at all.
    assert.equal((await get('viewer', '/v1/subjects/T1/tiers')).status, 404);
  });
});

forEachDialect('the audit trail: one rule whichever credential', (f) => {
  it('an approver’s key and staff token both read it; an officer’s neither', async () => {
    const at = NOW.toISOString();
    await upsertStaff(f.db.db, 'bank-a', { id: 'AP1', name: '审批', role: 'approver', scope: 'tenant' }, at);
    await upsertStaff(f.db.db, 'bank-a', { id: 'OF1', name: '专员', role: 'officer', scope: 'tenant' }, at);
    const token = async (id: string) => (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: id, now: NOW })).token;
    const approverToken = await token('AP1');
    const officerToken = await token('OF1');
    const status = async (credential: string, path: string) =>
      (await f.app.request(path, { headers: { Authorization: `Bearer ${credential}` } })).status;
    for (const path of ['/v1/audit', '/v1/audit/verify']) {
      assert.equal(await status(f.keys.roles.approver, path), 200, `approver key ${path}`);
      assert.equal(await status(approverToken, path), 200, `approver token ${path}`);
      assert.equal(await status(f.keys.roles.officer, path), 403, `officer key ${path}`);
      assert.equal(await status(officerToken, path), 403, `officer token ${path}`);
    }
  });
});
