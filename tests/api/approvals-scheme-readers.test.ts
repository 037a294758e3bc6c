import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, mintStaffToken, provisionTenant, type Role } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { readersTestPack } from '../support/test-pack.js';

/*
 * The approvals queue holds, of each kind, only what is about a scheme the caller may read (the
 * scheme's `readers`, docs/permissions.md "Who reads a scheme's levels"). Policy versions were left out
 * of that rule: a viewer saw the AML grade's new version waiting, with its summary, and a page cut at
 * it — while an AML override request beside it was hidden as it should be.
 */

const TENANT = 'bank-qr';

interface Page {
  items: { kind: string; id: string; scheme: string; summary: string }[];
  nextCursor: string | null;
}

forEachDialect('approvals queue: no kind shows a scheme the caller may not read', (f) => {
  const keys = {} as Record<Role | 'viewerToken' | 'rmToken', string>;
  const get = (who: keyof typeof keys, path: string) => f.app.request(path, { headers: { Authorization: `Bearer ${keys[who]}` } });
  const page = async (who: keyof typeof keys, path: string): Promise<Page> => {
    const res = await get(who, path);
    assert.equal(res.status, 200, `${who} ${path}: ${await res.clone().text()}`);
    return (await res.json()) as Page;
  };
  const versions: Record<string, number> = {};

  before(async () => {
    const db = f.db.db;
    await provisionTenant(db, { id: TENANT, name: TENANT, pack: readersTestPack(), now: NOW });
    for (const role of ['viewer', 'analyst', 'officer', 'approver', 'admin'] as const)
      keys[role] = (await createApiKey(db, { tenantId: TENANT, role, label: role, now: NOW })).secret;
    const at = NOW.toISOString();
    await upsertStaff(db, TENANT, { id: 'V1', name: '只读', role: 'viewer', scope: 'tenant' }, at);
    await upsertStaff(db, TENANT, { id: 'RM1', name: '客户经理', role: 'officer', scope: 'book' }, at);
    keys.viewerToken = (await mintStaffToken(db, { tenantId: TENANT, staffId: 'V1', now: NOW })).token;
    keys.rmToken = (await mintStaffToken(db, { tenantId: TENANT, staffId: 'RM1', now: NOW })).token;
    const officer = client(f, () => keys.officer);
    await client(f, () => keys.admin).customer('Q1');
    // The AML version first: a page of one cut at the oldest item would cut at it.
    for (const scheme of ['aml-test', 'retail-tier']) {
      const draft = await officer.post(`/v1/policies/${scheme}/drafts`, {});
      assert.equal(draft.status, 201, await draft.clone().text());
      const { version } = (await draft.json()) as { version: number };
      const sub = await officer.post(`/v1/policies/${scheme}/versions/${version}/submit`, {});
      assert.equal(sub.status, 200, await sub.text());
      versions[scheme] = version;
    }
    const filed = await officer.post('/v1/subjects/Q1/overrides', {
      scheme: 'aml-test',
      level: 'high',
      mode: 'fixed',
      reason: '可疑交易，调高评级',
      expiresAt: null,
    });
    assert.equal(filed.status, 201, await filed.text());
  });

  it('its readers see the AML version and override waiting', async () => {
    for (const who of ['approver', 'officer'] as const) {
      const { items } = await page(who, '/v1/approvals');
      assert.ok(
        items.some((i) => i.kind === 'policy' && i.id === `aml-test@${versions['aml-test']}`),
        `${who}: ${JSON.stringify(items)}`,
      );
      assert.ok(
        items.some((i) => i.kind === 'override' && i.scheme === 'aml-test'),
        who,
      );
    }
  });

  // Nor the retail version: a policy version is in the queue of who may decide it and of its makers only
  // (approvals-queue.ts, deciderOrAsker) — policy-readers.test.ts.
  it('a viewer key, a viewer’s staff token and an analyst see neither, nor a page cut at them', async () => {
    for (const who of ['viewer', 'viewerToken', 'analyst'] as const) {
      for (const locale of ['zh-CN', 'en']) {
        const res = await get(who, `/v1/approvals?locale=${locale}`);
        assert.equal(res.status, 200, who);
        const body = await res.text();
        assert.doesNotMatch(body, /aml-test|AML|反洗钱/, `${who} ${locale}: ${body}`);
        assert.deepEqual(
          ((JSON.parse(body) as Page).items ?? []).map((i) => i.id),
          [],
          who,
        );
      }
      // A page of one is empty and the end: no cursor past a hidden item, no count of it.
      for (const path of ['/v1/approvals?limit=1', '/v1/approvals?kind=policy&limit=1', '/v1/approvals?mine=false&limit=1']) {
        const p = await page(who, path);
        assert.deepEqual(
          p.items.map((i) => i.id),
          [],
          `${who} ${path}`,
        );
        assert.equal(p.nextCursor, null, `${who} ${path}`);
      }
      // Naming the grade is the refusal every read gives, never an empty queue that tells by absence.
      const named = await get(who, '/v1/approvals?kind=policy&scheme=aml-test');
      assert.equal(named.status, 403, who);
      assert.deepEqual(
        ((await named.json()) as { errors: { code: string }[] }).errors.map((e) => e.code),
        ['scheme_not_readable'],
      );
    }
  });

  it('a new scheme’s first version, restricted by its own readers, waits for them only; naming it is the 400 of a scheme nobody has', async () => {
    // Not in force yet, it has no readers in force: its version's say who reads it.
    const aml = readersTestPack().schemes.find((s) => s.key === 'aml-test');
    const officer = client(f, () => keys.officer);
    const draft = await officer.post('/v1/policies/aml-two/drafts', { document: { ...aml, key: 'aml-two' } });
    assert.equal(draft.status, 201, await draft.clone().text());
    const { version } = (await draft.json()) as { version: number };
    const sub = await officer.post(`/v1/policies/aml-two/versions/${version}/submit`, {});
    assert.equal(sub.status, 200, await sub.text());
    assert.deepEqual(
      (await page('approver', '/v1/approvals?scheme=aml-two')).items.map((i) => i.id),
      [`aml-two@${version}`],
    );
    for (const who of ['viewer', 'viewerToken', 'analyst'] as const) {
      assert.doesNotMatch(await (await get(who, '/v1/approvals')).text(), /aml-two/, who);
      for (const scheme of ['aml-two', 'no-such-scheme']) {
        const res = await get(who, `/v1/approvals?scheme=${scheme}`);
        assert.equal(res.status, 400, `${who} ${scheme}`);
        assert.deepEqual(
          ((await res.json()) as { errors: { code: string }[] }).errors.map((e) => e.code),
          ['unknown_scheme'],
        );
      }
    }
  });

  it('a relationship manager’s staff token is refused the queue itself', async () => {
    assert.equal((await get('rmToken', '/v1/approvals')).status, 403);
  });
});
