import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApp } from '@tierkit/api';
import { eraseSubjects, isPostgres } from '@tierkit/db';
import { sql } from 'kysely';
import { client, forEachDialect } from '../support/api-fixture.js';

/*
 * A customer erased after their retention period is named in no new record: an officer's list of
 * customers to re-tier that still holds their number is refused, and nothing is queued that would
 * store the number again (docs/operations.md, "Retention and erasure of closed customers").
 */

const ERASED = 'C990101';
const KEPT = 'C990102';
/** Erased while a job naming them is being queued (PostgreSQL: two transactions at once). */
const RACED = 'C990103';
const ACTIVE = '2019-06-15T02:00:00Z';
const LEFT = '2019-07-01T02:00:00Z';

forEachDialect('writes naming an erased customer', (f) => {
  const then = (at: string) => client({ ...f, app: createApp({ db: f.db.db, now: () => new Date(at), logError: () => undefined }) }, 'a');
  const jobsStored = async () =>
    (await f.db.db.selectFrom('jobs').select('params').where('tenant_id', '=', 'bank-a').execute()).map((r) => r.params);

  before(async () => {
    for (const [id, name] of [
      [ERASED, '欧阳修远'],
      [KEPT, '李四'],
      [RACED, '王五'],
    ] as const)
      await then(ACTIVE).customer(id, name);
    assert.equal((await client(f).balances(KEPT, [['2025-10', 100_000]])).status, 200);
    const closed = await then(LEFT).post(`/v1/subjects/${ERASED}/close`, { reason: '主动销户' });
    assert.equal(closed.status, 200, await closed.clone().text());
    const run = await client(f).post('/v1/retention/run', {});
    assert.equal(((await run.json()) as { erased: number }).erased, 1);
  });

  it('is refused at the erased entry’s place, without saying the number back, and nothing is queued', async () => {
    const before = await jobsStored();
    const res = await client(f).post('/v1/jobs', {
      kind: 'retier',
      period: '2025-10',
      filter: { subjects: [KEPT, ERASED] },
      reason: '补跑',
    });
    assert.equal(res.status, 400);
    const text = await res.text();
    assert.ok(!text.includes(ERASED), text);
    const problem = JSON.parse(text) as { type: string; errors: { path: string; code: string }[] };
    assert.match(problem.type, /validation/);
    assert.deepEqual(
      problem.errors.map((e) => [e.path, e.code]),
      [['filter.subjects[1]', 'erased']],
    );
    const after = await jobsStored();
    assert.deepEqual(after, before);
    assert.ok(!after.some((p) => p.includes(ERASED)));
  });

  it('an unknown number beside it is still named as before', async () => {
    const res = await client(f).post('/v1/jobs', { kind: 'retier', period: '2025-10', filter: { subjects: [ERASED, 'C990199'] } });
    assert.equal(res.status, 400);
    const problem = (await res.json()) as { errors: { path: string; code: string; params?: { subject?: string } }[] };
    assert.deepEqual(
      problem.errors.map((e) => [e.path, e.code, e.params?.subject]),
      [
        ['filter.subjects[0]', 'erased', undefined],
        ['filter.subjects[1]', 'unknown_subject', 'C990199'],
      ],
    );
  });

  it('an override request for them meets their 404 `subject-erased`, and none is stored', async () => {
    const res = await client(f).post(`/v1/subjects/${ERASED}/overrides`, {
      scheme: 'retail-tier',
      level: 'diamond',
      mode: 'fixed',
      reason: '补录',
      expiresAt: null,
    });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { type: string }).type, /subject-erased/);
    const stored = await f.db.db.selectFrom('overrides').select('id').where('tenant_id', '=', 'bank-a').execute();
    assert.equal(stored.length, 0);
  });

  it('a job queued while their erasure is still open waits for it, and is refused (PostgreSQL)', async (t) => {
    if (!isPostgres(f.db.db)) return t.skip('SQLite has one writer: the erasure holds the whole file');
    const { id } = await f.db.db
      .selectFrom('subjects')
      .select('id')
      .where('tenant_id', '=', 'bank-a')
      .where('external_id', '=', RACED)
      .executeTakeFirstOrThrow();
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let erased = () => {};
    const marked = new Promise<void>((r) => {
      erased = r;
    });
    // The retention run's own erasure of them, its transaction held open after it marked the row.
    const erasing = f.db.db.transaction().execute(async (trx) => {
      await eraseSubjects(trx, 'bank-a', [id], new Date().toISOString());
      erased();
      await held;
    });
    await marked;
    let settled = false;
    const posted = Promise.resolve(
      client(f).post('/v1/jobs', { kind: 'retier', period: '2025-10', filter: { subjects: [KEPT, RACED] }, reason: '补跑' }),
    ).finally(() => {
      settled = true;
    });
    // The job's check waits on the erasure's row lock; answered before that, it read the row as not erased.
    for (;;) {
      const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'`.execute(
        f.db.db,
      );
      if ((waiting.rows[0]?.n ?? 0) > 0 || settled) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const early = settled;
    release();
    await erasing;
    const res = await posted;
    assert.equal(early, false, `answered while the erasure was open: ${res.status}`);
    assert.equal(res.status, 400, await res.clone().text());
    const problem = (await res.json()) as { errors: { path: string; code: string }[] };
    assert.deepEqual(
      problem.errors.map((e) => [e.path, e.code]),
      [['filter.subjects[1]', 'erased']],
    );
    assert.ok(!(await jobsStored()).some((p) => p.includes(RACED)));
  });

  it('the same list without the erased customer is queued', async () => {
    const res = await client(f).post('/v1/jobs', { kind: 'retier', period: '2025-10', filter: { subjects: [KEPT] } });
    assert.equal(res.status, 201, await res.clone().text());
  });
});
