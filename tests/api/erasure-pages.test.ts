import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApp } from '@tierkit/api';
import { authHeader, client, forEachDialect } from '../support/api-fixture.js';
import { retentionRunCount } from '../support/audit-records.js';
import { checkedResponses } from '../support/openapi-responses.js';

/*
 * An erasure reads the tenant's jobs and stored Idempotency-Key answers a page at a time (erasure-traces.ts),
 * so what it clears must not depend on where a page ends. A bank that has queued 230 re-tier jobs, each
 * with a key — more than two pages of either — closes two customers, 张三 and 李四, and a retention run
 * erases them: the jobs and answers naming them on the first page, across each page's edge and on the
 * last are cleared; a reason about another customer, 张三丰, is kept wherever it stands; the other
 * bank's jobs and answers about its own 张三 and 李四, with the same numbers, are not touched.
 *
 * Each bank has also run two policy simulations whose chunks keep sample customers by number, the first
 * of more than two pages of chunks (500 a page, walked simulation by simulation): their numbers in a
 * sample on the first page, across its edge and on the last become `erased customer`, a longer number
 * holding one of theirs (C9904010) stays, and the other bank's samples of the same numbers stay.
 */

const ACTIVE = '2019-06-15T02:00:00Z';
const LEFT = '2019-07-01T02:00:00Z';
const ZHANG = ['C990401', '张三'] as const;
const LI = ['C990402', '李四'] as const;
const LIVE = ['C990403', '张三丰'] as const;
const ERASED = 'erased customer';

/** What a job says, and what the erasure leaves of it. */
interface Case {
  readonly subjects: readonly string[];
  readonly reason: string;
  readonly after: { readonly subjects: readonly string[]; readonly reason: string | null };
  /** Its stored answer lists an erased customer's number, so goes. */
  readonly answerErased: boolean;
}
const CASES = {
  listsOne: {
    subjects: [ZHANG[0], LIVE[0]],
    reason: '月末补跑',
    after: { subjects: [ERASED, LIVE[0]], reason: '月末补跑' },
    answerErased: true,
  },
  listsTwo: {
    subjects: [ZHANG[0], LI[0], LIVE[0]],
    reason: `${ZHANG[1]}与${LI[1]}同批补跑`,
    after: { subjects: [ERASED, ERASED, LIVE[0]], reason: null },
    answerErased: true,
  },
  namesOne: {
    subjects: [LIVE[0]],
    reason: `客户${LI[1]}主动销户后补跑`,
    after: { subjects: [LIVE[0]], reason: null },
    answerErased: false,
  },
  withinOther: {
    subjects: [LIVE[0]],
    reason: `为${LIVE[1]}补跑四月`,
    after: { subjects: [LIVE[0]], reason: `为${LIVE[1]}补跑四月` },
    answerErased: false,
  },
} satisfies Record<string, Case>;

/** 230 jobs: pages of 100 are 0–99, 100–199 and 200–229; every other job is plain. */
const JOBS = 230;
const AT: Record<number, keyof typeof CASES> = {
  0: 'listsTwo',
  99: 'namesOne',
  100: 'listsOne',
  120: 'withinOther',
  199: 'listsTwo',
  200: 'namesOne',
  215: 'withinOther',
  229: 'listsOne',
};
const caseOf = (i: number): Case => {
  const special = AT[i];
  if (special !== undefined) return CASES[special];
  const reason = `补跑第${i}批`;
  return { subjects: [LIVE[0]], reason, after: { subjects: [LIVE[0]], reason }, answerErased: false };
};
/** The other bank's jobs, about its own customers with the same numbers and names, queued among the first bank's. */
const OTHER_BANK_EVERY = 50;

/** Chunks of each bank's first simulation: pages of 500 are 0–499, 500–999 and 1000–1009; its second has 3. */
const SIMULATION_CHUNKS = [1_010, 3] as const;
/** A longer customer number holding 张三's (C990401): another customer's, kept. */
const LONGER = `${ZHANG[0]}0`;
/** The sample numbers of a simulation's chunk, by simulation (0, 1) and seq: their own on the pages' edges. */
const samplesOf = (sim: number, seq: number): string[] => {
  if (sim === 0 && seq === 0) return [ZHANG[0], LONGER, LIVE[0]];
  if (sim === 0 && seq === 499) return [LI[0]];
  if (sim === 0 && seq === 500) return [ZHANG[0], LI[0]];
  if (sim === 0 && seq === SIMULATION_CHUNKS[0] - 1) return [LIVE[0], LI[0], LONGER];
  if (sim === 1 && seq === 1) return [ZHANG[0]];
  return [LIVE[0], LONGER];
};
const simulationId = (bank: 'a' | 'b', sim: number) => `sim-${bank}-${sim}`;

