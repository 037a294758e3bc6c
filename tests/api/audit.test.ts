import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  appendAudit,
  createApp,
  auditHash,
  createApiKey,
  mintEmbedToken,
  mintStaffToken,
  provisionTenant,
  UNAUTHENTICATED_CHAIN,
  verifyAuditChain,
} from '@tierkit/api';
import type { Problem, SubjectRef } from '@tierkit/core';
import type { AuditFields, Executor } from '@tierkit/db';
import { sql } from 'kysely';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { testPack } from '../support/test-pack.js';
import { upsertStaff } from '@tierkit/db';

interface Record_ {
  seq: number;
  requestId: string;
  phase: string;
  actor: string;
  credential: string;
  method: string;
  route: string;
  target: Record<string, string>;
  status: number | null;
  problem: string | null;
  unmasked: boolean;
  detail?: unknown;
}
interface Page {
  items: Record_[];
  nextCursor: string | null;
}

/** The records of bank-a's chain carrying one request id, oldest first. */
async function recordsOf(f: ApiFixture, requestId: string): Promise<Record_[]> {
  const res = await client(f).get('/v1/audit?limit=100');
  assert.equal(res.status, 200);
  return ((await res.json()) as Page).items.filter((r) => r.requestId === requestId).reverse();
}

function withId(f: ApiFixture, as: () => string | undefined, requestId: string) {
  const headers = (more: Record<string, string> = {}) => {
    const credential = as();
    return { 'X-Request-Id': requestId, ...(credential ? { Authorization: `Bearer ${credential}` } : {}), ...more };
  };
  return {
    get: (path: string) => f.app.request(path, { headers: headers() }),
    put: (path: string, body: unknown) =>
      f.app.request(path, { method: 'PUT', headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(body) }),
  };
}

const fields = (n: number): AuditFields => ({
  at: new Date(NOW.getTime() + n * 1000).toISOString(),
  request_id: `req-${n}`,
  phase: 'request',
  actor: 'key:key_test',
  credential: 'key',
  method: 'PUT',
  route: '/v1/subjects/{id}',
  target: JSON.stringify({ id: `T${n}` }),
  status: 200,
  problem: null,
  unmasked: 0,
});

/** A chain of six records written straight through the library, to tamper with. */
async function sixRecords(db: Executor, chain: string): Promise<void> {
  for (let n = 1; n <= 6; n++) await appendAudit(db, chain, fields(n));
}

