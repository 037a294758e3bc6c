import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { cliAction, createApp, retentionClock, runRetention } from '@tierkit/api';
import { DEFAULT_TIME_ZONE } from '@tierkit/core';
import { eraseSubjects, erasableSubjectIds, walkForErasable, type Executor, type KeptMentions } from '@tierkit/db';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';

/*
 * A retention run reads the tenant's jobs and simulation chunks once for many chunks of customers
 * (erasure-walk.ts), and each chunk reads again only what that walk found naming its own customers
 * (docs/operations.md, "Retention and erasure"). What the walk cannot have seen must still go: a job
 * queued after it, inside its margin or stamped before it (a clock behind: found by the count of jobs),
 * a simulation queued or given chunks after it, a simulation chunk done after it, a customer renamed
 * after it (looked for by a read of every record, as before). And a run stopped after any chunk leaves no customer erased and still
 * named in a job or a simulation chunk; the next run finishes, and the other bank is not touched.
 */

const ACTIVE = '2019-06-15T02:00:00Z';
const LEFT = '2019-07-01T02:00:00Z';
const ERASED = 'erased customer';
/** Bank A's customers erased by one chunk with a walk made before what comes after it. */
const A = [
  ['C990601', '周一'],
  ['C990602', '周二'],
  ['C990603', '周三'],
] as const;
/** Bank A's third customer, renamed after the walk: the walk looked for 周三, not 郑三. */
const RENAMED = '郑三';
/** Bank B's customers, erased by a run stopped after its first chunk, then by a second run. */
const B = [
  ['C990701', '吴五'],
  ['C990702', '吴六'],
  ['C990703', '吴七'],
] as const;
const LIVE = ['C990609', '王九'] as const;

/** A job or a simulation as stored, written directly: queued at `createdAt`. */
async function storeJob(db: Executor, tenant: string, id: string, kind: string, params: unknown, createdAt: string, totalChunks = 1) {
  await db
    .insertInto('jobs')
    .values({
      id,
      tenant_id: tenant,
      kind,
      status: kind === 'simulate' ? 'running' : 'completed',
      params: JSON.stringify(params),
      requested_by: 'key:test',
      schedule_key: null,
      total_chunks: totalChunks,
      total_subjects: 1,
      error: null,
      created_at: createdAt,
      updated_at: createdAt,
      finished_at: null,
      write_seq: null,
      simulation_scheme: null,
      simulation_version: null,
    })
    .execute();
}

/** A simulation chunk: done with these sample numbers, or pending (null). */
async function storeChunk(db: Executor, tenant: string, job: string, seq: number, samples: readonly string[] | null) {
  await db
    .insertInto('job_chunks')
    .values({
      job_id: job,
      seq,
      tenant_id: tenant,
      first_subject: 's-0',
      last_subject: 's-9',
      subjects: 1,
      status: samples ? 'done' : 'pending',
      lease_owner: null,
      lease_expires_at: null,
      attempts: 0,
      result: samples ? resultOf(samples) : null,
      finished_at: samples ? ACTIVE : null,
    })
    .execute();
}

const resultOf = (samples: readonly string[]) =>
  JSON.stringify({
    processed: 1,
    simulation: {
      cells: [{ from: 'standard', to: 'gold', count: 1, samples }],
    },
  });

