import assert from 'node:assert/strict';
import { it } from 'node:test';
import { drainJobs, type JobView } from '@tierkit/api';
import { defaultPolicyPack, type ProblemFieldError } from '@tierkit/core';
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
    // The matrix reads aml-test, and reads retail-tier too: written with the matrix, else the matrix
    // would be worked out from a November card tier the job does not store.
    const added = [
      { scheme: 'retail-tier', readBy: ['risk-value-test'] },
      { scheme: 'risk-value-test', reads: ['aml-test'] },
    ];
    assert.deepEqual(queued.params.schemes, ['aml-test', 'retail-tier', 'risk-value-test'], 'asked for, then added');
    assert.deepEqual(queued.params.dependents, added);
    await drainJobs(worker(f));
    const done = await json<JobView>(await api.get(`/v1/jobs/${queued.id}`));
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.params.dependents, added, 'stored with the job');
    const cells = done.summary.matrix.map((c) => `${c.scheme}:${c.from}→${c.to}:${c.count}`).sort();
    assert.deepEqual(cells, ['aml-test:low→high:1', 'retail-tier:gold→gold:1', 'risk-value-test:grow→observe:1']);
    // The changes per scheme, the one asked for first: the total mixes the matrix's move with AML's.
    assert.equal(done.summary.changes, 2);
    assert.deepEqual(done.summary.schemes, [
      { scheme: 'aml-test', changes: 1 },
      { scheme: 'retail-tier', changes: 0 },
      { scheme: 'risk-value-test', changes: 1 },
    ]);
    // The matrix follows the new AML level, and every level it reads is stored for the month it judged.
    assert.deepEqual(await levels('DEP1'), {
      'aml-test': 'high@2025-11',
      'retail-tier': 'gold@2025-11',
      'risk-value-test': 'observe@2025-11',
    });
    const listed = await json<{ items: JobView[] }>(await api.get('/v1/jobs?limit=5'));
    assert.deepEqual(listed.items.find((j) => j.id === queued.id)?.params.dependents, added);
  });

  it('a job for the matrix alone stores the levels it reads, for the month it judged them', async () => {
    await api.customer('DEP2');
    const write = await api.put('/v1/subjects/DEP2/metrics', {
      metrics: [
        { metric: 'avg_daily_balance', period: '2025-09', value: 10_000_000 },
        { metric: 'avg_daily_balance', period: '2025-10', value: 10_000_000 },
        { metric: 'aml_customer_risk', period: '2025-10', value: 10 },
      ],
    });
    assert.equal(write.status, 200, await write.clone().text());
    assert.deepEqual(await levels('DEP2'), { 'aml-test': 'low@2025-10', 'retail-tier': 'gold@2025-10', 'risk-value-test': 'grow@2025-10' });
    const subject = await findSubjectByExternalId(f.db.db, 'bank-a', 'DEP2');
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
        schemes: ['risk-value-test'],
        filter: { subjects: ['DEP2'] },
      }),
      201,
    );
    assert.deepEqual(queued.params.schemes, ['risk-value-test', 'retail-tier', 'aml-test']);
    assert.deepEqual(queued.params.dependents, [
      { scheme: 'retail-tier', readBy: ['risk-value-test'] },
      { scheme: 'aml-test', readBy: ['risk-value-test'] },
    ]);
    await drainJobs(worker(f));
    assert.equal((await json<JobView>(await api.get(`/v1/jobs/${queued.id}`))).status, 'completed');
    // Not "aml-test low@2025-10 beside risk-value-test observe@2025-11": the AML level the matrix read is stored.
    assert.deepEqual(await levels('DEP2'), {
      'aml-test': 'high@2025-11',
      'retail-tier': 'gold@2025-11',
      'risk-value-test': 'observe@2025-11',
    });
  });

  it('a retail-tier job adds the matrix and covers the customers its schemes apply to; an every-scheme job adds nothing', async () => {
    const corporate = await api.put('/v1/subjects/CORP1', { kind: 'corporate', displayName: '某某有限公司' });
    assert.equal(corporate.status, 201, await corporate.clone().text());
    const retail = await json<JobView>(await api.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['retail-tier'] }), 201);
    assert.deepEqual(retail.params.schemes, ['retail-tier', 'aml-test', 'risk-value-test']);
    assert.deepEqual(retail.params.dependents, [
      { scheme: 'aml-test', readBy: ['risk-value-test'] },
      { scheme: 'risk-value-test', reads: ['retail-tier'] },
    ]);
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
    assert.deepEqual(matrixOnly.params.schemes, ['risk-value-test', 'retail-tier', 'aml-test']);
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
      schemes: ['retail-tier', 'aml-test', 'risk-value-test'],
      dependents: [
        { scheme: 'aml-test', readBy: ['risk-value-test'] },
        { scheme: 'risk-value-test', reads: ['retail-tier'] },
      ],
    });
    assert.deepEqual(await json(await viewer.get('/v1/jobs/dependents?schemes=risk-value-test&period=2025-10')), {
      schemes: ['risk-value-test', 'retail-tier', 'aml-test'],
      dependents: [
        { scheme: 'retail-tier', readBy: ['risk-value-test'] },
        { scheme: 'aml-test', readBy: ['risk-value-test'] },
      ],
    });
    // Keys as POST /v1/jobs takes them: " retail-tier" is no scheme there, so none here either.
    const spaced = await problem(await viewer.get('/v1/jobs/dependents?schemes=aml-test,%20retail-tier'), 400);
    assert.deepEqual(
      ((spaced.errors ?? []) as ProblemFieldError[]).map((x) => [x.path, x.code]),
      [['schemes[1]', 'unknown_scheme']],
    );
    // The month as POST judges it: one not begun yet is refused, not previewed by the current pack.
    const later = await problem(await viewer.get('/v1/jobs/dependents?schemes=retail-tier&period=2026-01'), 400);
    assert.deepEqual(
      ((later.errors ?? []) as ProblemFieldError[]).map((x) => [x.path, x.code]),
      [['period', 'month_not_begun']],
    );
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

  it('after a retail-tier-only job on the demo pack, every customer’s value band is the one its new card tier maps to', async () => {
    const t = await fourEyesTenant(f, 'dep-demo', START, defaultPolicyPack);
    const band = defaultPolicyPack.schemes.find((x) => x.key === 'value-band');
    assert.ok(band && band.policy.kind === 'derived' && band.policy.from === 'retail-tier');
    const map = band.policy.map;
    const people = ['VB1', 'VB2', 'VB3'];
    for (const [i, id] of people.entries()) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: `客户${i}` }), 201);
      await ok(
        await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: ['2025-08', '2025-09', '2025-10'].map((period) => ({ metric: 'avg_daily_balance', period, value: 100 })),
        }),
      );
    }
    // November's balances as a warehouse load writes them, far higher: only the job evaluates them.
    for (const [i, id] of people.entries()) {
      const subject = await findSubjectByExternalId(f.db.db, 'dep-demo', id);
      assert.ok(subject);
      await insertMetrics(
        f.db.db,
        [{ tenant_id: 'dep-demo', subject_id: subject.id, metric: 'avg_daily_balance', period: '2025-11', value: 10 ** (8 + i) }],
        START.toISOString(),
      );
    }
    const before = new Map<string, string | undefined>();
    const tierOf = async (id: string) => {
      const tiers = await ok<Tiers>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers`));
      const at = (scheme: string) => tiers.assignments.find((a) => a.scheme === scheme);
      return { retail: at('retail-tier'), band: at('value-band') };
    };
    for (const id of people) before.set(id, (await tierOf(id)).retail?.level);
    const job = await ok<JobView>(
      await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true, schemes: ['retail-tier'] }),
      201,
    );
    assert.ok(job.params.schemes?.includes('value-band'));
    await drainJobs(worker(f));
    assert.equal((await ok<JobView>(await t.req('viewer', 'GET', `/v1/jobs/${job.id}`))).status, 'completed');
    let moved = 0;
    for (const id of people) {
      const { retail, band: value } = await tierOf(id);
      assert.ok(retail && value, id);
      if (retail.level !== before.get(id)) moved++;
      assert.equal(retail.period, '2025-11', id);
      assert.deepEqual([value.level, value.period], [map[retail.level], '2025-11'], `${id}: value band from ${retail.level}`);
    }
    assert.ok(moved > 0, 'the card tier moved for someone, so the band had something to follow');
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