forEachDialect('audit trail', (f) => {
  const admin = client(f);

  it('a write leaves an intent before it runs and a result after, with who, which credential, route, target and request id', async () => {
    const officer = withId(f, () => f.keys.roles.officer, 'req-write-1');
    const res = await officer.put('/v1/subjects/AU1', { kind: 'customer', displayName: '张晓明' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('X-Request-Id'), 'req-write-1', 'the caller’s request id is echoed');
    const [intent, result, ...more] = await recordsOf(f, 'req-write-1');
    assert.equal(more.length, 0);
    assert.ok(intent && result);
    assert.equal(intent.phase, 'intent');
    assert.equal(intent.status, null);
    assert.equal(result.phase, 'result');
    assert.equal(result.seq, intent.seq + 1);
    for (const r of [intent, result]) {
      assert.match(r.actor, /^key:key_/);
      assert.equal(r.credential, 'key');
      assert.equal(r.method, 'PUT');
      assert.equal(r.route, '/v1/subjects/{id}');
      assert.deepEqual(r.target, { id: 'AU1' });
    }
    assert.equal(result.status, 201);
    assert.equal(result.problem, null);
  });

  it('a request id that is missing or unusable is replaced by a generated one, echoed all the same', async () => {
    const made = await admin.get('/v1/schemes');
    assert.match(made.headers.get('X-Request-Id') ?? '', /^[0-9a-f-]{36}$/);
    const odd = await f.app.request('/v1/schemes', { headers: { Authorization: `Bearer ${f.keys.a}`, 'X-Request-Id': 'a b\tc' } });
    assert.match(odd.headers.get('X-Request-Id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('a refused request writes one record: 403 in the tenant’s chain with the problem, 401 in the chain of no tenant', async () => {
    const viewer = withId(f, () => f.keys.roles.viewer, 'req-denied-1');
    assert.equal((await viewer.put('/v1/subjects/AU2', { kind: 'customer', displayName: '王五' })).status, 403);
    const [denied, ...more] = await recordsOf(f, 'req-denied-1');
    assert.equal(more.length, 0, 'no intent: the write never ran');
    assert.deepEqual(
      { phase: denied?.phase, status: denied?.status, problem: denied?.problem, route: denied?.route },
      { phase: 'request', status: 403, problem: 'forbidden', route: '/v1/subjects/{id}' },
    );

    const unknown = withId(f, () => `tk_${'u'.repeat(43)}`, 'req-unknown-1');
    assert.equal((await unknown.get('/v1/subjects/AU2/tiers')).status, 401);
    const nobody = withId(f, () => undefined, 'req-nobody-1');
    assert.equal((await nobody.get('/v1/audit')).status, 401);
    assert.equal((await recordsOf(f, 'req-unknown-1')).length, 0, 'not in any tenant’s chain');
    const rows = await f.db.db
      .selectFrom('audit_records')
      .selectAll()
      .where('chain', '=', UNAUTHENTICATED_CHAIN)
      .where('request_id', 'in', ['req-unknown-1', 'req-nobody-1'])
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.actor, r.credential, r.route, r.target, r.status, r.problem]),
      [
        // The customer number a path named is in the record's side row, as in every chain (audit_personal).
        ['unverified:tk_uuuuuuu', 'none', '/v1/subjects/{id}/tiers', '{}', 401, 'invalid-token'],
        ['anonymous', 'none', '/v1/audit', '{}', 401, 'unauthorized'],
      ],
    );
    const side = await f.db.db
      .selectFrom('audit_personal')
      .select(['subject', 'target'])
      .where('chain', '=', UNAUTHENTICATED_CHAIN)
      .where('seq', '=', rows[0]?.seq ?? -1)
      .execute();
    assert.deepEqual(side, [{ subject: 'AU2', target: '{"id":"AU2"}' }]);
    assert.equal((await verifyAuditChain(f.db.db, UNAUTHENTICATED_CHAIN)).ok, true);
  });

  it('reads are not recorded unless they show names unmasked', async () => {
    const viewer = withId(f, () => f.keys.roles.viewer, 'req-read-1');
    assert.equal((await viewer.get('/v1/subjects/AU1/tiers')).status, 200);
    assert.deepEqual(await recordsOf(f, 'req-read-1'), []);
  });

  it('unmasking names is a permission: an officer may ask and is recorded, a viewer, a staff token and an embed token are refused', async () => {
    const officer = withId(f, () => f.keys.roles.officer, 'req-unmask-1');
    const shown = (await (await officer.get('/v1/subjects/AU1/tiers?unmask=true')).json()) as { subject: SubjectRef };
    assert.equal(shown.subject.displayName, '张晓明');
    const [read, ...more] = await recordsOf(f, 'req-unmask-1');
    assert.equal(more.length, 0);
    assert.deepEqual(
      { phase: read?.phase, unmasked: read?.unmasked, status: read?.status, target: read?.target },
      { phase: 'request', unmasked: true, status: 200, target: { id: 'AU1' } },
    );
    // The same read without asking, right after: masked, never the unmasked body from the read cache.
    const masked = (await (await admin.get('/v1/subjects/AU1/tiers')).json()) as { subject: SubjectRef };
    assert.equal(masked.subject.displayName, '张*明');
    const list = (await (await admin.get('/v1/subjects?unmask=true')).json()) as { items: SubjectRef[] };
    assert.ok(list.items.some((s) => s.displayName === '张晓明'));

    const staff = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', now: NOW })).token;
    const embed = (await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'AU1', now: NOW })).token;
    for (const [who, credential] of [
      ['viewer', f.keys.roles.viewer],
      ['staff', staff],
      ['embed', embed],
    ] as const) {
      const res = await withId(f, () => credential, `req-unmask-${who}`).get('/v1/subjects/AU1/tiers?unmask=true');
      assert.equal(res.status, 403, who);
      assert.match(((await res.json()) as Problem).detail ?? '', /unmask-names/);
      const [refused] = await recordsOf(f, `req-unmask-${who}`);
      assert.deepEqual({ status: refused?.status, unmasked: refused?.unmasked }, { status: 403, unmasked: false }, who);
    }
    assert.equal((await admin.get('/v1/subjects/AU1/tiers?unmask=yes')).status, 400);
  });

  it('an unmasked list read records whose names each page revealed: the page’s subject ids and how many', async () => {
    for (const id of ['UL1', 'UL2', 'UL3']) await admin.customer(id);
    let cursor: string | null = null;
    let n = 0;
    const seen: string[] = [];
    do {
      const requestId = `req-unmask-list-${++n}`;
      const query: string = `/v1/subjects?limit=2&unmask=true${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = (await (await withId(f, () => f.keys.roles.officer, requestId).get(query)).json()) as {
        items: SubjectRef[];
        nextCursor: string | null;
      };
      const [read] = await recordsOf(f, requestId);
      assert.equal(read?.unmasked, true);
      assert.deepEqual(read?.detail, { subjects: page.items.map((s) => s.id), count: page.items.length }, requestId);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor !== null && n < 50);
    for (const id of ['UL1', 'UL2', 'UL3']) assert.ok(seen.includes(id), id);
    // A search by name confirms the names it matched, masked or not: its page's ids too, beside the name tested.
    await withId(f, () => f.keys.roles.officer, 'req-name-search').get(`/v1/subjects?name=${encodeURIComponent('张')}&limit=100`);
    const [search] = await recordsOf(f, 'req-name-search');
    const found = search?.detail as { name: string; subjects: string[]; count: number };
    assert.equal(found.name, '张');
    assert.equal(found.count, found.subjects.length);
    assert.ok(found.subjects.includes('AU1'));
    // The name tested is a customer's though the search names none: kept beside the record, which holds its digest.
    const stored = await f.db.db
      .selectFrom('audit_records')
      .select(['route', 'detail', 'personal_digest'])
      .where('request_id', '=', 'req-name-search')
      .executeTakeFirstOrThrow();
    assert.equal(stored.route, '/v1/subjects');
    assert.ok(stored.personal_digest);
    assert.equal((JSON.parse(stored.detail ?? '{}') as { name?: unknown }).name, undefined);
  });

  it('the server-wide unmaskNames option still unmasks for everyone, and every read it serves so is recorded', async () => {
    const trusted = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, unmaskNames: true });
    const read = (query: string, requestId: string) =>
      trusted.request(`/v1/subjects/AU1/tiers${query}`, {
        headers: { Authorization: `Bearer ${f.keys.roles.viewer}`, 'X-Request-Id': requestId },
      });
    const shown = (await (await read('', 'req-wide-1')).json()) as { subject: SubjectRef };
    assert.equal(shown.subject.displayName, '张晓明');
    assert.deepEqual(
      (await recordsOf(f, 'req-wide-1')).map((r) => [r.phase, r.unmasked, r.actor.startsWith('key:')]),
      [['request', true, true]],
    );
    const masked = (await (await read('?unmask=false', 'req-wide-2')).json()) as { subject: SubjectRef };
    assert.equal(masked.subject.displayName, '张*明');
    assert.deepEqual(await recordsOf(f, 'req-wide-2'), [], 'a masked read is not recorded');
  });

  it('GET /v1/audit filters by actor, method, route, target, status and time, pages by cursor, and needs a checker’s key (admin or approver)', async () => {
    for (const id of ['AF1', 'AF2', 'AF3']) await admin.customer(id);
    const page = async (query: string) => {
      const res = await admin.get(`/v1/audit?${query}`);
      assert.equal(res.status, 200, query);
      return (await res.json()) as Page;
    };
    const target = await page('target=AF2');
    assert.ok(target.items.length >= 2 && target.items.every((r) => r.target.id === 'AF2'));
    const denied = await page('status=403');
    assert.ok(denied.items.length > 0 && denied.items.every((r) => r.status === 403));
    const routes = await page(`route=${encodeURIComponent('/v1/subjects/{id}')}&method=PUT`);
    assert.ok(routes.items.every((r) => r.route === '/v1/subjects/{id}' && r.method === 'PUT'));
    const actor = routes.items[0]?.actor ?? '';
    assert.ok((await page(`actor=${encodeURIComponent(actor)}`)).items.every((r) => r.actor === actor));
    assert.equal((await page('from=2030-01-01T00:00:00Z')).items.length, 0);
    assert.ok((await page('to=2030-01-01T00:00:00Z')).items.length > 0);
    assert.equal((await page('target=AF')).items.length, 0, 'a target matches a whole value, not a prefix');

    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const p: Page = await page(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...p.items.map((r) => r.seq));
      cursor = p.nextCursor;
    }
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => b - a),
      'newest first',
    );
    assert.equal(new Set(seen).size, seen.length, 'no record twice');
    assert.equal(seen.at(-1), 1, 'down to the first record');

    assert.equal((await admin.get('/v1/audit?from=yesterday')).status, 400);
    assert.equal((await admin.get('/v1/audit?cursor=nonsense')).status, 400);
    // A cursor of the right kind whose position is no seq: refused, not read as "no cursor" (the newest page again, forever).
    const forged = Buffer.from(JSON.stringify({ k: 'audit', before: 'x' })).toString('base64url');
    const refused = await admin.get(`/v1/audit?cursor=${forged}`);
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as Problem).type.endsWith('/bad-cursor'), true);
    // The checkers' trail: an approver's key reads it as their staff token does (one person, one set of rights).
    for (const role of ['viewer', 'analyst', 'officer'] as const) {
      assert.equal((await client(f, () => f.keys.roles[role]).get('/v1/audit')).status, 403, role);
      assert.equal((await client(f, () => f.keys.roles[role]).get('/v1/audit/verify')).status, 403, role);
    }
    assert.equal((await client(f, () => f.keys.roles.approver).get('/v1/audit')).status, 200, 'approver');
  });

  it('staff tokens: a tenant-wide approver reads and verifies the trail (the console’s checker); an officer, a book-scoped approver and an embed token may not', async () => {
    // Made by the bank's backend (the library): over HTTP each is a grant for a second admin.
    for (const [id, role, scope] of [
      ['AUD-CHK', 'approver', 'tenant'],
      ['AUD-OFF', 'officer', 'tenant'],
      ['AUD-RM', 'approver', 'book'],
    ] as const)
      await upsertStaff(f.db.db, 'bank-a', { id, name: id, role, scope }, NOW.toISOString());
    const token = async (staffId: string) => (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId, now: NOW })).token;
    const checker = await token('AUD-CHK');
    const page = (await (await client(f, () => checker).get('/v1/audit?limit=5')).json()) as Page;
    assert.equal(page.items.length, 5);
    const verified = await client(f, () => checker).get('/v1/audit/verify');
    assert.equal(verified.status, 200);
    assert.equal(((await verified.json()) as { ok: boolean }).ok, true);
    const embed = (await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'AU1', now: NOW })).token;
    for (const [who, credential] of [
      ['officer', await token('AUD-OFF')],
      ['book-scoped approver', await token('AUD-RM')],
      ['embed', embed],
    ] as const) {
      assert.equal((await client(f, () => credential).get('/v1/audit')).status, 403, who);
      assert.equal((await client(f, () => credential).get('/v1/audit/verify')).status, 403, who);
    }
  });

  it('each tenant reads and verifies its own chain only', async () => {
    const other = client(f, 'b');
    const before = ((await (await other.get('/v1/audit?limit=100')).json()) as Page).items.length;
    await client(f, 'b').customer('B1');
    const items = ((await (await other.get('/v1/audit?limit=100')).json()) as Page).items;
    assert.equal(items.length, before + 2);
    assert.ok(items.every((r) => r.target.id === undefined || r.target.id === 'B1'));
    assert.deepEqual((await (await other.get('/v1/audit?target=AU1')).json()) as Page, { items: [], nextCursor: null });
    const verified = (await (await other.get('/v1/audit/verify')).json()) as { ok: boolean; chain: string };
    assert.deepEqual([verified.chain, verified.ok], ['bank-b', true]);
  });

  it('concurrent writes append without a gap or a fork: the chain verifies', async () => {
    await provisionTenant(f.db.db, { id: 'busy', name: 'busy', pack: testPack(), now: NOW });
    const key = (await createApiKey(f.db.db, { tenantId: 'busy', role: 'admin', label: 'busy', now: NOW })).secret;
    const busy = client(f, () => key);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => busy.put(`/v1/subjects/C${i}`, { kind: 'customer', displayName: '李四' })),
    );
    assert.ok(results.every((r) => r.status === 201));
    const verified = await verifyAuditChain(f.db.db, 'busy');
    assert.deepEqual(verified.problems, []);
    assert.equal(verified.records, 48);
    assert.equal(verified.head?.seq, 48);
  });

  it('verify reports one record edited, deleted, two swapped, and the tail cut, each at its position', async () => {
    const db = f.db.db;
    const rowOf = (chain: string, seq: number) =>
      db.selectFrom('audit_records').selectAll().where('chain', '=', chain).where('seq', '=', seq).executeTakeFirstOrThrow();

    await sixRecords(db, 'intact');
    assert.deepEqual(await verifyAuditChain(db, 'intact'), {
      ...(await verifyAuditChain(db, 'intact')),
      ok: true,
      records: 6,
      problems: [],
    });

    await sixRecords(db, 'edited');
    await db.updateTable('audit_records').set({ status: 403 }).where('chain', '=', 'edited').where('seq', '=', 3).execute();
    assert.deepEqual(
      (await verifyAuditChain(db, 'edited')).problems.map((p) => [p.seq, p.kind]),
      [[3, 'altered']],
    );

    // An editor who also re-seals the record's own hash still breaks the link of the next one.
    await sixRecords(db, 'resealed');
    const { hash: _old, ...three } = await rowOf('resealed', 3);
    const resealed = { ...three, actor: 'key:someone-else' };
    await db
      .updateTable('audit_records')
      .set({ actor: resealed.actor, hash: auditHash(resealed) })
      .where('chain', '=', 'resealed')
      .where('seq', '=', 3)
      .execute();
    assert.deepEqual(
      (await verifyAuditChain(db, 'resealed')).problems.map((p) => [p.seq, p.kind]),
      [[4, 'broken-link']],
    );

    await sixRecords(db, 'deleted');
    await db.deleteFrom('audit_records').where('chain', '=', 'deleted').where('seq', '=', 3).execute();
    const deleted = await verifyAuditChain(db, 'deleted');
    assert.deepEqual(
      deleted.problems.map((p) => [p.seq, p.kind]),
      [[3, 'missing']],
    );
    assert.match(deleted.problems[0]?.message ?? '', /record 3 is missing/);

    // Swap the contents of records 3 and 4 (each keeps its position): both no longer match their hash.
    await sixRecords(db, 'swapped');
    const [r3, r4] = [await rowOf('swapped', 3), await rowOf('swapped', 4)];
    for (const [seq, from] of [
      [3, r4],
      [4, r3],
    ] as const) {
      const { chain: _c, seq: _s, ...content } = from;
      await db.updateTable('audit_records').set(content).where('chain', '=', 'swapped').where('seq', '=', seq).execute();
    }
    assert.deepEqual(
      (await verifyAuditChain(db, 'swapped')).problems.map((p) => [p.seq, p.kind]),
      [
        [3, 'altered'],
        [4, 'altered'],
        [5, 'broken-link'],
      ],
      'both swapped records, and the record after them, which follows what used to be at 4',
    );

    await sixRecords(db, 'cut');
    await db.deleteFrom('audit_records').where('chain', '=', 'cut').where('seq', '>=', 5).execute();
    const cut = await verifyAuditChain(db, 'cut');
    assert.deepEqual(
      cut.problems.map((p) => [p.seq, p.kind]),
      [[5, 'truncated']],
    );
    assert.equal(cut.records, 4);
    assert.match(cut.problems[0]?.message ?? '', /records 5…6 were cut/);
  });

  it('GET /v1/audit/verify reports tampering with the tenant’s own chain', async () => {
    await provisionTenant(f.db.db, { id: 'tampered', name: 'tampered', pack: testPack(), now: NOW });
    const key = (await createApiKey(f.db.db, { tenantId: 'tampered', role: 'admin', label: 'ops', now: NOW })).secret;
    const ops = client(f, () => key);
    for (const id of ['X1', 'X2', 'X3']) await ops.customer(id);
    assert.equal(((await (await ops.get('/v1/audit/verify')).json()) as { ok: boolean }).ok, true);
    await sql`UPDATE audit_records SET status = 200 WHERE chain = 'tampered' AND seq = 4`.execute(f.db.db);
    const verified = (await (await ops.get('/v1/audit/verify')).json()) as { ok: boolean; problems: { seq: number; kind: string }[] };
    assert.equal(verified.ok, false);
    assert.deepEqual(
      verified.problems.map((p) => [p.seq, p.kind]),
      [[4, 'altered']],
    );
  });

  it('when the audit trail cannot be written, a write changes nothing and an unmasked read shows no name; refusals stay refused', async () => {
    const db = f.db.db;
    const headBefore = await db.selectFrom('audit_heads').selectAll().where('chain', '=', 'bank-a').executeTakeFirstOrThrow();
    await sql`ALTER TABLE audit_records RENAME TO audit_records_away`.execute(db);
    try {
      const officer = client(f, () => f.keys.roles.officer);
      const write = await officer.put('/v1/subjects/NO-AUDIT', { kind: 'customer', displayName: '赵六' });
      assert.equal(write.status, 500);
      assert.equal(
        await db.selectFrom('subjects').select('id').where('external_id', '=', 'NO-AUDIT').executeTakeFirst(),
        undefined,
        'the write never ran: its intent could not be recorded',
      );
      const read = await officer.get('/v1/subjects/AU1/tiers?unmask=true');
      assert.equal(read.status, 500);
      assert.doesNotMatch(await read.text(), /张晓明/);
      assert.equal(
        (await client(f, () => f.keys.roles.viewer).put('/v1/subjects/NO-AUDIT', { kind: 'customer', displayName: '赵六' })).status,
        403,
      );
    } finally {
      await sql`ALTER TABLE audit_records_away RENAME TO audit_records`.execute(db);
    }
    const headAfter = await db.selectFrom('audit_heads').selectAll().where('chain', '=', 'bank-a').executeTakeFirstOrThrow();
    assert.deepEqual(headAfter, headBefore, 'the failed appends rolled back with their head');
    assert.equal((await verifyAuditChain(db, 'bank-a')).ok, true);
  });
});
