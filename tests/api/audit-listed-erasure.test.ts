import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { appendAudit, createApiKey, createApp, provisionTenant, verifyAuditFile, type Role } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import type { AuditRecord } from '@tierkit/core';
import { auditDetailOf, bookMovesOf } from '@tierkit/admin';
import { auditDetailTexts, listedErasedText, listedSubjectText } from '../../apps/admin/src/pages/audit-detail-text.js';
import { AUDIT_WORDS } from '../../apps/admin/src/pages/audit.words.js';
import { client, forEachDialect, NOW, type ApiFixture } from '../support/api-fixture.js';
import { readersTestPack } from '../support/test-pack.js';

/*
 * Customer numbers a record's detail lists, erased entry by entry (docs/operations.md, "Customer numbers
 * in a record's lists"): the customers a list read returned, a restricted read of an AML grade named, a
 * book move moved. A retention run erasing one deletes their entry from every such list, keeps the
 * others', and the chain still verifies; an entry deleted by hand is told from an erasure.
 */

const GONE = 'LST40817';
const KEPT = 'LST52093';
const NAME = '列表甲乙';

type Verify = { ok: boolean; problems: { seq: number; kind: string; message: string }[] };

forEachDialect('customer numbers listed in audit records, erased with the customer', (f: ApiFixture) => {
  const keys = {} as Record<Role, string>;
  const as = (who: Role) => client(f, () => keys[who]);
  const verify = async () => (await (await as('admin').get('/v1/audit/verify')).json()) as Verify;
  const records = async (target: string) =>
    ((await (await as('admin').get(`/v1/audit?target=${target}&limit=100`)).json()) as { items: AuditRecord[] }).items;
  const exported = async (format: 'jsonl' | 'csv') => (await as('admin').get(`/v1/audit/export?format=${format}&locale=en`)).text();
  const verifyExported = async () =>
    verifyAuditFile(
      (await exported('jsonl')).split('\n').filter((l) => l !== ''),
      'bank-l',
    );
  /** The records whose lists name `who`, by what they are: a list search, a restricted read of a page, a book move. */
  const lists = (trail: AuditRecord[]) => ({
    search: trail.find((r) => r.route === '/v1/subjects' && Array.isArray(r.detail?.subjects)),
    restricted: trail.find((r) => r.route === '/v1/subjects' && r.detail?.restrictedRead !== undefined),
    moves: trail.find((r) => r.phase === 'change' && Array.isArray(r.detail?.moves)),
  });

  before(async () => {
    // Each customer's story happens when it did, through an app whose clock stands then: both were active
    // (their metrics), moved and listed in 2019; GONE left weeks later, KEPT in 2024. The retention clock
    // counts from their last activity, so it came before they left; the run is at the fixture's NOW.
    const then = (at: string, who: Role) =>
      client({ ...f, app: createApp({ db: f.db.db, now: () => new Date(at), logError: () => undefined }) }, () => keys[who]);
    const ACTIVE = '2019-06-15T02:00:00Z';
    await provisionTenant(f.db.db, { id: 'bank-l', name: 'bank-l', pack: readersTestPack(), now: NOW });
    for (const role of ['officer', 'admin'] as const)
      keys[role] = (await createApiKey(f.db.db, { tenantId: 'bank-l', role, label: role, now: NOW })).secret;
    await upsertStaff(f.db.db, 'bank-l', { id: 'RM1', name: '客户经理', role: 'officer', scope: 'book' }, NOW.toISOString());
    for (const id of [GONE, KEPT]) {
      await then(ACTIVE, 'admin').customer(id, NAME);
      const res = await then(ACTIVE, 'admin').put(`/v1/subjects/${id}/metrics`, {
        metrics: [
          { metric: 'avg_daily_balance', period: '2019-05', value: 6_000_000 },
          { metric: 'aml_customer_risk', period: '2019-05', value: 90 },
        ],
      });
      assert.equal(res.status, 200, await res.text());
    }
    const moved = await then(ACTIVE, 'officer').post('/v1/subject-managers', {
      assignments: [
        { subject: GONE, manager: 'RM1' },
        { subject: KEPT, manager: 'RM1' },
      ],
    });
    assert.equal(moved.status, 200, await moved.clone().text());
    // A list by the AML grade (a restricted read of the page's customers) and a search by name (the page listed).
    for (const path of ['/v1/subjects?levelOf=aml-test', `/v1/subjects?name=${encodeURIComponent(NAME)}`]) {
      const res = await then(ACTIVE, 'officer').get(path);
      assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    }
    // Then each left, closed on the day: GONE over six years before the run, KEPT within the five.
    for (const [id, at] of [
      [GONE, '2019-07-01T02:00:00Z'],
      [KEPT, '2024-06-01T02:00:00Z'],
    ] as const) {
      const closed = await then(at, 'officer').post(`/v1/subjects/${id}/close`, { reason: '销户' });
      assert.equal(closed.status, 200, await closed.clone().text());
    }
  });

  it('a list names its customers as read while they are kept; the record itself holds only each entry’s digest', async () => {
    const found = lists(await records(GONE));
    assert.deepEqual(found.search?.detail?.subjects, [GONE, KEPT].sort());
    assert.deepEqual((found.restricted?.detail?.restrictedRead as { subjects: string[] } | undefined)?.subjects, [GONE, KEPT].sort());
    assert.deepEqual(
      (found.moves?.detail?.moves as { subject: string }[] | undefined)?.map((m) => m.subject),
      [GONE, KEPT],
    );
    assert.equal(found.search?.listed?.length, 2);
    assert.ok(found.search?.listed?.every((s) => typeof s === 'string'));
    const stored = JSON.stringify(
      await f.db.db.selectFrom('audit_records').select(['target', 'detail']).where('chain', '=', 'bank-l').execute(),
    );
    assert.ok(!stored.includes(GONE) && !stored.includes(KEPT), 'audit_records lists no number itself');
    assert.deepEqual((await verify()).problems, []);
    const offline = await verifyExported();
    assert.equal(offline.ok, true, JSON.stringify(offline.problems));
  });

  it('a retention run deletes the erased customer’s entries only: no search or export names them, the chain verifies', async () => {
    const res = await as('admin').post('/v1/retention/run', {});
    assert.equal(res.status, 200, await res.clone().text());
    const run = (await res.json()) as { erased: number; auditEntriesErased: number };
    assert.equal(run.erased, 1);
    assert.equal(run.auditEntriesErased, 3, 'the search’s, the restricted read’s and the move’s entry');

    assert.deepEqual(await records(GONE), [], 'no record is found by the erased number');
    const found = lists(await records(KEPT));
    const gonePlace = [GONE, KEPT].sort().indexOf(GONE);
    const search = found.search?.detail?.subjects as string[];
    assert.equal(search[1 - gonePlace], KEPT, 'the kept customer’s entry reads as before');
    assert.match(search[gonePlace] ?? '', /^sha256:[0-9a-f]{64}$/, 'the erased one’s digest in its place');
    assert.equal(found.search?.listed?.[gonePlace], null);
    assert.equal((found.moves?.detail?.moves as { subject: string }[] | undefined)?.[1]?.subject, KEPT);

    for (const format of ['jsonl', 'csv'] as const) {
      const text = await exported(format);
      assert.ok(!text.includes(GONE), `the ${format} export names no ${GONE}`);
      assert.ok(text.includes(KEPT), `the ${format} export still lists ${KEPT}`);
    }
    assert.match(await exported('csv'), /erased with the customer \(digest kept\)/);
    const checked = await verify();
    assert.deepEqual(checked.problems, []);
    const offline = await verifyExported();
    assert.equal(offline.ok, true, JSON.stringify(offline.problems));

    // The console's audit page: the erased entry reads as the CSV's erased words in each language, never
    // its digest, and the record says how many of its list were erased.
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const w = AUDIT_WORDS[locale];
      for (const r of [found.search, found.restricted]) {
        assert.ok(r);
        const text = auditDetailTexts(auditDetailOf(r), locale).join('\n');
        assert.ok(!text.includes('sha256:'), `${locale}: ${text}`);
        assert.ok(text.includes(w.listedErased) && text.includes(KEPT), `${locale}: ${text}`);
        assert.equal(listedErasedText(r, locale), w.listedErasedCount(1, 2));
      }
      const moved = bookMovesOf(found.moves as AuditRecord)?.map((m) => listedSubjectText(m.subject, locale));
      assert.deepEqual(moved, [w.listedErased, KEPT]);
    }
    assert.equal(listedErasedText(found.search as AuditRecord, 'zh-CN'), '所列 2 位客户中 1 位已随客户删除（仅留摘要）');
    assert.equal(
      listedErasedText(found.search as AuditRecord, 'en'),
      '1 of the 2 customers listed was erased with the customer (digest kept)',
    );
  });

  it('an entry deleted by hand is told from an erasure, and one edited fails', async () => {
    const db = f.db.db;
    const entry = await db
      .selectFrom('audit_listed')
      .selectAll()
      .where('chain', '=', 'bank-l')
      .where('subject', '=', KEPT)
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    // A record of any other route naming the entry as erased vouches for nothing: only an erasure's own do.
    await appendAudit(db, 'bank-l', {
      at: NOW.toISOString(),
      request_id: 'forged-vouch',
      phase: 'change',
      actor: 'key:forger',
      credential: 'key',
      method: 'POST',
      route: '/v1/subject-managers',
      target: '{}',
      status: 200,
      problem: null,
      unmasked: 0,
      detail: JSON.stringify({ erasedAuditEntries: `${entry.seq}:${entry.pos}` }),
    });
    await db.deleteFrom('audit_listed').where('chain', '=', 'bank-l').where('seq', '=', entry.seq).where('pos', '=', entry.pos).execute();
    assert.deepEqual(
      (await verify()).problems.map((p) => [p.seq, p.kind]),
      [[entry.seq, 'personal-deleted']],
    );
    await db
      .insertInto('audit_listed')
      .values({ ...entry, subject: GONE })
      .execute();
    assert.deepEqual(
      (await verify()).problems.map((p) => [p.seq, p.kind]),
      [[entry.seq, 'altered']],
    );
    await db.deleteFrom('audit_listed').where('chain', '=', 'bank-l').where('seq', '=', entry.seq).where('pos', '=', entry.pos).execute();
    await db.insertInto('audit_listed').values(entry).execute();
    assert.deepEqual((await verify()).problems, []);
  });
});
