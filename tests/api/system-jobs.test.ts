import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  appendOperatorAudit,
  cliAction,
  countOverdueReviews,
  drainJobs,
  enqueueRetier,
  loadTenantPack,
  queueMonthlyRetiers,
  recordQueuedJob,
  SYNC_REEVALUATION_LIMIT,
  systemAction,
  type Role,
} from '@tierkit/api';
import { findSubjectByExternalId, insertMetrics } from '@tierkit/db';
import { loadBook } from '../support/book.js';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { fourEyesTenant } from '../support/four-eyes-fixture.js';
import { occupyNextAuditPlace } from '../support/audit-squatter.js';
import { retireByTwo } from '../support/retire.js';

/*
 * Jobs the system starts. A policy version approved (or retired) in force on a book too large to
 * re-evaluate in the request queues a re-tier job for the scheme and the current month, named in the
 * answer, which the workers run by themselves; a version approved from a later month is judged by the
 * monthly schedule; the monthly job records the reviews then overdue (levels with `reviewMonths`).
 */

interface Version {
  version: number;
  contentHash: string | null;
  document: Record<string, unknown>;
}
interface Reevaluation {
  status: string;
  fromPeriod: string;
  subjects?: number;
  jobId?: string;
}
interface Job {
  id: string;
  status: string;
  requestedBy: string;
  params: {
    schemes: string[] | null;
    dependents: { scheme: string; reads: string[] }[];
    period: string;
    filter: { kind?: string; evaluatedSince?: string };
    reason: string | null;
  };
  progress: { subjects: { processed: number; skipped: number } };
}

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

const BOOK = SYNC_REEVALUATION_LIMIT + 20;
const DECEMBER_END = new Date('2025-12-31T17:00:00.000Z'); // 2026-01-01 01:00 in Shanghai
const JANUARY_2 = new Date('2026-01-01T17:00:00.000Z'); // 2026-01-02 01:00 in Shanghai

