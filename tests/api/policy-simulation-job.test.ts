import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, createApp, drainJobs, enqueueRetier, provisionTenant, workOnce, type JobView } from '@tierkit/api';
import type { PolicySimulation, Problem } from '@tierkit/core';
import { claimChunk, updatePolicyVersion } from '@tierkit/db';
import { jobLine } from '../../packages/cli/src/job-output.js';
import { loadBook } from '../support/book.js';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { checkedResponses } from '../support/openapi-responses.js';
import { problem } from '../support/problems.js';
import { testPack, twoSignOffPack } from '../support/test-pack.js';

/*
 * A policy simulation queued as a job (`POST …/simulations`): its chunks plan the book read-only on
 * the workers, and its result is the synchronous `…/simulate`'s on the same book — whichever worker
 * did which chunk, and after a worker died holding one.
 */

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

const SUBJECTS = 60;
/** Chunks of 7 subjects: the result is added up across chunks, samples included. */
const CHUNK = 7;

interface Version {
  version: number;
  contentHash: string | null;
  document: unknown;
}

/** The app over the fixture's database with small simulation chunks and a small synchronous bound. */
function smallApp(f: ApiFixture) {
  return checkedResponses(
    createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, simulationChunkSubjects: CHUNK, syncSimulationMaxSubjects: 20 }),
  );
}