forEachDialect('an erasure run walks the jobs and simulation chunks once for many chunks', (f) => {
  const appAt = (at: string) =>
    createApp({
      db: f.db.db,
      now: () => new Date(at),
      logError: () => undefined,
    });
  const params = async (id: string) =>
    JSON.parse((await f.db.db.selectFrom('jobs').select('params').where('id', '=', id).executeTakeFirstOrThrow()).params) as {
      filter?: { subjects: string[] };
      reason: string | null;
    };
  const samples = async (job: string, seq: number) => {
    const r = await f.db.db
      .selectFrom('job_chunks')
      .select('result')
      .where('job_id', '=', job)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();
    return (
      JSON.parse(r.result ?? '{}') as {
        simulation: { cells: { samples: string[] }[] };
      }
    ).simulation.cells[0]?.samples;
  };
  /** Everything the bank's jobs and simulation chunks hold, as one text. */
  const kept = async (tenant: string) => {
    const jobs = await f.db.db.selectFrom('jobs').select('params').where('tenant_id', '=', tenant).execute();
    const chunks = await f.db.db.selectFrom('job_chunks').select('result').where('tenant_id', '=', tenant).execute();
    return [...jobs.map((j) => j.params), ...chunks.map((c) => c.result ?? '')].join('\n');
  };
  const erasedOf = async (tenant: string) =>
    new Set(
      (
        await f.db.db
          .selectFrom('subjects')
          .select('external_id')
          .where('tenant_id', '=', tenant)
          .where('erased_at', 'is not', null)
          .execute()
      ).map((r) => r.external_id),
    );

  /** The jobs an erasure of the bank's erasable customers changes (with a walk, or without), rolled back. */
  const changedBy = async (tenant: string, clock: ReturnType<typeof retentionClock>, walked?: KeptMentions) => {
    const before = new Map(
      (await f.db.db.selectFrom('jobs').select(['id', 'params']).where('tenant_id', '=', tenant).execute()).map((j) => [j.id, j.params]),
    );
    const changed = new Map<string, string>();
    await assert.rejects(
      f.db.db.transaction().execute(async (trx) => {
        await eraseSubjects(trx, tenant, await erasableSubjectIds(trx, tenant, clock, 100), new Date().toISOString(), walked);
        const after = await trx.selectFrom('jobs').select(['id', 'params']).where('tenant_id', '=', tenant).execute();
        for (const j of after) if (before.get(j.id) !== j.params) changed.set(j.id, j.params);
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    return changed;
  };

  before(async () => {
    for (const [bank, people] of [
      ['a', A],
      ['b', B],
    ] as const) {
      const as = client({ ...f, app: appAt(ACTIVE) }, bank);
      for (const [id, name] of [...people, LIVE]) {
        await as.customer(id, name);
        assert.equal((await as.balances(id, [['2019-05', 100_000]])).status, 200);
      }
      for (const [id] of people) {
        const closed = await client({ ...f, app: appAt(LEFT) }, bank).post(`/v1/subjects/${id}/close`, { reason: '销户' });
        assert.equal(closed.status, 200, await closed.clone().text());
      }
      const tenant = `bank-${bank}`;
      const numbers = people.map(([n]) => n);
      await storeJob(f.db.db, tenant, `${bank}-listed`, 'retier', { filter: { subjects: [...numbers, LIVE[0]] }, reason: '补跑' }, ACTIVE);
      for (const [i, [, name]] of people.entries())
        await storeJob(
          f.db.db,
          tenant,
          `${bank}-named-${i}`,
          'retier',
          { filter: { subjects: [LIVE[0]] }, reason: `客户${name}来电补跑` },
          ACTIVE,
        );
      // Typed about bank A's third customer by the name they have after the walk.
      await storeJob(f.db.db, tenant, `${bank}-renamed`, 'retier', { filter: { subjects: [LIVE[0]] }, reason: `${RENAMED}补跑` }, ACTIVE);
      await storeJob(f.db.db, tenant, `${bank}-sim`, 'simulate', {}, ACTIVE, 3);
      // A number as a whole token in a reason, and in a filter beside a value that is not a string.
      await storeJob(
        f.db.db,
        tenant,
        `${bank}-token`,
        'retier',
        { filter: { subjects: [LIVE[0], 7, numbers[1]] }, reason: `按${numbers[2]}的补录` },
        ACTIVE,
      );
      // A simulation whose second chunk is written after the walk (insertJob: the job first, then its chunks).
      await storeJob(f.db.db, tenant, `${bank}-sim-partial`, 'simulate', {}, ACTIVE, 2);
      await storeChunk(f.db.db, tenant, `${bank}-sim-partial`, 0, [LIVE[0]]);
      // Simulations with a chunk pending at the walk: one cancelled before it, one cancelled after it.
      for (const id of [`${bank}-sim-stopped`, `${bank}-sim-stops`]) {
        await storeJob(f.db.db, tenant, id, 'simulate', {}, ACTIVE);
        await storeChunk(f.db.db, tenant, id, 0, null);
      }
      await f.db.db.updateTable('jobs').set({ status: 'cancelled' }).where('id', '=', `${bank}-sim-stopped`).execute();
      // Read by the walk naming no one; its params edited afterwards, as nothing in tierkit does.
      await storeJob(f.db.db, tenant, `${bank}-quiet`, 'retier', { filter: { subjects: [LIVE[0]] }, reason: '补跑' }, ACTIVE);
      await storeChunk(f.db.db, tenant, `${bank}-sim`, 0, [numbers[0] ?? '', LIVE[0]]);
      await storeChunk(f.db.db, tenant, `${bank}-sim`, 1, numbers);
      await storeChunk(f.db.db, tenant, `${bank}-sim`, 2, null);
    }
  });

  it('clears what the walk could not see: a job queued after it, a simulation chunk done after it, a customer renamed after it', async () => {
    const clock = retentionClock(NOW, 5, DEFAULT_TIME_ZONE);
    const walked = await walkForErasable(f.db.db, 'bank-a', clock, 100, undefined, new Date());
    const [first, second, third] = A;
    // What an erasure without the walk would change (rolled back) is among what the walk noted.
    const changed = await changedBy('bank-a', clock);
    assert.ok(changed.size >= 5, [...changed.keys()].join());
    const noted = walked.jobsFor({ numbers: A.map(([n]) => n), names: A.map(([, name]) => name) });
    assert.deepEqual(
      [...changed.keys()].filter((id) => !noted.has(id)),
      [],
    );
    // Only what the walk noted, and what it cannot have seen, is read again given the walk: a job the
    // walk read naming no one, edited since (nothing in tierkit edits a job's params but an erasure), is
    // left; a full read would clear it.
    await f.db.db
      .updateTable('jobs')
      .set({ params: JSON.stringify({ filter: { subjects: [first[0]] }, reason: null }) })
      .where('id', '=', 'a-quiet')
      .execute();
    assert.ok(!(await changedBy('bank-a', clock, walked)).has('a-quiet'));
    assert.equal(walked.outdated, false);
    // Stamped before the walk's margin yet written after the walk (a server clock behind): only the
    // count of the jobs before the margin tells the chunk that the walk did not see it, and the chunk
    // then reads every job (the edited one too) and marks the walk outdated. Rolled back, and the job
    // taken out again, for the rest of this test to see the walk's own path.
    await storeJob(
      f.db.db,
      'bank-a',
      'a-behind',
      'retier',
      { filter: { subjects: [first[0], LIVE[0]] }, reason: `${first[1]}补跑` },
      new Date(Date.now() - 11 * 60_000).toISOString(),
    );
    const behind = await changedBy('bank-a', clock, walked);
    assert.deepEqual(JSON.parse(behind.get('a-behind') ?? '{}'), { filter: { subjects: [ERASED, LIVE[0]] }, reason: null });
    assert.ok(behind.has('a-quiet'));
    assert.equal(walked.outdated, true);
    await f.db.db.deleteFrom('jobs').where('id', '=', 'a-behind').execute();
    await storeJob(
      f.db.db,
      'bank-a',
      'a-late',
      'retier',
      {
        filter: { subjects: [second[0], LIVE[0]] },
        reason: `${second[1]}补跑`,
      },
      new Date().toISOString(),
    );
    // Stamped inside the walk's margin, written after it: read whole by the chunk.
    await storeJob(
      f.db.db,
      'bank-a',
      'a-margin',
      'retier',
      { filter: { subjects: [LIVE[0]] }, reason: `${first[0]}补跑` },
      new Date(Date.now() - 5 * 60_000).toISOString(),
    );
    // A simulation queued since the walk: its chunks are read whole.
    await storeJob(f.db.db, 'bank-a', 'a-sim-late', 'simulate', {}, new Date().toISOString());
    await storeChunk(f.db.db, 'bank-a', 'a-sim-late', 0, [first[0], LIVE[0]]);
    await storeChunk(f.db.db, 'bank-a', 'a-sim-partial', 1, [first[0], LIVE[0]]);
    // A chunk done after the walk, then its simulation cancelled (setJobStatus stamps updated_at); and a
    // result written into a chunk of the simulation cancelled before the walk, as nothing in tierkit does
    // (completeChunk requires a running simulation).
    for (const id of ['a-sim-stops', 'a-sim-stopped'])
      await f.db.db
        .updateTable('job_chunks')
        .set({ status: 'done', result: resultOf([first[0], LIVE[0]]) })
        .where('job_id', '=', id)
        .execute();
    await f.db.db
      .updateTable('jobs')
      .set({ status: 'cancelled', updated_at: new Date().toISOString() })
      .where('id', '=', 'a-sim-stops')
      .execute();
    await f.db.db
      .updateTable('job_chunks')
      .set({ status: 'done', result: resultOf([second[0], LIVE[0]]) })
      .where('job_id', '=', 'a-sim')
      .where('seq', '=', 2)
      .execute();
    await f.db.db
      .updateTable('subjects')
      .set({ display_name: RENAMED })
      .where('tenant_id', '=', 'bank-a')
      .where('external_id', '=', third[0])
      .execute();
    const otherBank = await kept('bank-b');
    const counts = await f.db.db.transaction().execute(async (trx) => {
      const ids = await erasableSubjectIds(trx, 'bank-a', clock, 100);
      assert.equal(ids.length, A.length);
      return eraseSubjects(trx, 'bank-a', ids, new Date().toISOString(), walked);
    });
    assert.deepEqual(await params('a-listed'), {
      filter: { subjects: [ERASED, ERASED, ERASED, LIVE[0]] },
      reason: '补跑',
    });
    assert.equal((await params('a-named-0')).reason, null);
    assert.equal((await params('a-named-1')).reason, null);
    // Names are compared as stored at the erasure (docs/operations.md): the walk's 周三 is no longer theirs.
    assert.equal((await params('a-named-2')).reason, `客户${third[1]}来电补跑`);
    assert.deepEqual(await params('a-late'), {
      filter: { subjects: [ERASED, LIVE[0]] },
      reason: null,
    });
    assert.equal((await params('a-margin')).reason, null);
    assert.deepEqual(await params('a-token'), {
      filter: { subjects: [LIVE[0], 7, ERASED] },
      reason: null,
    });
    assert.deepEqual(await samples('a-sim-late', 0), [ERASED, LIVE[0]]);
    assert.deepEqual(await samples('a-sim-partial', 1), [ERASED, LIVE[0]]);
    assert.deepEqual(await samples('a-sim-stops', 0), [ERASED, LIVE[0]]);
    // Not read again: stopped before the walk, its pending chunks get no result.
    assert.deepEqual(await samples('a-sim-stopped', 0), [first[0], LIVE[0]]);
    await f.db.db
      .updateTable('job_chunks')
      .set({ result: resultOf([ERASED, LIVE[0]]) })
      .where('job_id', '=', 'a-sim-stopped')
      .execute();
    // Given the walk, the edited job was not read again (a full read would have cleared it); cleared
    // here by hand for the check of the whole bank below.
    assert.deepEqual(await params('a-quiet'), { filter: { subjects: [first[0]] }, reason: null });
    await f.db.db
      .updateTable('jobs')
      .set({ params: JSON.stringify({ filter: { subjects: [ERASED] }, reason: null }) })
      .where('id', '=', 'a-quiet')
      .execute();
    assert.equal((await params('a-renamed')).reason, null);
    assert.deepEqual(await samples('a-sim', 0), [ERASED, LIVE[0]]);
    assert.deepEqual(await samples('a-sim', 1), [ERASED, ERASED, ERASED]);
    assert.deepEqual(await samples('a-sim', 2), [ERASED, LIVE[0]]);
    // Filters (3): the list, the late job's, the token job's. Reasons (6): 周一's and 周二's (周三's is no
    // longer theirs), the late one, the one stamped inside the margin, the token job's, the renamed one.
    assert.deepEqual([counts.jobFilters, counts.jobReasons], [3, 6]);
    assert.ok(!(await kept('bank-a')).includes(first[0]));
    assert.equal(await kept('bank-b'), otherBank);
  });

  it('a run stopped after a chunk leaves no customer erased and still named; the next run finishes; the other bank is untouched', async () => {
    const otherBank = await kept('bank-a');
    const run = (stopAfter?: number, afterChunk?: (erased: number) => Promise<void>) =>
      runRetention(f.db.db, 'bank-b', {
        now: NOW,
        timeZone: DEFAULT_TIME_ZONE,
        dryRun: false,
        action: cliAction('tierkit retention run'),
        chunkSubjects: 1,
        walkChunks: 2,
        onChunk: async (erased) => {
          if (erased === stopAfter) throw new Error('stopped');
          await afterChunk?.(erased);
        },
      });
    await assert.rejects(run(1), /stopped/);
    const named = (text: string) => B.filter(([n, name]) => text.includes(n) || text.includes(name)).map(([n]) => n);
    const erased = await erasedOf('bank-b');
    assert.equal(erased.size, 1);
    assert.deepEqual(
      named(await kept('bank-b')),
      B.map(([n]) => n).filter((n) => !erased.has(n)),
    );
    // Queued between two chunks of one walk, stamped behind the walk's margin (a server clock behind),
    // naming the customer the next chunk erases.
    let left: (typeof B)[number] = B[0];
    const rest = await run(undefined, async (n) => {
      if (n !== 1) return;
      const gone = await erasedOf('bank-b');
      left = B.find(([id]) => !gone.has(id)) ?? B[0];
      await storeJob(
        f.db.db,
        'bank-b',
        'b-behind',
        'retier',
        { filter: { subjects: [left[0], LIVE[0]] }, reason: `${left[1]}补跑` },
        new Date(Date.now() - 11 * 60_000).toISOString(),
      );
    });
    assert.deepEqual(await params('b-behind'), { filter: { subjects: [ERASED, LIVE[0]] }, reason: null });
    assert.equal(rest.erased, B.length - 1);
    assert.equal((await erasedOf('bank-b')).size, B.length);
    assert.deepEqual(named(await kept('bank-b')), []);
    assert.deepEqual(await params('b-listed'), {
      filter: { subjects: [ERASED, ERASED, ERASED, LIVE[0]] },
      reason: '补跑',
    });
    assert.equal(await kept('bank-a'), otherBank);
  });
});
