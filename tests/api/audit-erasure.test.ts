import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, it } from 'node:test';
import { type AuditRecord, DEFAULT_TIME_ZONE } from '@tierkit/core';
import { sql } from 'kysely';
import { appendOperatorAudit, cliAction, createApp, runRetention, verifyAuditChain, verifyAuditFile } from '@tierkit/api';
import { authHeader, client, clientAt, forEachDialect, LONG_AGO, type ApiFixture } from '../support/api-fixture.js';

/*
 * The audit trail's personal fields, erased with the customer (docs/operations.md, "Erasing the trail's
 * personal fields"): a record naming a customer keeps their number and the staff-typed texts in a side
 * row, and only a digest its hash covers; a retention run deletes the side row, the chain still verifies,
 * and neither the number nor the texts are left anywhere in the trail — nor, but for the subject row's
 * own `external_id` (kept so that the number cannot be written again), anywhere in the database.
 */

const GONE = 'AEX93571';
const KEPT = 'AEK20418';
/** What staff typed about a customer: each customer's own words (`g` the one erased, `k` the one kept). */
const closeReason = (who: 'g' | 'k') => `销户原因-甲乙丙-4471${who}`;
const decisionNote = (who: 'g' | 'k') => `驳回意见-庚辛壬-6693${who}`;
const REOPEN_NOTE = '重开说明-丁戊己-5582g';
const SECOND_REASON = '再次销户-癸子丑-7704g';
/** The evidence an override request cites: free text, as typed about the customer. */
const evidence = (who: 'g' | 'k') => `证据-卯辰巳-8815${who}`;
const TYPED = [closeReason('g'), decisionNote('g'), REOPEN_NOTE, SECOND_REASON, evidence('g')];
/** A name staff typed into the customer list's search: it names no one customer, and stays no longer than the retention. */
const SEARCHED = '搜索-午未申-9926';

type Verify = { ok: boolean; problems: { seq: number; kind: string; message: string }[] };

/** Every text cell of every table, as `table.column` → values: what a reader of the database could find. */
async function everyText(f: ApiFixture): Promise<{ where: string; value: string }[]> {
  const db = f.db.db;
  const tables =
    f.db.dialect === 'postgres'
      ? (
          await sql<{
            name: string;
          }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`.execute(db)
        ).rows
      : (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(db)).rows;
  const found: { where: string; value: string }[] = [];
  for (const { name } of tables) {
    const rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)}`.execute(db)).rows;
    for (const row of rows)
      for (const [column, value] of Object.entries(row))
        if (value !== null && value !== undefined)
          found.push({ where: `${name}.${column}`, value: typeof value === 'string' ? value : JSON.stringify(value) });
  }
  return found;
}