forEachDialect('policy simulation as a job', (f) => {
  const as = (role: 'viewer' | 'officer' | 'analyst' | 'approver') => client(f, () => f.keys.roles[role]);
  let draft: Version;
  /** The job app's client as `role` (default analyst). */
  const jobClient = (key: () => string | undefined) => {
    const app = smallApp(f);
    return {
      post: (path: string, body: unknown) =>
        app.request(path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key()}` },
          body: JSON.stringify(body),
        }),
      get: (path: string) => app.request(path, { headers: { Authorization: `Bearer ${key()}` } }),
    };
  };
  const analystJobs = () => jobClient(() => f.keys.roles.analyst);
  const drain = (at = NOW) => drainJobs({ db: f.db.db, now: () => at });
  const sync = async () =>
    ok<PolicySimulation>(await as('analyst').post(`/v1/policies/retail-tier/versions/${draft.version}/simulate`, { samplesPerCell: 4 }));
  const start = async () =>
    ok<JobView>(await analystJobs().post(`/v1/policies/retail-tier/versions/${draft.version}/simulations`, { samplesPerCell: 4 }), 202);
  const job = async (id: string) => ok<JobView>(await as('analyst').get(`/v1/jobs/${id}`));
  const written = async () => {
    const count = async (table: 'assignments' | 'tier_events') =>
      Number(
        (
          await f.db.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { assignments: await count('assignments'), events: await count('tier_events') };
  };

  before(async () => {
    // A book judged at October by its re-tier, and a draft raising gold's line: some move, some are held.
    await loadBook(f.db.db, 'bank-a', SUBJECTS, ['2025-08', '2025-09', '2025-10'], NOW.toISOString());
    await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-10', now: NOW, chunkSubjects: 25 });
    await drain();
    const officer = as('officer');
    draft = await ok<Version>(await officer.post('/v1/policies/retail-tier/drafts', {}), 201);
    const doc = JSON.parse(JSON.stringify(draft.document).replace('5000000', '6000000')) as unknown;
    await ok(await officer.put(`/v1/policies/retail-tier/versions/${draft.version}`, { document: doc }));
  });

  it('the job’s result is the synchronous simulation’s, and it writes no level', async () => {
    const expected = await sync();
    assert.ok(expected.total > 40, `most of the book is planned (${expected.total})`);
    assert.ok(expected.upgraded + expected.downgraded > 0 || expected.held.total > 0, 'the draft changes something');
    const before = await written();
    const queued = await start();
    assert.equal(queued.kind, 'simulate');
    assert.equal(queued.status, 'running');
    assert.equal(queued.progress.chunks.total, Math.ceil(SUBJECTS / CHUNK));
    assert.equal(queued.simulation?.result.total, 0, 'nothing planned before a worker runs');
    // Audited as a job started by POST /v1/jobs is: the result record names the job.
    const trail = await ok<{ items: { phase: string; route: string; actor: string; detail: Record<string, unknown> | null }[] }>(
      await client(f).get('/v1/audit?limit=50'),
    );
    const entry = trail.items.find((r) => r.phase === 'result' && r.detail?.job === queued.id);
    assert.ok(entry, 'the queueing is on the audit trail');
    assert.deepEqual(entry.detail, { job: queued.id, period: queued.params.period, revision: queued.simulation?.revision });
    await drain();
    const done = await job(queued.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.simulation?.result, expected);
    assert.equal(done.simulation?.current, true);
    assert.match(done.simulation?.revision ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(done.summary, { changes: 0, schemes: [], approvalRequired: 0, matrix: [] });
    assert.equal(done.progress.subjects.processed + done.progress.subjects.skipped, SUBJECTS);
    assert.deepEqual(await written(), before, 'a simulation writes no assignment and no event');
    // Listed (tierkit jobs list) as what it is, not as a re-tier of its month that changed nothing.
    assert.match(
      jobLine(done),
      new RegExp(`^${done.id} +completed +simulation of retail-tier v${draft.version} @ ${done.params.period} \\(writes nothing\\)`),
    );
    const [retier] = (await ok<{ items: JobView[] }>(await as('analyst').get('/v1/jobs?limit=100'))).items.filter(
      (j) => j.kind === 'retier',
    );
    assert.ok(retier);
    assert.doesNotMatch(jobLine(retier), /simulation/);
  });

  it('a worker that dies holding a chunk loses nothing: after its lease the job ends with the same result', async () => {
    const expected = await sync();
    const queued = await start();
    // Two chunks done by a worker, then one claimed by a worker that dies before it stores anything.
    assert.ok(await workOnce({ db: f.db.db, now: () => NOW }));
    assert.ok(await workOnce({ db: f.db.db, now: () => NOW }));
    const dead = await claimChunk(f.db.db, 'dead-worker', NOW.toISOString(), new Date(NOW.getTime() + 60_000).toISOString());
    assert.ok(dead);
    assert.equal(dead.job.id, queued.id);
    await drain();
    const stuck = await job(queued.id);
    assert.equal(stuck.status, 'running', 'the dead worker’s chunk waits for its lease');
    assert.equal(stuck.progress.chunks.done, stuck.progress.chunks.total - 1);
    await drain(new Date(NOW.getTime() + 120_000));
    const done = await job(queued.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.simulation?.result, expected);
  });

  it('a re-tier’s chunks are claimed before a simulation’s queued earlier', async () => {
    const queued = await start();
    const retier = await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-10', now: NOW, chunkSubjects: 30 });
    assert.ok(retier);
    const claimed = await claimChunk(f.db.db, 'w', NOW.toISOString(), new Date(NOW.getTime() + 1000).toISOString());
    assert.equal(claimed?.job.id, retier.id);
    await drain(new Date(NOW.getTime() + 5000));
    assert.equal((await job(queued.id)).status, 'completed');
  });

  it('cancel stops it: no chunk runs after, whoever may simulate may cancel, and only a simulation of that version', async () => {
    const queued = await start();
    assert.ok(await workOnce({ db: f.db.db, now: () => NOW }));
    const retier = await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-10', now: NOW });
    assert.ok(retier);
    const base = `/v1/policies/retail-tier/versions/${draft.version}/simulations`;
    // Not a re-tier, nor another version's simulation, through this route.
    await problem(await analystJobs().post(`${base}/${retier.id}/cancel`, {}), 404);
    await problem(await analystJobs().post(`/v1/policies/retail-tier/versions/1/simulations/${queued.id}/cancel`, {}), 404);
    await drain();
    // The jobs route's cancel stays the officers'.
    await problem(await as('analyst').post(`/v1/jobs/${queued.id}/cancel`, {}), 403);
    const second = await start();
    assert.ok(await workOnce({ db: f.db.db, now: () => NOW }));
    const cancelled = await ok<JobView>(await analystJobs().post(`${base}/${second.id}/cancel`, {}));
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(await drainJobs({ db: f.db.db, now: () => NOW }), 0, 'no chunk of a cancelled simulation is claimed');
    const after = await job(second.id);
    assert.equal(after.status, 'cancelled');
    assert.equal(after.progress.chunks.done, 1);
    assert.equal(after.simulation?.result.total, CHUNK, 'what the chunk done found stays');
    await problem(await analystJobs().post(`${base}/${second.id}/cancel`, {}), 409);
  });

  it('another tenant neither sees nor starts it; viewers and relationship managers are refused as by …/simulate', async () => {
    const queued = await start();
    const b = client(f, 'b');
    await problem(await b.get(`/v1/jobs/${queued.id}`), 404);
    await problem(await b.get(`/v1/jobs/${queued.id}/events`), 404);
    await problem(
      await jobClient(() => f.keys.b).post(`/v1/policies/retail-tier/versions/${draft.version}/simulations/${queued.id}/cancel`, {}),
      404,
    );
    // bank-b has no such draft.
    await problem(await jobClient(() => f.keys.b).post(`/v1/policies/retail-tier/versions/${draft.version}/simulations`, {}), 404);
    const listed = await ok<{ items: JobView[] }>(await b.get('/v1/jobs?limit=100'));
    assert.ok(!listed.items.some((j) => j.id === queued.id));

    // A viewer may not simulate, so sees no simulation job either; an analyst does.
    const viewer = as('viewer');
    await problem(
      await jobClient(() => f.keys.roles.viewer).post(`/v1/policies/retail-tier/versions/${draft.version}/simulations`, {}),
      403,
    );
    await problem(await viewer.post(`/v1/policies/retail-tier/versions/${draft.version}/simulate`, {}), 403);
    await problem(await viewer.get(`/v1/jobs/${queued.id}`), 404);
    await problem(await viewer.get(`/v1/jobs/${queued.id}/events`), 404);
    const seen = await ok<{ items: JobView[] }>(await viewer.get('/v1/jobs?limit=100'));
    assert.ok(seen.items.length > 0 && seen.items.every((j) => j.kind === 'retier'));
    // The newest job is the simulation: a viewer's first page of one is still a job, not an empty page.
    const first = await ok<{ items: JobView[] }>(await viewer.get('/v1/jobs?limit=1'));
    assert.deepEqual(
      first.items.map((j) => j.kind),
      ['retier'],
    );
    const analystList = await ok<{ items: JobView[] }>(await as('analyst').get('/v1/jobs?limit=100'));
    assert.ok(analystList.items.some((j) => j.id === queued.id));

    // A relationship manager (book-scoped officer): refused as the synchronous route refuses them.
    assert.ok([200, 201].includes((await client(f).put('/v1/staff/RM-SIM', { name: 'RM', role: 'officer', scope: 'book' })).status));
    const { secret: rm } = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'officer', label: 'RM', staffId: 'RM-SIM', now: NOW });
    await problem(await client(f, () => rm).post(`/v1/policies/retail-tier/versions/${draft.version}/simulate`, {}), 403);
    await problem(await jobClient(() => rm).post(`/v1/policies/retail-tier/versions/${draft.version}/simulations`, {}), 403);
    await problem(await client(f, () => rm).get(`/v1/jobs/${queued.id}`), 403);
    await drain();
  });

  it('a draft saved after the job was queued: the job plans the revision it was queued with, and says it is no longer current', async () => {
    const expected = await sync();
    const queued = await start();
    const officer = as('officer');
    const doc = JSON.parse(JSON.stringify(draft.document).replace('5000000', '9000000')) as unknown;
    await ok(await officer.put(`/v1/policies/retail-tier/versions/${draft.version}`, { document: doc }));
    await drain();
    const done = await job(queued.id);
    assert.equal(done.simulation?.current, false);
    assert.equal(done.simulation?.revision, queued.simulation?.revision);
    assert.deepEqual(done.simulation?.result, expected);
    // Back as it was: the same revision again.
    const back = JSON.parse(JSON.stringify(draft.document).replace('5000000', '6000000')) as unknown;
    await ok(await officer.put(`/v1/policies/retail-tier/versions/${draft.version}`, { document: back }));
    assert.equal((await job(queued.id)).simulation?.current, true);
  });

  it('the synchronous route refuses a book above its bound with 409 use_simulation_job, and the job takes it', async () => {
    const p = (await problem(await analystJobs().post(`/v1/policies/retail-tier/versions/${draft.version}/simulate`, {}), 409)) as Problem;
    assert.equal(p.errors?.[0]?.code, 'use_simulation_job');
    assert.equal(p.errors?.[0]?.params?.maximum, 20);
    assert.equal(p.errors?.[0]?.params?.actual, SUBJECTS);
    // Under the default bound the same request is answered.
    await sync();
  });

  it('422: a draft that a version scheduled for the simulated month does not fit names that version, and queues nothing', async () => {
    // A tenant of its own, with AML's "medium" and the matrix's row for it in force now; AML without
    // "medium" and the matrix without its row approved together for December. The draft of AML
    // simulated keeps "medium": it fits the versions in force now, not December's matrix.
    await provisionTenant(f.db.db, { id: 'bank-c', name: 'bank-c', pack: twoSignOffPack(), now: NOW });
    const key = async (role: 'officer' | 'analyst') =>
      (await createApiKey(f.db.db, { tenantId: 'bank-c', role, label: role, now: NOW })).secret;
    const [officerKey, analystKey] = [await key('officer'), await key('analyst')];
    const officer = client(f, () => officerKey);
    // AML judged at November, so December is the month its next re-tier judges.
    await ok(await officer.put('/v1/subjects/C1', { kind: 'customer', displayName: '客户' }), 201);
    await ok(await officer.put('/v1/subjects/C1/metrics', { metrics: [{ metric: 'aml_customer_risk', period: '2025-11', value: 90 }] }));
    await enqueueRetier(f.db.db, { tenantId: 'bank-c', period: '2025-11', now: NOW });
    await drain();
    // Each of the pair alone does not fit the versions in force now (the API checks a version against
    // those), so the pair is stored approved here, as two versions decided for one date stand.
    const scheduled = testPack().schemes;
    const approveFromDecember = async (scheme: string): Promise<number> => {
      const drafted = await ok<Version>(await officer.post(`/v1/policies/${scheme}/drafts`, {}), 201);
      const document = scheduled.find((s) => s.key === scheme);
      await ok(await officer.put(`/v1/policies/${scheme}/versions/${drafted.version}`, { document }));
      const decided = '2025-11-15T04:00:00.000Z';
      assert.ok(
        await updatePolicyVersion(f.db.db, 'bank-c', scheme, drafted.version, 'draft', {
          status: 'active',
          effectiveFrom: '2025-12-01',
          decidedBy: 'test',
          decidedAt: decided,
        }),
      );
      return drafted.version;
    };
    await approveFromDecember('aml-test');
    const matrix = await approveFromDecember('risk-value-test');
    // A draft of AML as it is now, "medium" included: December's matrix has no row for it.
    const aml = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', { from: 1 }), 201);
    const analyst = client(f, () => analystKey);
    // November, with the versions in force then, it fits.
    await ok(await analyst.post(`/v1/policies/aml-test/versions/${aml.version}/simulate`, { period: '2025-11' }));
    for (const path of ['simulate', 'simulations']) {
      const p = await problem(await analyst.post(`/v1/policies/aml-test/versions/${aml.version}/${path}`, { period: '2025-12' }), 422);
      assert.match(p.detail ?? '', /does not fit the policies in force for 2025-12/);
      assert.ok(
        p.errors?.some(
          (e) => e.params?.inScheme === 'risk-value-test' && e.params?.inVersion === matrix && e.params?.inForce === '2025-12',
        ),
        JSON.stringify(p.errors),
      );
    }
    const jobs = await f.db.db.selectFrom('jobs').select('kind').where('tenant_id', '=', 'bank-c').where('kind', '=', 'simulate').execute();
    assert.equal(jobs.length, 0, 'nothing queued');
  });
  it('a version the simulated scheme reads, approved while the job runs, does not reach its chunks: they plan under the versions of its queueing', async () => {
    // The matrix reads AML's level: a draft of the matrix is planned with AML as it is in force.
    const officer = as('officer');
    const matrix = await ok<Version>(await officer.post('/v1/policies/risk-value-test/drafts', {}), 201);
    const path = `/v1/policies/risk-value-test/versions/${matrix.version}`;
    const expected = await ok<PolicySimulation>(await as('analyst').post(`${path}/simulate`, { samplesPerCell: 4 }));
    const queued = await ok<JobView>(await analystJobs().post(`${path}/simulations`, { samplesPerCell: 4 }), 202);
    // Before any chunk runs, an AML version is approved for the simulated month: every customer with a
    // balance is "high", so the matrix would put them all under "observe".
    const aml = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', {}), 201);
    const everyoneHigh = JSON.parse(
      JSON.stringify(aml.document)
        .replace('"metric":"aml_customer_risk"', '"metric":"avg_daily_balance"')
        .replace('"value":80', '"value":0'),
    ) as unknown;
    await ok(await officer.put(`/v1/policies/aml-test/versions/${aml.version}`, { document: everyoneHigh }));
    assert.ok(
      await updatePolicyVersion(f.db.db, 'bank-a', 'aml-test', aml.version, 'draft', {
        status: 'active',
        effectiveFrom: `${queued.params.period}-01`,
        decidedBy: 'test',
        decidedAt: '2025-10-20T00:00:00.000Z',
      }),
    );
    const now = await ok<PolicySimulation>(await as('analyst').post(`${path}/simulate`, { samplesPerCell: 4 }));
    assert.notDeepEqual(now.cells, expected.cells, 'the approval changes what a simulation queued now would find');
    await drain();
    const done = await job(queued.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.simulation?.result, expected);
  });
});
