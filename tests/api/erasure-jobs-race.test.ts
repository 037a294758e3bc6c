import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApp } from '@tierkit/api';
import { eraseSubjects, isPostgres } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';
import { backendPid, blockedBy } from '../support/pg-lock-waits.js';

/*
 * Two erasures at once, of different customers listed by the same re-tier job (two chunks, or a run and
 * a rescrub, on two servers): each reads the job's params, clears its own numbers and writes them back.
 * Written back whole over what the other wrote meanwhile, the second put the first one's customer's
 * number back in the job. The write now holds only if the params are still as read (erasure-traces.ts,
 * eraseFromJobs), and the job is read again and cleared from what the other left otherwise.
 */

const ACTIVE = '2019-06-15T02:00:00Z';
const FIRST = 'C990501';
const SECOND = 'C990502';
const KEPT = 'C990503';

forEachDialect('two erasures of customers one job lists, at once', (f) => {
  // The app is built once the fixture has its database.
  const at = () => client({ ...f, app: createApp({ db: f.db.db, now: () => new Date(ACTIVE), logError: () => undefined }) }, 'a');
  let job = '';
  const idOf = async (number: string) =>
    (
      await f.db.db
        .selectFrom('subjects')
        .select('id')
        .where('tenant_id', '=', 'bank-a')
        .where('external_id', '=', number)
        .executeTakeFirstOrThrow()
    ).id;

  before(async () => {
    for (const [id, name] of [
      [FIRST, '欧阳修远'],
      [SECOND, '李四'],
      [KEPT, '王五'],
    ] as const) {
      await at().customer(id, name);
      assert.equal((await at().balances(id, [['2019-05', 100_000]])).status, 200);
    }
    const queued = await at().post('/v1/jobs', {
      kind: 'retier',
      period: '2019-05',
      filter: { subjects: [FIRST, SECOND, KEPT] },
      reason: '补跑',
    });
    assert.equal(queued.status, 201, await queued.clone().text());
    job = ((await queued.json()) as { id: string }).id;
  });

  it('keeps both clearings: the second, having read the job before the first committed, clears it again from what the first left (PostgreSQL)', async (t) => {
    if (!isPostgres(f.db.db)) return t.skip('SQLite has one writer: a second erasure reads the job after the first committed');
    const [first, second] = [await idOf(FIRST), await idOf(SECOND)];
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let cleared = (_pid: number) => {};
    const firstDone = new Promise<number>((r) => {
      cleared = r;
    });
    // The first erasure, its transaction held open once it has rewritten the job.
    const firstErasure = f.db.db.transaction().execute(async (trx) => {
      await eraseSubjects(trx, 'bank-a', [first], new Date().toISOString());
      cleared(await backendPid(trx));
      await held;
    });
    const holder = await firstDone;
    // The second reads the job as it was committed (the first's clearing not yet), and its write waits for the first's row lock.
    const secondErasure = f.db.db.transaction().execute((trx) => eraseSubjects(trx, 'bank-a', [second], new Date().toISOString()));
    await blockedBy(f.db.db, holder);
    release();
    await firstErasure;
    const counts = await secondErasure;
    assert.equal(counts.jobFilters, 1);
    const res = await client(f).get(`/v1/jobs/${job}`);
    assert.equal(res.status, 200);
    const { params } = (await res.json()) as { params: { filter: { subjects: string[] } } };
    assert.deepEqual(params.filter.subjects, ['erased customer', 'erased customer', KEPT]);
  });
});
