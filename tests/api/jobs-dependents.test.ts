import assert from 'node:assert/strict';
import { it } from 'node:test';
import { drainJobs, type JobView } from '@tierkit/api';
import type { ProblemFieldError } from '@tierkit/core';
import { findSubjectByExternalId, insertMetrics } from '@tierkit/db';
import { NOW, authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';
import { approvedOverride, fourEyesTenant, ok, START } from '../support/four-eyes-fixture.js';

/*
 * A re-tier of one scheme re-tiers the schemes that read its level too (packages/api README, "Re-tier
 * jobs"): the test pack's risk × value matrix reads aml-test and retail-tier, so a job for aml-test
 * alone writes the matrix level worked out from the new AML level, and says it added it and why.
 */

const worker = (f: ApiFixture) => ({ db: f.db.db, now: () => NOW, logError: (err: unknown) => assert.fail(String(err)) });

async function json<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

type Tiers = { assignments: { scheme: string; level: string; period: string }[] };

forEachDialect('re-tier jobs write the schemes that read the ones asked for', (f) => {
  const api = client(f);
  const levels = async (id: string) => {
    const t = await json<Tiers>(await api.get(`/v1/subjects/${id}/tiers`));
    return Object.fromEntries(t.assignments.map((a) => [a.scheme, `${a.level}@${a.period}`]));
  };

  it('a job for aml-test alone moves the risk × value level with it, and its record says it added that scheme', async () => {
    await api.customer('DEP1');
    const write = await api.put('/v1/subjects/DEP1/metrics', {
      metrics: [
        { metric: 'avg_daily_balance', period: '2025-09', value: 10_000_000 },
        { metric: 'avg_daily_balance', period: '2025-10', value: 10_000_000 },
        { metric: 'aml_customer_risk', period: '2025-10', value: 10 },
      ],
    });
    assert.equal(write.status, 200, await write.clone().text());
    assert.deepEqual(await levels('DEP1'), { 'aml-test': 'low@2025-10', 'retail-tier': 'gold@2025-10', 'risk-value-test': 'grow@2025-10' });
    // November's AML score as a warehouse load writes it: nothing is evaluated until the job.
    const subject = await findSubjectByExternalId(f.db.db, 'bank-a', 'DEP1');
    assert.ok(subject);
    await insertMetrics(
      f.db.db,
      [
        { tenant_id: 'bank-a', subject_id: subject.id, metric: 'aml_customer_risk', period: '2025-11', value: 95 },
        { tenant_id: 'bank-a', subject_id: subject.id, metric: 'avg_daily_balance', period: '2025-11', value: 10_000_000 },
      ],
      NOW.toISOString(),
    );

    const queued = await json<JobView>(
      await api.post('/v1/jobs', {
        kind: 'retier',
        period: '2025-11',
        allowOpenMonth: true,
        schemes: ['aml-test'],
        filter: { subjects: ['DEP1'] },
      }),
      201,
    );
    assert.deepEqual(queued.params.schemes, ['aml-test', 'risk-value-test'], 'asked for, then added');
    assert.deepEqual(queued.params.dependents, [{ scheme: 'risk-value-test', reads: ['aml-test'] }]);
    await drainJobs(worker(f));
    const done = await json<JobView>(await api.get(`/v1/jobs/${queued.id}`));
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.params.dependents, [{ scheme: 'risk-value-test', reads: ['aml-test'] }], 'stored with the job');
    const cells = done.summary.matrix.map((c) => `${c.scheme}:${c.from}→${c.to}:${c.count}`).sort();
    assert.deepEqual(cells, ['aml-test:low→high:1', 'risk-value-test:grow→observe:1']);
    // The matrix follows the new AML level; retail-tier, not asked for and read by nothing asked for, stays.
    assert.deepEqual(await levels('DEP1'), {
      'aml-test': 'high@2025-11',
      'retail-tier': 'gold@2025-10',
      'risk-value-test': 'observe@2025-11',
    });
    const listed = await json<{ items: JobView[] }>(await api.get('/v1/jobs?limit=5'));
    assert.deepEqual(listed.items.find((j) => j.id === queued.id)?.params.dependents, [{ scheme: 'risk-value-test', reads: ['aml-test'] }]);
  });

  it('a retail-tier job adds the matrix and covers the customers its schemes apply to; an every-scheme job adds nothing', async () => {
    const corporate = await api.put('/v1/subjects/CORP1', { kind: 'corporate', displayName: '某某有限公司' });
    assert.equal(corporate.status, 201, await corporate.clone().text());
    const retail = await json<JobView>(await api.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['retail-tier'] }), 201);
    assert.deepEqual(retail.params.schemes, ['retail-tier', 'risk-value-test']);
    assert.deepEqual(retail.params.dependents, [{ scheme: 'risk-value-test', reads: ['retail-tier'] }]);
    const both = await json<JobView>(
      await api.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['retail-tier', 'aml-test', 'retail-tier'] }),
      201,
    );
    assert.deepEqual(
      both.params.dependents,
      [{ scheme: 'risk-value-test', reads: ['aml-test', 'retail-tier'] }],
      'in the order the matrix reads them: rows, then columns',
    );
    assert.deepEqual(both.params.schemes, ['retail-tier', 'aml-test', 'risk-value-test']);
    const matrixOnly = await json<JobView>(
      await api.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['risk-value-test'] }),
      201,
    );
    assert.deepEqual([matrixOnly.params.schemes, matrixOnly.params.dependents], [['risk-value-test'], []]);
    const all = await json<JobView>(await api.post('/v1/jobs', { kind: 'retier', period: '2025-10' }), 201);
    assert.deepEqual([all.params.schemes, all.params.dependents], [null, []]);
    // The corporate gets no level of a customer scheme: a customer-only job neither counts nor reads it.
    assert.deepEqual([retail.params.filter, all.params.filter], [{ kind: 'customer' }, {}]);
    assert.equal(retail.progress.subjects.total, all.progress.subjects.total - 1);
    await drainJobs(worker(f));
  });

  it('GET /v1/jobs/dependents tells beforehand what a job would add, to any staff reader; unknown schemes are a 400', async () => {
    const viewer = client(f, () => f.keys.roles.viewer);
    assert.deepEqual(await json(await viewer.get('/v1/jobs/dependents?schemes=retail-tier')), {
      schemes: ['retail-tier', 'risk-value-test'],
      dependents: [{ scheme: 'risk-value-test', reads: ['retail-tier'] }],
    });
    assert.deepEqual(await json(await viewer.get('/v1/jobs/dependents?schemes=risk-value-test&period=2025-10')), {
      schemes: ['risk-value-test'],
      dependents: [],
    });
    const p = await problem(await viewer.get('/v1/jobs/dependents?schemes=retail-tier,nope'), 400);
    const e = (p.errors ?? []) as ProblemFieldError[];
    assert.deepEqual(
      e.map((x) => [x.path, x.code, x.params]),
      [['schemes[1]', 'unknown_scheme', { scheme: 'nope' }]],
    );
    // Another tenant's credential sees its own pack; no credential, nothing.
    assert.equal((await f.app.request('/v1/jobs/dependents?schemes=retail-tier')).status, 401);
    const b = await f.app.request('/v1/jobs/dependents?schemes=retail-tier', { headers: authHeader(f, 'b') });
    assert.equal(b.status, 200);
  });

  it('an override decided today moves the schemes that read its level for that customer at once: no job needed', async () => {
    const t = await fourEyesTenant(f, 'dep-overrides', START);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/OVD1', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/OVD1/metrics', {
        metrics: [
          { metric: 'avg_daily_balance', period: '2025-10', value: 10_000_000 },
          { metric: 'aml_customer_risk', period: '2025-10', value: 10 },
        ],
      }),
    );
    const matrix = async () => {
      const tiers = await ok<Tiers>(await t.req('viewer', 'GET', '/v1/subjects/OVD1/tiers'));
      const at = (scheme: string) => tiers.assignments.find((a) => a.scheme === scheme)?.level;
      return { aml: at('aml-test'), matrix: at('risk-value-test') };
    };
    assert.deepEqual(await matrix(), { aml: 'low', matrix: 'grow' });
    await approvedOverride(t, 'OVD1', { scheme: 'aml-test', level: 'high', reason: 'adverse media' });
    assert.deepEqual(await matrix(), { aml: 'high', matrix: 'observe' });
  });
});