forEachDialect('the audit trail’s personal fields, erased with the customer', (f) => {
  const officer = () => client(f, () => f.keys.roles.officer);
  const verify = async () => (await (await client(f).get('/v1/audit/verify')).json()) as Verify;
  /** The whole trail exported as JSON lines and checked offline, as an auditor does with a month's file. */
  const verifyExported = async () => {
    const text = await (await client(f).get('/v1/audit/export?format=jsonl')).text();
    return verifyAuditFile(
      text.split('\n').filter((l) => l !== ''),
      'bank-a',
    );
  };
  const records = async (target: string) =>
    ((await (await client(f).get(`/v1/audit?target=${target}&limit=100`)).json()) as { items: AuditRecord[] }).items;

  before(async () => {
    // Each customer's story happens when it did, through an app whose clock stands then: the retention
    // clock counts from their last activity (the request, its decision), so it came before they left.
    const then = (at: string, as: () => string | undefined) =>
      client({ ...f, app: createApp({ db: f.db.db, now: () => new Date(at), logError: () => undefined }) }, as);
    for (const [id, who, at] of [
      [GONE, 'g', '2019-06-01T02:00:00Z'],
      // KEPT left four years ago: not yet past its retention.
      [KEPT, 'k', '2022-01-01T02:00:00Z'],
    ] as const) {
      const before = new Date(Date.parse(at) - 86_400_000).toISOString();
      await clientAt(f, LONG_AGO).customer(id, '赵钱孙');
      const request = { scheme: 'retail-tier', level: 'diamond', mode: 'fixed', reason: 'VIP', evidence: evidence(who), expiresAt: null };
      const filed = await then(before, () => f.keys.roles.officer).post(`/v1/subjects/${id}/overrides`, request);
      assert.equal(filed.status, 201, await filed.clone().text());
      const { id: overrideId, contentHash } = (await filed.json()) as { id: string; contentHash: string };
      const rejected = await then(before, () => f.keys.roles.approver).post(`/v1/overrides/${overrideId}/reject`, {
        contentHash,
        note: decisionNote(who),
      });
      assert.equal(rejected.status, 200, await rejected.clone().text());
      const closed = await then(at, () => f.keys.roles.officer).post(`/v1/subjects/${id}/close`, { reason: closeReason(who) });
      assert.equal(closed.status, 200, await closed.clone().text());
    }
    // GONE came back and left again: a reopening's note and a second closing's reason name them too.
    const reopened = await then('2019-06-15T02:00:00Z', () => f.keys.roles.officer).post(`/v1/subjects/${GONE}/reopen`, {
      note: REOPEN_NOTE,
    });
    assert.equal(reopened.status, 200, await reopened.clone().text());
    const again = await then('2019-07-01T02:00:00Z', () => f.keys.roles.officer).post(`/v1/subjects/${GONE}/close`, {
      reason: SECOND_REASON,
    });
    assert.equal(again.status, 200, await again.clone().text());
    // Refused requests keep the path they asked for: one no route matches (a typo, a wrong method), and
    // one with no credential, recorded in the `*` chain, which belongs to no tenant.
    for (const [path, method, as, status] of [
      [`/v1/subjects/${GONE}/tierz`, 'GET', () => f.keys.a, 404],
      [`/v1/subjects/${GONE}/tiers`, 'DELETE', () => f.keys.a, 404],
      [`/v1/subjects/${GONE}/tiers`, 'GET', () => undefined, 401],
      [`/v1/subjects/${GONE}/nowhere`, 'GET', () => undefined, 401],
    ] as const) {
      const res = await f.app.request(path, { method, headers: authHeader(f, as) });
      assert.equal(res.status, status, `${method} ${path}: ${await res.clone().text()}`);
    }
    const searched = await client(f).get(`/v1/subjects?name=${encodeURIComponent(SEARCHED)}`);
    assert.equal(searched.status, 200, await searched.clone().text());
  });

  it('keeps a record’s customer number and typed texts beside it, shown as written; the record holds only their digest', async () => {
    const trail = await records(GONE);
    const texts = JSON.stringify(trail);
    for (const t of TYPED) assert.ok(texts.includes(t), `the trail shows ${t}`);
    const closing = trail.find((r) => r.route === '/v1/subjects/{id}/close' && r.phase === 'result' && r.detail?.reason === SECOND_REASON);
    assert.ok(closing, 'the closing found by its customer number');
    assert.deepEqual(closing.target, { id: GONE });
    assert.ok(closing.personal?.digest.startsWith('sha256:') && closing.personal.salt);
    const decision = trail.find((r) => r.route === '/v1/overrides/{overrideId}/reject' && r.phase === 'result');
    assert.equal(decision?.detail?.note, decisionNote('g'));
    assert.equal(decision?.target.subject, GONE);

    const stored = JSON.stringify(await f.db.db.selectFrom('audit_records').select(['target', 'detail']).execute());
    for (const t of [GONE, ...TYPED]) assert.ok(!stored.includes(t), `audit_records holds no ${t} itself`);
    assert.equal((await verify()).ok, true);
    const offline = await verifyExported();
    assert.equal(offline.ok, true, JSON.stringify(offline.problems));
  });

  it('a retention run deletes them with the customer: the chain verifies, and they are nowhere in the database', async () => {
    const res = await client(f).post('/v1/retention/run', {});
    assert.equal(res.status, 200, await res.clone().text());
    const run = (await res.json()) as { erased: number; auditFieldsErased: number };
    assert.equal(run.erased, 1);
    assert.ok(run.auditFieldsErased >= 8, `${run.auditFieldsErased} records lost their personal fields`);

    const checked = await verify();
    assert.equal(checked.ok, true, JSON.stringify(checked.problems));
    const offline = await verifyExported();
    assert.equal(offline.ok, true, JSON.stringify(offline.problems));
    assert.deepEqual(await records(GONE), [], 'no record is found by the erased number');

    const cells = await everyText(f);
    const named = cells.filter((c) => c.value.includes(GONE)).map((c) => c.where);
    assert.deepEqual(named, ['subjects.external_id'], 'the number only on the subject row, which refuses writing it again');
    const refusedChain = await verifyAuditChain(f.db.db, '*');
    assert.equal(refusedChain.ok, true, JSON.stringify(refusedChain.problems));
    for (const t of TYPED)
      assert.deepEqual(
        cells.filter((c) => c.value.includes(t)).map((c) => c.where),
        [],
        `${t} is nowhere`,
      );
    if (f.db.dialect === 'sqlite') {
      const [main] = (await sql<{ file: string }>`PRAGMA database_list`.execute(f.db.db)).rows;
      assert.ok(main?.file);
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(f.db.db);
      const bytes = readFileSync(main.file);
      for (const t of TYPED) assert.equal(bytes.indexOf(Buffer.from(t)), -1, `${t} is not in the file's bytes`);
    }
    // The erased records say so; the other customer's still show theirs.
    const erased = (await (await client(f).get('/v1/audit?route=/v1/subjects/{id}/reopen&limit=10')).json()) as { items: AuditRecord[] };
    const result = erased.items.find((r) => r.phase === 'result');
    assert.ok(result?.personal && result.personal.salt === undefined, 'digest kept, salt gone');
    assert.deepEqual(result.target, {});
    assert.equal(result.detail?.note, undefined);
    const csv = await (await client(f).get('/v1/audit/export?route=/v1/subjects/{id}/reopen&format=csv&locale=zh-TW')).text();
    assert.ok(csv.includes('已隨客戶刪除（僅留摘要）'), csv);
    assert.ok(JSON.stringify(await records(KEPT)).includes(closeReason('k')));
  });

  it('a request naming a customer already erased is recorded, and the next run deletes the number it named', async () => {
    const refused = await officer().put(`/v1/subjects/${GONE}`, { kind: 'customer', displayName: '赵钱孙' });
    assert.equal(refused.status, 409, await refused.clone().text());
    const side = await f.db.db.selectFrom('audit_personal').select('seq').where('subject', '=', GONE).execute();
    assert.ok(side.length >= 1, 'the refused write named them');

    const res = await client(f).post('/v1/retention/run', {});
    const run = (await res.json()) as { erased: number; auditFieldsErased: number };
    assert.deepEqual([run.erased, run.auditFieldsErased], [0, side.length]);
    const cells = await everyText(f);
    assert.deepEqual(
      cells.filter((c) => c.value.includes(GONE)).map((c) => c.where),
      ['subjects.external_id'],
    );
    const checked = await verify();
    assert.equal(checked.ok, true, JSON.stringify(checked.problems));
  });

  it('stays tamper-evident: a digest, a kept field or a kept side row edited fails verify', async () => {
    const db = f.db.db;
    const [withDigest] = await db
      .selectFrom('audit_records')
      .select(['chain', 'seq', 'personal_digest', 'route'])
      .where('chain', '=', 'bank-a')
      .where('personal_digest', 'is not', null)
      .orderBy('seq')
      .limit(1)
      .execute();
    assert.ok(withDigest?.personal_digest);
    const row = db.updateTable('audit_records').where('chain', '=', 'bank-a').where('seq', '=', withDigest.seq);
    await row.set({ personal_digest: `sha256:${'0'.repeat(64)}` }).execute();
    let checked = await verify();
    assert.equal(checked.ok, false);
    assert.deepEqual(
      checked.problems.map((p) => [p.seq, p.kind]),
      [[withDigest.seq, 'altered']],
    );
    await row.set({ personal_digest: withDigest.personal_digest }).execute();

    await row.set({ route: '/v1/other' }).execute();
    checked = await verify();
    assert.deepEqual(
      checked.problems.map((p) => [p.seq, p.kind]),
      [[withDigest.seq, 'altered']],
    );
    await row.set({ route: withDigest.route }).execute();
    assert.equal((await verify()).ok, true);

    const [side] = await db
      .selectFrom('audit_personal')
      .selectAll()
      .where('chain', '=', 'bank-a')
      .where('subject', '=', KEPT)
      .limit(1)
      .execute();
    assert.ok(side);
    const sideRow = db.updateTable('audit_personal').where('chain', '=', 'bank-a').where('seq', '=', side.seq);
    await sideRow.set({ target: JSON.stringify({ id: 'C000001' }) }).execute();
    checked = await verify();
    assert.deepEqual(
      checked.problems.map((p) => [p.seq, p.kind]),
      [[side.seq, 'altered']],
    );
    await sideRow.set({ target: side.target }).execute();
    assert.equal((await verify()).ok, true);

    // Re-labelled to another customer, a side row would outlive its own customer's erasure.
    await sideRow.set({ subject: 'C000001' }).execute();
    checked = await verify();
    assert.deepEqual(
      checked.problems.map((p) => [p.seq, p.kind]),
      [[side.seq, 'altered']],
    );
    await sideRow.set({ subject: side.subject }).execute();
    assert.equal((await verify()).ok, true);

    // Deleted by hand, a side row is not an erasure: no erasure record of the chain names it.
    await db.deleteFrom('audit_personal').where('chain', '=', 'bank-a').where('seq', '=', side.seq).execute();
    checked = await verify();
    assert.deepEqual(
      checked.problems.map((p) => [p.seq, p.kind]),
      [[side.seq, 'personal-deleted']],
    );
    // Named by a record no erasure wrote (a `change` of another act, whatever its detail says), it is
    // still reported: only a retention run's records and the upgrade's vouch for a deleted side row.
    await appendOperatorAudit(db, 'bank-a', cliAction('tierkit staff set'), {
      phase: 'change',
      status: 200,
      detail: { erasedAuditSeqs: `1-${side.seq + 5}` },
    });
    assert.deepEqual(
      (await verify()).problems.map((p) => [p.seq, p.kind]),
      [[side.seq, 'personal-deleted']],
    );
    await db.insertInto('audit_personal').values(side).execute();
    assert.equal((await verify()).ok, true);

    // An erasure's record edited so its detail is no longer JSON is reported where it is; verify goes on.
    const erasure = await db
      .selectFrom('audit_records')
      .select(['seq', 'detail'])
      .where('chain', '=', 'bank-a')
      .where('route', '=', '/v1/retention/run')
      .where('phase', '=', 'change')
      .where('detail', 'like', '%erasedAuditSeqs%')
      .executeTakeFirstOrThrow();
    const erasureRow = db.updateTable('audit_records').where('chain', '=', 'bank-a').where('seq', '=', erasure.seq);
    await erasureRow.set({ detail: '{"erasedAuditSeqs":' }).execute();
    checked = await verify();
    assert.ok(
      checked.problems.some((p) => p.seq === erasure.seq && p.kind === 'altered'),
      JSON.stringify(checked.problems),
    );
    await erasureRow.set({ detail: erasure.detail }).execute();
    assert.equal((await verify()).ok, true);
  });

  it('a refused request’s path keeps the customer number beside the record, read back as asked', async () => {
    const typo = `/v1/subjects/${KEPT}/tierz`;
    // A write is recorded whatever its answer: one to a path no route serves keeps the path as asked.
    assert.equal((await client(f).post(typo, {})).status, 404);
    const byRoute = (await (await client(f).get('/v1/audit?route=/v1/subjects/{id}/tierz&limit=10')).json()) as { items: AuditRecord[] };
    const record = byRoute.items.find((r) => r.target.path === typo);
    assert.ok(record, 'read back with the path as asked while kept');
    assert.equal(record.route, '/v1/subjects/{id}/tierz');
    const stored = await f.db.db
      .selectFrom('audit_records')
      .select(['route', 'target'])
      .where('chain', '=', 'bank-a')
      .where('seq', '=', record.seq)
      .executeTakeFirstOrThrow();
    assert.deepEqual([stored.route, stored.target], ['/v1/subjects/{id}/tierz', '{}']);
    assert.ok(
      (await records(KEPT)).some((r) => r.seq === record.seq),
      'found by the customer number its path named',
    );
    assert.equal((await verify()).ok, true);
  });

  it('a list search’s typed name leaves once past the retention period, and the chain verifies', async () => {
    const side = async () => (await everyText(f)).filter((c) => c.value.includes(SEARCHED)).map((c) => c.where);
    assert.deepEqual(await side(), ['audit_personal.detail']);
    // Six years on: the search is older than the retention period (KEPT is erased too).
    await runRetention(f.db.db, 'bank-a', {
      now: new Date('2031-11-15T04:00:00Z'),
      timeZone: DEFAULT_TIME_ZONE,
      dryRun: false,
      action: cliAction('tierkit retention run'),
    });
    assert.deepEqual(await side(), []);
    const checked = await verify();
    assert.equal(checked.ok, true, JSON.stringify(checked.problems));
  });
});