forEachDialect('an erasure reads every page of jobs and stored answers', (f) => {
  const appAt = (at: string) => checkedResponses(createApp({ db: f.db.db, now: () => new Date(at), logError: () => undefined }));
  let active: ReturnType<typeof appAt>;
  const key = (bank: 'a' | 'b', i: number) => `${bank}-job-${String(i).padStart(3, '0')}`;
  /** The same job request with its key: the first time it queues the job, then it replays the stored answer. */
  const queue = (bank: 'a' | 'b', i: number, c: Case) =>
    active.request('/v1/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key(bank, i), ...authHeader(f, bank) },
      body: JSON.stringify({ kind: 'retier', period: '2019-05', filter: { subjects: c.subjects }, reason: c.reason }),
    });
  const jobs: { a: string[]; b: string[] } = { a: [], b: [] };
  /** The other bank's jobs list and name its 张三 and 李四, alive. */
  const otherBank = CASES.listsTwo;

  before(async () => {
    active = appAt(ACTIVE);
    for (const bank of ['a', 'b'] as const) {
      const as = client({ ...f, app: active }, bank);
      for (const [id, name] of [ZHANG, LI, LIVE]) await as.customer(id, name);
      for (const [id] of [ZHANG, LI, LIVE])
        assert.equal(
          (
            await as.balances(id, [
              ['2019-04', 100_000],
              ['2019-05', 100_000],
            ])
          ).status,
          200,
        );
    }
    for (let i = 0; i < JOBS; i++) {
      const res = await queue('a', i, caseOf(i));
      assert.equal(res.status, 201, await res.clone().text());
      jobs.a.push(((await res.json()) as { id: string }).id);
      if (i % OTHER_BANK_EVERY === OTHER_BANK_EVERY / 2) {
        const other = await queue('b', jobs.b.length, otherBank);
        assert.equal(other.status, 201, await other.clone().text());
        jobs.b.push(((await other.json()) as { id: string }).id);
      }
    }
    await simulations();
    for (const [id] of [ZHANG, LI]) {
      const closed = await client({ ...f, app: appAt(LEFT) }).post(`/v1/subjects/${id}/close`, { reason: '销户' });
      assert.equal(closed.status, 200, await closed.clone().text());
    }
    const run = await client(f).post('/v1/retention/run', {});
    assert.equal(run.status, 200, await run.clone().text());
    assert.equal(((await run.json()) as { erased: number }).erased, 2);
  });

  /**
   * Each bank's two simulations, written as the worker leaves them (completed, each chunk's result with
   * its cells' samples): running them through the queue would take minutes for a thousand chunks.
   */
  async function simulations() {
    for (const bank of ['a', 'b'] as const)
      for (const [sim, count] of SIMULATION_CHUNKS.entries()) {
        const id = simulationId(bank, sim);
        await f.db.db
          .insertInto('jobs')
          .values({
            id,
            tenant_id: `bank-${bank}`,
            kind: 'simulate',
            status: 'completed',
            params: '{}',
            requested_by: 'key:test',
            schedule_key: null,
            total_chunks: count,
            total_subjects: count,
            error: null,
            created_at: ACTIVE,
            updated_at: ACTIVE,
            finished_at: ACTIVE,
            write_seq: null,
            simulation_scheme: null,
            simulation_version: null,
          })
          .execute();
        const seqs = Array.from({ length: count }, (_, seq) => seq);
        for (let from = 0; from < count; from += 200)
          await f.db.db
            .insertInto('job_chunks')
            .values(
              seqs.slice(from, from + 200).map((seq) => ({
                job_id: id,
                seq,
                tenant_id: `bank-${bank}`,
                first_subject: 's-0',
                last_subject: 's-9',
                subjects: 1,
                status: 'done',
                lease_owner: null,
                lease_expires_at: null,
                attempts: 1,
                result: JSON.stringify({
                  processed: 1,
                  simulation: { cells: [{ from: 'standard', to: 'gold', count: 1, samples: samplesOf(sim, seq) }] },
                }),
                finished_at: ACTIVE,
              })),
            )
            .execute();
      }
  }

  /** Every chunk's samples of a bank's simulations, by simulation and seq. */
  const samplesStored = async (bank: 'a' | 'b') => {
    const out: unknown[] = [];
    for (const sim of SIMULATION_CHUNKS.keys()) {
      const rows = await f.db.db
        .selectFrom('job_chunks')
        .select(['seq', 'result'])
        .where('job_id', '=', simulationId(bank, sim))
        .orderBy('seq')
        .execute();
      for (const r of rows)
        out.push([
          sim,
          Number(r.seq),
          (JSON.parse(r.result ?? '{}') as { simulation: { cells: { samples: string[] }[] } }).simulation.cells[0]?.samples,
        ]);
    }
    return out;
  };
  const erasedIn = (samples: readonly string[]) => samples.map((n) => (n === ZHANG[0] || n === LI[0] ? ERASED : n));

  it('clears their numbers from the simulations’ samples on every page of chunks, and keeps a longer number holding one', async () => {
    const expected = [...SIMULATION_CHUNKS.entries()].flatMap(([sim, count]) =>
      Array.from({ length: count }, (_, seq) => [sim, seq, erasedIn(samplesOf(sim, seq))]),
    );
    assert.deepEqual(await samplesStored('a'), expected);
  });

  it('leaves the other bank’s simulation samples of the same numbers alone', async () => {
    const expected = [...SIMULATION_CHUNKS.entries()].flatMap(([sim, count]) =>
      Array.from({ length: count }, (_, seq) => [sim, seq, samplesOf(sim, seq)]),
    );
    assert.deepEqual(await samplesStored('b'), expected);
  });

  const jobOf = async (bank: 'a' | 'b', id: string) => {
    const res = await client(f, bank).get(`/v1/jobs/${id}`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { params: { filter: { subjects: string[] }; reason: string | null } }).params;
  };

  it('clears the jobs naming them on every page, a job naming both of them too, and keeps the rest as they were', async () => {
    const found: unknown[] = [];
    const expected: unknown[] = [];
    for (const [i, id] of jobs.a.entries()) {
      const params = await jobOf('a', id);
      found.push([i, params.filter.subjects, params.reason]);
      const { after } = caseOf(i);
      expected.push([i, after.subjects, after.reason]);
    }
    assert.deepEqual(found, expected);
  });

  it('clears the stored answers listing them on every page: a retry with their key is refused, and no other answer went', async () => {
    for (const [i, id] of jobs.a.entries()) {
      if (!caseOf(i).answerErased) continue;
      const again = await queue('a', i, caseOf(i));
      assert.equal(again.status, 409, `job ${i} (${id})`);
      assert.equal(((await again.json()) as { type: string }).type, 'https://tierkit.dev/problems/idempotency-key-erased');
    }
    // One of each page naming neither of them (and the other page's count in the record's test below).
    for (const i of [1, 120, 228]) {
      assert.equal(caseOf(i).answerErased, false);
      const replay = await queue('a', i, caseOf(i));
      assert.equal(replay.headers.get('idempotent-replayed'), 'true', `job ${i}'s answer is replayed`);
    }
  });

  it('counts in the run’s record what it cleared, and the reasons kept for naming 张三 only within 张三丰', async () => {
    const sum = (field: string) => retentionRunCount(f.db.db, 'bank-a', field);
    const count = (p: (c: Case) => boolean) => Array.from({ length: JOBS }, (_, i) => caseOf(i)).filter(p).length;
    assert.deepEqual(
      {
        jobFilters: await sum('jobFilters'),
        jobReasons: await sum('jobReasons'),
        idempotentAnswers: await sum('idempotentAnswers'),
        namesWithinOthers: await sum('namesWithinOthers'),
      },
      {
        jobFilters: count((c) => c.after.subjects.includes(ERASED)),
        jobReasons: count((c) => c.after.reason === null),
        idempotentAnswers: count((c) => c.answerErased),
        namesWithinOthers: count((c) => c === CASES.withinOther),
      },
    );
  });

  it('leaves the other bank’s jobs and answers about its own customers with the same numbers and names alone', async () => {
    assert.ok(jobs.b.length >= 4);
    for (const [i, id] of jobs.b.entries()) {
      const params = await jobOf('b', id);
      assert.deepEqual([params.filter.subjects, params.reason], [otherBank.subjects, otherBank.reason]);
      const replay = await queue('b', i, otherBank);
      assert.equal(replay.status, 201, await replay.clone().text());
      assert.equal(replay.headers.get('idempotent-replayed'), 'true', `the other bank's answer ${i}`);
    }
  });
});
