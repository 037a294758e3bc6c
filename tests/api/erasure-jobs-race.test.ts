import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApp } from '@tierkit/api';
import { eraseSubjects, isPostgres, type KeptMentions, walkKeptMentions } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';
import { backendPid, blockedBy } from '../support/pg-lock-waits.js';

/*
 * Two erasures at once, of different customers listed by the same re-tier job (two chunks, or a run and
 * a rescrub, on two servers): each reads the job's params, clears its own numbers and writes them back.
 * Written back whole over what the other wrote meanwhile, the second put the first one's customer's
 * number back in the job. The write now holds only if the params are still as read (erasure-traces.ts,
 * eraseFromJobs), and the job is read again and cleared from what the other left otherwise. The same
 * holds for a retention run's chunk that re-reads only the jobs its run's walk found naming its
 * customers (erasure-walk.ts): the walk was made before the first erasure's clearing.
 */

const ACTIVE = '2019-06-15T02:00:00Z';
const FIRST = 'C990501';
const SECOND = 'C990502';
const KEPT = 'C990503';
/** The second job's customers, for the second erasure made with a walk. */
const WALKED = [
  ['C990504', '欧阳修近'],
  ['C990505', '李五'],
] as const;

forEachDialect('two erasures of customers one job lists, at once', (f) => {
  // The app is built once the fixture has its database.
  const at = () => client({ ...f, app: createApp({ db: f.db.db, now: () => new Date(ACTIVE), logError: () => undefined }) }, 'a');
  let job = '';
  let walkedJob = '';
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
    for (const [id, name] of [[FIRST, '欧阳修远'], [SECOND, '李四'], [KEPT, '王五'], ...WALKED] as const) {
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
    const again = await at().post('/v1/jobs', {
      kind: 'retier',
      period: '2019-05',
      filter: { subjects: [WALKED[0][0], WALKED[1][0], KEPT] },
      reason: '补跑',
    });
    assert.equal(again.status, 201, await again.clone().text());
    walkedJob = ((await again.json()) as { id: string }).id;
  });

  /**
   * The first erasure of `first` held open once it rewrote the job, then the second of `second` (with
   * `walked`, a walk made before the first began): the second's count and the job's filter after both.
   */
  async function race(first: string, second: string, walked?: KeptMentions) {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let cleared = (_pid: number) => {};
    const firstDone = new Promise<number>((r) => {
      cleared = r;
    });
    const firstErasure = f.db.db.transaction().execute(async (trx) => {
      await eraseSubjects(trx, 'bank-a', [first], new Date().toISOString());
      cleared(await backendPid(trx));
      await held;
    });
    const holder = await firstDone;
    const secondErasure = f.db.db.transaction().execute((trx) => eraseSubjects(trx, 'bank-a', [second], new Date().toISOString(), walked));
    await blockedBy(f.db.db, holder);
    release();
    await firstErasure;
    return secondErasure;
  }

  it('keeps both clearings: the second, having read the job before the first committed, clears it again from what the first left (PostgreSQL)', async (t) => {
    if (!isPostgres(f.db.db)) return t.skip('SQLite has one writer: a second erasure reads the job after the first committed');
    const counts = await race(await idOf(FIRST), await idOf(SECOND));
    assert.equal(counts.jobFilters, 1);
    const res = await client(f).get(`/v1/jobs/${job}`);
    assert.equal(res.status, 200);
    const { params } = (await res.json()) as { params: { filter: { subjects: string[] } } };
    assert.deepEqual(params.filter.subjects, ['erased customer', 'erased customer', KEPT]);
  });

  it('keeps both clearings when the second re-reads only the jobs its walk found naming its customer (PostgreSQL)', async (t) => {
    if (!isPostgres(f.db.db)) return t.skip('SQLite has one writer: a second erasure reads the job after the first committed');
    const [first, second] = [await idOf(WALKED[0][0]), await idOf(WALKED[1][0])];
    const walked = await walkKeptMentions(f.db.db, 'bank-a', { numbers: [WALKED[1][0]], names: [WALKED[1][1]] }, new Date());
    const counts = await race(first, second, walked);
    assert.equal(counts.jobFilters, 1);
    const res = await client(f).get(`/v1/jobs/${walkedJob}`);
    assert.equal(res.status, 200);
    const { params } = (await res.json()) as { params: { filter: { subjects: string[] } } };
    assert.deepEqual(params.filter.subjects, ['erased customer', 'erased customer', KEPT]);
  });
});