forEachDialect('jobs the system starts', (f: ApiFixture) => {
  const who = (role: Role) => client(f, () => f.keys.roles[role]);
  const officer = who('officer');
  const approver = who('approver');
  const admin = client(f);
  const worker = (now = NOW) => ({ db: f.db.db, now: () => now, pollMs: 1, logError: (e: unknown) => assert.fail(String(e)) });

  /** retail-tier versions by period: how many assignments of the month each version decided. */
  async function versionsAt(period: string): Promise<Record<number, number>> {
    const rows = await f.db.db
      .selectFrom('assignments')
      .select(['policy_version'])
      .where('tenant_id', '=', 'bank-a')
      .where('scheme', '=', 'retail-tier')
      .where('period', '=', period)
      .execute();
    const out: Record<number, number> = {};
    for (const r of rows) out[Number(r.policy_version)] = (out[Number(r.policy_version)] ?? 0) + 1;
    return out;
  }

  async function oldCustomer(): Promise<{ period: string; policyVersion: number }> {
    const a = await f.db.db
      .selectFrom('assignments as a')
      .innerJoin('subjects as s', 's.id', 'a.subject_id')
      .select(['a.period', 'a.policy_version'])
      .where('s.external_id', '=', 'OLD1')
      .where('a.scheme', '=', 'retail-tier')
      .executeTakeFirstOrThrow();
    return { period: a.period, policyVersion: Number(a.policy_version) };
  }

  /** A submitted retail-tier draft with gold from ¥60,000 instead of ¥50,000. */
  async function stricterGold(): Promise<Version> {
    const draft = await ok<Version>(await officer.post('/v1/policies/retail-tier/drafts', {}), 201);
    const doc = JSON.parse(JSON.stringify(draft.document).replace('5000000', '6000000')) as Record<string, unknown>;
    await ok(await officer.put(`/v1/policies/retail-tier/versions/${draft.version}`, { document: doc }));
    return ok<Version>(await officer.post(`/v1/policies/retail-tier/versions/${draft.version}/submit`, {}));
  }

  it('approval in force on a large book queues the job, which judges only the month’s subjects under the new version', async () => {
    await loadBook(f.db.db, 'bank-a', BOOK, ['2025-09', '2025-10', '2025-11'], NOW.toISOString());
    await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-11', now: NOW });
    await drainJobs(worker());
    // A customer judged in October only: a change of policy in November is not theirs yet.
    await ok(await admin.put('/v1/subjects/OLD1', { kind: 'customer', displayName: '赵六' }), 201);
    await ok(
      await admin.put('/v1/subjects/OLD1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 5_500_000 }] }),
    );
    const judged = (await versionsAt('2025-11'))[1] ?? 0;
    assert.ok(judged > SYNC_REEVALUATION_LIMIT, `${judged} judged in November`);

    const v = await stricterGold();
    const approved = await ok<{ reevaluation: Reevaluation }>(
      await approver.post(`/v1/policies/retail-tier/versions/${v.version}/approve`, {
        contentHash: v.contentHash,
        effectiveFrom: '2025-11-01',
        // The month under way, judged again at once: the approver says so (the default is next month).
        confirmRetier: true,
      }),
    );
    assert.equal(approved.reevaluation.status, 'deferred');
    assert.equal(approved.reevaluation.fromPeriod, '2025-11');
    const jobId = approved.reevaluation.jobId;
    assert.ok(jobId, 'the answer names the queued job');
    const queued = await ok<Job>(await admin.get(`/v1/jobs/${jobId}`));
    assert.equal(queued.status, 'running');
    // The policy's scheme, the risk × value matrix that reads its level, and AML, which the matrix reads
    // too: the set a job writes is closed both ways (jobs-dependents.test.ts).
    assert.deepEqual(queued.params.schemes, ['retail-tier', 'aml-test', 'risk-value-test']);
    assert.deepEqual(queued.params.dependents, [
      { scheme: 'aml-test', readBy: ['risk-value-test'] },
      { scheme: 'risk-value-test', reads: ['retail-tier'] },
    ]);
    assert.equal(queued.params.period, '2025-11');
    assert.deepEqual(queued.params.filter, { evaluatedSince: '2025-11', kind: 'customer' });
    assert.deepEqual(await versionsAt('2025-11'), { 1: judged }, 'nothing judged before a worker runs it');

    await drainJobs(worker());
    const done = await ok<Job>(await admin.get(`/v1/jobs/${jobId}`));
    assert.equal(done.status, 'completed');
    assert.equal(done.progress.subjects.processed, judged);
    assert.deepEqual(await versionsAt('2025-11'), { [v.version]: judged });
    assert.deepEqual(await oldCustomer(), { period: '2025-10', policyVersion: 1 }, 'not judged early');

    // Retiring it queues the same re-evaluation: version 1 decides November again.
    const retired = await ok<{ status: string; reevaluation?: Reevaluation }>(
      await retireByTwo(approver.post, admin.post, 'retail-tier', v.version, 'too strict'),
    );
    assert.equal(retired.status, 'retired');
    assert.equal(retired.reevaluation?.status, 'deferred');
    assert.ok(retired.reevaluation?.jobId);
    assert.deepEqual(await versionsAt('2025-11'), { [v.version]: judged });
    await drainJobs(worker());
    assert.equal((await ok<Job>(await admin.get(`/v1/jobs/${retired.reevaluation?.jobId}`))).status, 'completed');
    assert.deepEqual(await versionsAt('2025-11'), { 1: judged });
  });

  it('a version approved from a later month is judged by the monthly schedule when that month ends', async () => {
    const v = await stricterGold();
    const approved = await ok<{ reevaluation: Reevaluation }>(
      await approver.post(`/v1/policies/retail-tier/versions/${v.version}/approve`, {
        contentHash: v.contentHash,
        effectiveFrom: '2025-12-01',
      }),
    );
    assert.deepEqual(approved.reevaluation, { status: 'scheduled', fromPeriod: '2025-12' });
    const november = (await versionsAt('2025-11'))[1] ?? 0;
    assert.ok(november > SYNC_REEVALUATION_LIMIT);
    // The schedule waits for December's data: the warehouse loads it on 1 January (10:00 in Shanghai).
    assert.deepEqual(await queueMonthlyRetiers(f.db.db, DECEMBER_END, 'Asia/Shanghai'), []);
    const balances = await f.db.db
      .selectFrom('metrics')
      .select(['tenant_id', 'subject_id', 'metric', 'value'])
      .where('tenant_id', '=', 'bank-a')
      .where('period', '=', '2025-11')
      .where('metric', '=', 'avg_daily_balance')
      .execute();
    await insertMetrics(
      f.db.db,
      balances.map((m) => ({ tenant_id: m.tenant_id, subject_id: m.subject_id, metric: m.metric, period: '2025-12', value: m.value })),
      '2026-01-01T02:00:00.000Z',
    );
    assert.ok((await queueMonthlyRetiers(f.db.db, JANUARY_2, 'Asia/Shanghai')).length > 0);
    await drainJobs(worker(DECEMBER_END));
    assert.deepEqual(await versionsAt('2025-12'), { [v.version]: november + 1 }, 'every customer’s December judged by the new version');
  });

  it('the monthly job counts the reviews overdue by level, as GET /v1/reviews/overdue lists them', async () => {
    // aml-test here: high is reviewed every 6 months, low every 12; the levels start on NOW (2025-11-15).
    const r = await fourEyesTenant(f, 'reviews', NOW);
    for (const [id, score] of [
      ['RV1', 95],
      ['RV2', 10],
      ['RV3', 95],
    ] as const) {
      await ok(await r.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      await ok(
        await r.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'aml_customer_risk', period: '2025-11', value: score }],
        }),
      );
    }
    const pack = await loadTenantPack(f.db.db, 'reviews');
    const shanghai = (at: string) => countOverdueReviews(f.db.db, pack, new Date(at), 'Asia/Shanghai');
    assert.deepEqual(await shanghai('2026-05-01T00:00:00Z'), { total: 0, byLevel: [] });
    // Six months after 15 November (noon in Shanghai, the evening of the 14th in Los Angeles) are due
    // on the 15th, or the 14th, of May in the bank's own calendar.
    const mid = '2026-05-14T10:00:00Z';
    assert.deepEqual(await shanghai(mid), { total: 0, byLevel: [] });
    assert.deepEqual(await countOverdueReviews(f.db.db, pack, new Date(mid), 'America/Los_Angeles'), {
      total: 2,
      byLevel: [{ scheme: 'aml-test', level: 'high', count: 2 }],
    });
    assert.deepEqual(await shanghai('2026-11-20T00:00:00Z'), {
      total: 3,
      byLevel: [
        { scheme: 'aml-test', level: 'high', count: 2 },
        { scheme: 'aml-test', level: 'low', count: 1 },
      ],
    });
    // The schedule on 1 June 2026 (Shanghai) queues May's job, once May's data is in, and says what is overdue then.
    const rv1 = await findSubjectByExternalId(f.db.db, 'reviews', 'RV1');
    assert.ok(rv1);
    await insertMetrics(
      f.db.db,
      // May's balances: the AML score, read as the latest observation, does not make a month loaded.
      [{ tenant_id: 'reviews', subject_id: rv1.id, metric: 'avg_daily_balance', period: '2026-05', value: 9_000_000 }],
      '2026-05-31T01:00:00.000Z',
    );
    const june = new Date('2026-05-31T16:30:00.000Z');
    // A command recorded while the tick reads the book, after the tick began: the schedule's record,
    // appended later, must not carry the tick's start and sort before it.
    await appendOperatorAudit(f.db.db, 'reviews', cliAction('tierkit jobs list'), { status: 200, at: new Date(june.getTime() + 60_000) });
    await queueMonthlyRetiers(f.db.db, june, 'Asia/Shanghai');
    const tail = await f.db.db
      .selectFrom('audit_records')
      .select(['at', 'method'])
      .where('chain', '=', 'reviews')
      .orderBy('seq', 'desc')
      .limit(2)
      .execute();
    assert.deepEqual(
      tail.map((t) => t.method),
      ['SCHEDULE', 'CLI'],
    );
    assert.ok(
      String(tail[0]?.at) >= String(tail[1]?.at),
      `the schedule's record (${tail[0]?.at}) sorts before the one appended first (${tail[1]?.at})`,
    );
    const job = await f.db.db
      .selectFrom('jobs')
      .select(['params'])
      .where('tenant_id', '=', 'reviews')
      .where('schedule_key', '=', 'monthly:2026-05')
      .executeTakeFirstOrThrow();
    assert.equal(
      (JSON.parse(job.params) as { reason: string }).reason,
      'monthly re-evaluation of 2026-05; 2 reviews overdue (aml-test high 2): GET /v1/reviews/overdue lists them',
    );
    assert.deepEqual(await queueMonthlyRetiers(f.db.db, june, 'Asia/Shanghai'), [], 'queued once');
    // Queued by the server itself: the trail says so, once, and an admin finds it by its method.
    const queuedJob = await f.db.db
      .selectFrom('jobs')
      .select(['id'])
      .where('tenant_id', '=', 'reviews')
      .where('schedule_key', '=', 'monthly:2026-05')
      .executeTakeFirstOrThrow();
    const trail = await ok<{
      items: { actor: string; credential: string; method: string; route: string; target: unknown; status: number; detail: unknown }[];
    }>(await r.req('admin', 'GET', '/v1/audit?method=SCHEDULE'));
    assert.deepEqual(
      trail.items.map(({ actor, credential, method, route, target, status, detail }) => ({
        actor,
        credential,
        method,
        route,
        target,
        status,
        detail,
      })),
      [
        {
          actor: 'system:schedule',
          credential: 'system',
          method: 'SCHEDULE',
          route: 'monthly re-tier',
          target: { job: queuedJob.id },
          status: 201,
          detail: {
            job: queuedJob.id,
            period: '2026-05',
            reason: 'monthly re-evaluation of 2026-05; 2 reviews overdue (aml-test high 2): GET /v1/reviews/overdue lists them',
          },
        },
      ],
    );
  });
  it('a monthly job whose audit record cannot be written is cancelled before a worker runs it, and the month waits for a person', async () => {
    const r = await fourEyesTenant(f, 'unrecorded', NOW);
    await ok(await r.req('officer', 'PUT', '/v1/subjects/UR1', { kind: 'customer', displayName: '王芳' }), 201);
    const ur1 = await findSubjectByExternalId(f.db.db, 'unrecorded', 'UR1');
    assert.ok(ur1);
    await insertMetrics(
      f.db.db,
      [{ tenant_id: 'unrecorded', subject_id: ur1.id, metric: 'avg_daily_balance', period: '2026-05', value: 1_000_00 }],
      '2026-05-31T01:00:00.000Z',
    );
    // A record squatting on the chain's next place makes the append fail, as a broken audit table would.
    await occupyNextAuditPlace(f.db.db, 'unrecorded', NOW);
    const june = new Date('2026-05-31T16:30:00.000Z');
    await assert.rejects(queueMonthlyRetiers(f.db.db, june, 'Asia/Shanghai'), /was cancelled: its audit record could not be written/);
    const job = await f.db.db
      .selectFrom('jobs')
      .select(['status'])
      .where('tenant_id', '=', 'unrecorded')
      .where('schedule_key', '=', 'monthly:2026-05')
      .executeTakeFirstOrThrow();
    assert.equal(job.status, 'cancelled');
    const waits: string[] = [];
    await queueMonthlyRetiers(f.db.db, june, 'Asia/Shanghai', { onWait: (w) => w.tenantId === 'unrecorded' && waits.push(w.state) });
    assert.deepEqual(waits, ['job-cancelled'], 'not queued again behind a person’s back');
    // A worker may finish the job before the cancel reaches it: the error must not claim it was cancelled.
    const done = await f.db.db
      .selectFrom('jobs')
      .select(['id'])
      .where('tenant_id', '=', 'unrecorded')
      .where('schedule_key', '=', 'monthly:2026-05')
      .executeTakeFirstOrThrow();
    await f.db.db.updateTable('jobs').set({ status: 'completed' }).where('id', '=', done.id).execute();
    const failed = await recordQueuedJob(f.db.db, 'unrecorded', systemAction('schedule', 'monthly re-tier'), done.id, {
      job: done.id,
    }).then(
      () => assert.fail('the record was written over the squatter'),
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    assert.match(failed, new RegExp(`^job ${done.id} could not be cancelled \\(Job ${done.id} is completed; `));
    assert.doesNotMatch(failed, /was cancelled/);
  });
});
