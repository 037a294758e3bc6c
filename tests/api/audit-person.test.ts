import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, mintStaffToken } from '@tierkit/api';
import { revokeApiKey } from '@tierkit/db';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';
import { putStaffGranted, type Send } from '../support/granted-staff.js';

interface Item {
  seq: number;
  actor: string;
  target: Record<string, string>;
  actorStaff: string | null;
  actorStaffName: string | null;
  actorKeyLabel: string | null;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

/**
 * An examiner asking "everything 王敏 did" (`GET /v1/audit?person=W001`) found only what she did with her
 * staff token: her keys' records (`key:…`) are hers too, a revoked one's included. Each record names its
 * actor for a reader — the person and a key's label — rather than a key id nobody can tell apart.
 */
forEachDialect('the trail by person: their token and every key they own', (f) => {
  let t: FourEyesTenant;
  let auditor = '';
  const keyId: Record<'monthly' | 'spare' | 'other', string> = { monthly: '', spare: '', other: '' };

  before(async () => {
    t = await fourEyesTenant(f, 'audit-person', START);
    const send: Send = (credential, method, path, body) => t.req({ credential }, method, path, body);
    for (const [id, name, role] of [
      ['W001', '王敏', 'officer'],
      ['W002', '李强', 'officer'],
      ['AUD01', '赵审计', 'auditor'],
    ] as const)
      await putStaffGranted(send, t.keys.admin, t.keys.admin2, id, { name, role });
    const key = (label: string, role: 'officer' | 'viewer', staffId: string) =>
      createApiKey(f.db.db, { tenantId: t.tenantId, role, label, staffId, now: START });
    const monthly = await key('月度导入', 'officer', 'W001');
    const spare = await key('备用', 'viewer', 'W001');
    const other = await key('李强的', 'officer', 'W002');
    keyId.monthly = monthly.key.id;
    keyId.spare = spare.key.id;
    keyId.other = other.key.id;
    auditor = (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'auditor', label: 'audit', staffId: 'AUD01', now: START })).secret;
    const token = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'W001', ttlSeconds: 900, now: START })).token;
    const subject = (credential: string, id: string) =>
      t.req({ credential }, 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '客户' });
    assert.equal((await subject(monthly.secret, 'P1')).status, 201);
    assert.equal((await subject(token, 'P2')).status, 201);
    // Refused (a viewer key writes nothing): recorded, and hers all the same.
    assert.equal((await subject(spare.secret, 'P3')).status, 403);
    assert.equal((await subject(other.secret, 'P4')).status, 201);
    // Revoked afterwards: what she did with it before stays hers.
    assert.ok(await revokeApiKey(f.db.db, monthly.key.id, START.toISOString()));
  });

  const read = async (query: string): Promise<Item[]> => {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await ok<Page>(
        await t.req({ credential: auditor }, 'GET', `/v1/audit?${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`),
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  };
  const subjects = (items: Item[]) => [...new Set(items.map((r) => r.target.id).filter(Boolean))].sort();

  it('finds what she did with her token and with each of her keys, newest first, and nobody else’s', async () => {
    const hers = await read('person=W001&limit=100');
    assert.deepEqual(subjects(hers), ['P1', 'P2', 'P3']);
    assert.deepEqual([...new Set(hers.map((r) => r.actor))].sort(), [`key:${keyId.monthly}`, `key:${keyId.spare}`, 'staff:W001'].sort());
    const seqs = hers.map((r) => r.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
    );
    // Paged two at a time, the same records: each page merges her credentials' newest and cuts there.
    assert.deepEqual(
      (await read('person=W001&limit=2')).map((r) => r.seq),
      seqs,
    );
  });

  it('names the person and the key on every record, for a console to show 王敏（密钥：月度导入）', async () => {
    const all = await read('limit=100');
    const byActor = (actor: string) => all.find((r) => r.actor === actor);
    assert.deepEqual(
      (({ actorStaff, actorStaffName, actorKeyLabel }) => ({ actorStaff, actorStaffName, actorKeyLabel }))(
        byActor(`key:${keyId.monthly}`) as Item,
      ),
      { actorStaff: 'W001', actorStaffName: '王敏', actorKeyLabel: '月度导入' },
    );
    assert.deepEqual(
      (({ actorStaff, actorStaffName, actorKeyLabel }) => ({ actorStaff, actorStaffName, actorKeyLabel }))(byActor('staff:W001') as Item),
      { actorStaff: 'W001', actorStaffName: '王敏', actorKeyLabel: null },
    );
    // An unowned key (the fixture's admins, who approved the grants): its label, and nobody behind it.
    const unowned = all.find((r) => r.actor.startsWith('key:') && r.actorStaff === null);
    assert.ok(unowned, 'a record of an unowned key');
    assert.match(unowned.actorKeyLabel ?? '', /^admin2?$/);
    assert.equal(unowned.actorStaffName, null);
  });

  it('`actor` stays exact, and narrows a person to one credential', async () => {
    assert.deepEqual(subjects(await read('actor=staff:W001&limit=100')), ['P2']);
    assert.deepEqual(subjects(await read(`person=W001&actor=key:${keyId.monthly}&limit=100`)), ['P1']);
    // Another's credential is not one of hers: nothing, not their records.
    assert.deepEqual(await read(`person=W001&actor=key:${keyId.other}`), []);
  });

  it('an export by person holds the same records; a malformed person is a 400', async () => {
    const res = await t.req({ credential: auditor }, 'GET', '/v1/audit/export?person=W001&format=jsonl');
    assert.equal(res.status, 200);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Item);
    assert.deepEqual(
      lines.map((r) => r.seq).sort((a, b) => a - b),
      (await read('person=W001&limit=100')).map((r) => r.seq).sort((a, b) => a - b),
    );
    await problem(await t.req({ credential: auditor }, 'GET', '/v1/audit?person=W%20001'), 400, 'validation');
  });
});
