import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, mintStaffToken, provisionTenant } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { readersTestPack } from '../support/test-pack.js';

/*
 * A scheme's policy is its levels' readers' only (docs/permissions.md, "Who reads a scheme's levels"):
 * an analyst read the AML grade's whole document — its thresholds — at `GET /v1/policies/aml-test/versions`,
 * though no read of a customer's AML grade was theirs. And the approvals queue showed a viewer and an
 * analyst policy versions they can never decide.
 */

const TENANT = 'bank-pr';

type Who = 'analyst' | 'officer' | 'approver' | 'admin' | 'viewerToken';

interface Problem {
  errors?: { code: string; path: string }[];
}

forEachDialect('policies: a scheme’s policy is its readers’ only', (f) => {
  const keys = {} as Record<Who, string>;
  const as = (who: Who) => client(f, () => keys[who]);
  const refusedUnreadable = async (res: Response, what: string, path = 'params.scheme') => {
    const body = await res.text();
    assert.equal(res.status, 403, `${what}: ${body}`);
    assert.deepEqual(
      ((JSON.parse(body) as Problem).errors ?? []).map((e) => [e.code, e.path]),
      [['scheme_not_readable', path]],
      what,
    );
  };
  const aml = () => {
    const def = readersTestPack().schemes.find((s) => s.key === 'aml-test');
    assert.ok(def);
    return def;
  };
  let amlDraft = 0;

  before(async () => {
    const db = f.db.db;
    await provisionTenant(db, { id: TENANT, name: TENANT, pack: readersTestPack(), now: NOW });
    for (const role of ['analyst', 'officer', 'approver', 'admin'] as const)
      keys[role] = (await createApiKey(db, { tenantId: TENANT, role, label: role, now: NOW })).secret;
    await upsertStaff(db, TENANT, { id: 'V1', name: '只读', role: 'viewer', scope: 'tenant' }, NOW.toISOString());
    keys.viewerToken = (await mintStaffToken(db, { tenantId: TENANT, staffId: 'V1', now: NOW })).token;
    const draft = await as('officer').post('/v1/policies/aml-test/drafts', {});
    assert.equal(draft.status, 201, await draft.clone().text());
    amlDraft = ((await draft.json()) as { version: number }).version;
    const sub = await as('officer').post(`/v1/policies/aml-test/versions/${amlDraft}/submit`, {});
    assert.equal(sub.status, 200, await sub.text());
  });

  it('an AML reader reads the AML policy: list, versions, a version, its diff', async () => {
    const list = (await (await as('officer').get('/v1/policies')).json()) as { items: { scheme: string }[] };
    assert.ok(list.items.some((i) => i.scheme === 'aml-test'));
    for (const path of [
      '/v1/policies/aml-test/versions',
      `/v1/policies/aml-test/versions/${amlDraft}`,
      `/v1/policies/aml-test/versions/${amlDraft}/diff`,
      `/v1/policies/aml-test/versions/${amlDraft}/simulations`,
    ]) {
      const res = await as('officer').get(path);
      assert.equal(res.status, 200, `${path}: ${await res.text()}`);
    }
  });

  it('an analyst key does not: the list leaves the scheme out, every read naming it is a 403', async () => {
    const res = await as('analyst').get('/v1/policies');
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.doesNotMatch(body, /aml-test/);
    assert.ok(
      (JSON.parse(body) as { items: { scheme: string }[] }).items.some((i) => i.scheme === 'retail-tier'),
      body,
    );
    for (const path of [
      '/v1/policies/aml-test/versions',
      `/v1/policies/aml-test/versions/${amlDraft}`,
      '/v1/policies/aml-test/versions/1',
      `/v1/policies/aml-test/versions/${amlDraft}/diff`,
      `/v1/policies/aml-test/versions/${amlDraft}/simulations`,
    ])
      await refusedUnreadable(await as('analyst').get(path), path);
    await refusedUnreadable(await as('analyst').post(`/v1/policies/aml-test/versions/${amlDraft}/simulate`, {}), 'simulate');
    // The retail grade stays theirs.
    assert.equal((await as('analyst').get('/v1/policies/retail-tier/versions')).status, 200);
  });

  it('a scheme not in force goes by its stored versions: writes of it are refused and change nothing', async () => {
    // A new grade read by approvers and admins only, drafted by an admin: not in force, it has no
    // readers but its version's.
    const document = { ...aml(), key: 'aml-new', readers: { roles: ['approver', 'admin'] } };
    const made = await as('admin').post('/v1/policies/aml-new/drafts', { document });
    assert.equal(made.status, 201, await made.clone().text());
    const { version } = (await made.json()) as { version: number };
    const before = await (await as('admin').get(`/v1/policies/aml-new/versions/${version}`)).text();

    for (const who of ['officer', 'analyst'] as const) {
      assert.doesNotMatch(await (await as(who).get('/v1/policies')).text(), /aml-new/, who);
      await refusedUnreadable(await as(who).get('/v1/policies/aml-new/versions'), `${who} versions`);
      await refusedUnreadable(await as(who).get(`/v1/policies/aml-new/versions/${version}`), `${who} version`);
    }
    const officer = as('officer');
    await refusedUnreadable(await officer.put(`/v1/policies/aml-new/versions/${version}`, { document: aml() }), 'put');
    await refusedUnreadable(await officer.post(`/v1/policies/aml-new/versions/${version}/submit`, {}), 'submit');
    await refusedUnreadable(await officer.post('/v1/policies/aml-new/drafts', { from: version }), 'draft from');
    assert.equal(await (await as('admin').get(`/v1/policies/aml-new/versions/${version}`)).text(), before, 'nothing changed');
    const all = (await (await as('admin').get('/v1/policies/aml-new/versions')).json()) as { items: unknown[] };
    assert.equal(all.items.length, 1, 'no draft made');
    // Its simulation, queued by a reader, is a job the others do not see: by id, in the list.
    const queued = await as('admin').post(`/v1/policies/aml-new/versions/${version}/simulations`, {});
    assert.equal(queued.status, 202, await queued.clone().text());
    const { id } = (await queued.json()) as { id: string };
    assert.equal((await as('admin').get(`/v1/jobs/${id}`)).status, 200);
    for (const who of ['officer', 'analyst'] as const) {
      assert.equal((await as(who).get(`/v1/jobs/${id}`)).status, 404, who);
      assert.equal((await as(who).get(`/v1/jobs/${id}/affected`)).status, 404, who);
      assert.doesNotMatch(await (await as(who).get('/v1/jobs?limit=100')).text(), new RegExp(id), who);
    }
    // Nor stops it: an officer may cancel jobs, but not one they may not read (the 404 the read gives).
    assert.equal((await as('officer').post(`/v1/jobs/${id}/cancel`, {})).status, 404);
    const job = (await (await as('admin').get(`/v1/jobs/${id}`)).json()) as { status: string };
    assert.notEqual(job.status, 'cancelled');
  });

  it('nobody narrows readers past the roles that decide the scheme: the tenant would be locked out of its AML policy', async () => {
    // Approved, `officer` alone would read it: no approver or admin could decide its next version, not
    // even one widening readers back.
    const document = { ...aml(), readers: { roles: ['officer'] } };
    const listed = async () =>
      ((await (await as('officer').get('/v1/policies/aml-test/versions')).json()) as { items: unknown[] }).items.length;
    const count = await listed();
    const res = await as('officer').post('/v1/policies/aml-test/drafts', { document });
    const body = await res.text();
    assert.equal(res.status, 422, body);
    assert.deepEqual(
      ((JSON.parse(body) as Problem).errors ?? []).map((e) => [e.code, e.path]),
      [['readers_without_decider', 'document.readers.roles']],
    );
    assert.equal(await listed(), count, 'nothing stored');
    // Readers that keep a decider are the bank's to choose.
    const kept = await as('officer').post('/v1/policies/aml-test/drafts', {
      document: { ...aml(), readers: { roles: ['officer', 'admin'] } },
    });
    assert.equal(kept.status, 201, await kept.text());
  });

  it('the metric catalogue does not tell an analyst which metrics the AML grade reads', async () => {
    const usedBy = async (who: Who) =>
      ((await (await as(who).get('/v1/metrics')).json()) as { items: { usedBy: string[] }[] }).items.flatMap((m) => m.usedBy);
    assert.ok((await usedBy('officer')).includes('aml-test'));
    const analyst = await usedBy('analyst');
    assert.ok(!analyst.includes('aml-test'), analyst.join());
    assert.ok(analyst.includes('retail-tier'));
  });

  it('nobody writes a version they could not read: an officer’s document leaving officers out is refused, nothing stored', async () => {
    const document = { ...aml(), key: 'aml-blind', readers: { roles: ['approver', 'admin'] } };
    await refusedUnreadable(await as('officer').post('/v1/policies/aml-blind/drafts', { document }), 'draft', 'document.readers');
    const all = (await (await as('admin').get('/v1/policies/aml-blind/versions')).json()) as { items: unknown[] };
    assert.deepEqual(all.items, []);
    // Nor by copying one: an admin's draft read by approvers and admins only, copied by an officer.
    const narrow = await as('admin').post('/v1/policies/aml-test/drafts', {
      document: { ...aml(), readers: { roles: ['approver', 'admin'] } },
    });
    assert.equal(narrow.status, 201, await narrow.clone().text());
    const { version } = (await narrow.json()) as { version: number };
    const count = async () =>
      ((await (await as('admin').get('/v1/policies/aml-test/versions?limit=100')).json()) as { items: unknown[] }).items.length;
    const before = await count();
    await refusedUnreadable(await as('officer').post('/v1/policies/aml-test/drafts', { from: version }), 'copy', 'document.readers');
    assert.equal(await count(), before, 'no draft made');
  });

  it('the approvals queue shows a policy version only to who may decide it and to its makers', async () => {
    const ids = async (who: Who) => {
      const res = await as(who).get('/v1/approvals?kind=policy');
      assert.equal(res.status, 200, `${who}: ${await res.clone().text()}`);
      return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
    };
    // The retail version: readable by all, so only the deciding rule hides it.
    const draft = await as('officer').post('/v1/policies/retail-tier/drafts', {});
    const { version } = (await draft.json()) as { version: number };
    assert.equal((await as('officer').post(`/v1/policies/retail-tier/versions/${version}/submit`, {})).status, 200);
    const retail = `retail-tier@${version}`;
    assert.ok((await ids('approver')).includes(retail));
    assert.ok((await ids('officer')).includes(retail), 'its maker follows it');
    for (const who of ['viewerToken', 'analyst'] as const) {
      assert.deepEqual(await ids(who), [], who);
      // Nor a scheme filter that tells one waits.
      const named = await as(who).get('/v1/approvals?scheme=retail-tier&kind=policy');
      assert.deepEqual(((await named.json()) as { items: unknown[] }).items, [], who);
    }
  });
});
