import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, drainJobs, mintStaffToken, provisionTenant } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import type { Job } from '@tierkit/core/wire';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { readersTestPack } from '../support/test-pack.js';

/*
 * A re-tier job's summary is an AML grade's from → to head counts by another route: whoever may not
 * read a scheme (`readers`, docs/permissions.md "Who reads a scheme's levels") reads a job without its
 * migration cells, changes and sign-off count, and a job about such schemes alone (a version of the
 * grade approved, a re-tier of its 高 customers) not at all — by id, in the list and on its event stream.
 * `bank-r` gives the suite's AML scheme the default pack's readers; `bank-a` (the fixture's) gives none.
 */

const HIDDEN = /aml-test|risk-value-test/;

forEachDialect('a re-tier job’s figures follow who reads a scheme', (f) => {
  const keys = {} as Record<'viewer' | 'analyst' | 'officer' | 'admin' | 'viewerToken', string>;
  const as = (who: keyof typeof keys) => client(f, () => keys[who]);
  const get = (who: keyof typeof keys, path: string) => f.app.request(path, { headers: { Authorization: `Bearer ${keys[who]}` } });
  const json = async <T>(res: Response, status = 200): Promise<T> => {
    assert.equal(res.status, status, await res.clone().text());
    return (await res.json()) as T;
  };
  const ids = {} as Record<'all' | 'aml' | 'amlHigh', string>;

  it('setup: bank-r, a high-risk and a low-risk customer, a re-tier of every scheme, of the grade alone and of its 高', async () => {
    await provisionTenant(f.db.db, { id: 'bank-r', name: 'bank-r', pack: readersTestPack(), now: NOW });
    for (const role of ['viewer', 'analyst', 'officer', 'admin'] as const)
      keys[role] = (await createApiKey(f.db.db, { tenantId: 'bank-r', role, label: role, now: NOW })).secret;
    await upsertStaff(f.db.db, 'bank-r', { id: 'V1', name: '只读', role: 'viewer', scope: 'tenant' }, NOW.toISOString());
    keys.viewerToken = (await mintStaffToken(f.db.db, { tenantId: 'bank-r', staffId: 'V1', now: NOW })).token;
    for (const [id, risk] of [
      ['R1', 90],
      ['R2', 10],
    ] as const) {
      await as('admin').customer(id);
      await json(
        await as('admin').put(`/v1/subjects/${id}/metrics`, {
          metrics: [
            { metric: 'avg_daily_balance', period: '2025-10', value: 6_000_000 },
            { metric: 'aml_customer_risk', period: '2025-10', value: risk },
          ],
        }),
      );
    }
    const officer = as('officer');
    ids.all = (await json<Job>(await officer.post('/v1/jobs', { kind: 'retier', period: '2025-10' }), 201)).id;
    ids.aml = (await json<Job>(await officer.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['aml-test'] }), 201)).id;
    const filter = { level: { scheme: 'aml-test', level: 'high' } };
    ids.amlHigh = (await json<Job>(await officer.post('/v1/jobs', { kind: 'retier', period: '2025-10', filter }), 201)).id;
    await drainJobs({ db: f.db.db, now: () => NOW });
  });

  it('its readers read the whole summary: the grade’s cells and its sign-off', async () => {
    const job = await json<Job>(await get('officer', `/v1/jobs/${ids.all}`));
    assert.equal(job.status, 'completed');
    assert.ok(job.summary.matrix.some((c) => c.scheme === 'aml-test' && c.to === 'high'));
    assert.equal(job.summary.approvalRequired, 1, 'R1’s 高 waits for a sign-off');
    for (const id of [ids.aml, ids.amlHigh]) assert.equal((await get('officer', `/v1/jobs/${id}`)).status, 200);
  });

  it('a viewer (key and session) and an analyst read it without the grade: no cell, no change, no sign-off, no scheme named', async () => {
    const whole = await json<Job>(await get('officer', `/v1/jobs/${ids.all}`));
    const shownChanges = whole.summary.schemes.filter((s) => !HIDDEN.test(s.scheme)).reduce((n, s) => n + s.changes, 0);
    for (const who of ['viewer', 'viewerToken', 'analyst'] as const) {
      const res = await get(who, `/v1/jobs/${ids.all}`);
      const text = await res.clone().text();
      const job = await json<Job>(res);
      assert.doesNotMatch(text, HIDDEN, who);
      assert.ok(
        job.summary.matrix.some((c) => c.scheme === 'retail-tier'),
        `${who}: the value tier stays`,
      );
      assert.ok(
        job.summary.matrix.some((c) => c.scheme === 'band-test'),
        `${who}: the band stays`,
      );
      assert.equal(job.summary.approvalRequired, 0, who);
      assert.equal(job.summary.changes, shownChanges, who);
      // The list and the event stream are the same read.
      const list = await get(who, '/v1/jobs');
      assert.equal(list.status, 200);
      assert.doesNotMatch(await list.text(), HIDDEN, who);
      const events = await get(who, `/v1/jobs/${ids.all}/events`);
      assert.equal(events.status, 200);
      assert.doesNotMatch(await events.text(), HIDDEN, who);
    }
  });

  it('a job about the grade alone is a 404 to them, absent from their list, and its stream and actions the same 404', async () => {
    for (const who of ['viewer', 'viewerToken', 'analyst'] as const) {
      const listed = await (await get(who, '/v1/jobs')).text();
      for (const id of [ids.aml, ids.amlHigh]) {
        assert.equal((await get(who, `/v1/jobs/${id}`)).status, 404, `${who} ${id}`);
        assert.equal((await get(who, `/v1/jobs/${id}/events`)).status, 404, `${who} ${id} events`);
        assert.doesNotMatch(listed, new RegExp(id), who);
      }
      assert.match(listed, new RegExp(ids.all), who);
    }
    const officerList = await (await get('officer', '/v1/jobs')).text();
    for (const id of [ids.aml, ids.amlHigh]) assert.match(officerList, new RegExp(id));
  });

  it('a job’s reason: the monthly count of reviews overdue comes without the grade’s, a reason naming the grade not at all', async () => {
    // The monthly job's reason as the schedule writes it (services/jobs/monthly-reason.ts): head counts by level.
    const monthly = (parts: string, total: number) =>
      `monthly re-evaluation of 2025-10; ${total} reviews overdue (${parts}): GET /v1/reviews/overdue lists them`;
    const reasons = [
      [monthly('aml-test high 2, retail-tier gold 1', 3), monthly('retail-tier gold 1', 1)],
      [monthly('aml-test high 2', 2), 'monthly re-evaluation of 2025-10; no reviews overdue'],
      ['AML 高 refresh after aml-test v3', null],
      ['gold review', 'gold review'],
    ] as const;
    const made: string[] = [];
    for (const [reason] of reasons) {
      made.push(
        (
          await json<Job>(
            await as('officer').post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['retail-tier'], reason }),
            201,
          )
        ).id,
      );
      await drainJobs({ db: f.db.db, now: () => NOW });
    }
    for (const [i, [reason, shown]] of reasons.entries()) {
      const id = made[i]!;
      assert.equal((await json<Job>(await get('officer', `/v1/jobs/${id}`))).params.reason, reason);
      for (const who of ['viewer', 'viewerToken', 'analyst'] as const) {
        assert.equal((await json<Job>(await get(who, `/v1/jobs/${id}`))).params.reason, shown, `${who}: ${reason}`);
        assert.doesNotMatch(await (await get(who, `/v1/jobs/${id}/events`)).text(), HIDDEN, `${who} events: ${reason}`);
      }
    }
    for (const who of ['viewer', 'analyst'] as const) assert.doesNotMatch(await (await get(who, '/v1/jobs?limit=100')).text(), HIDDEN, who);
  });

  it('another tenant’s pack names no readers: its viewer reads the grade’s figures', async () => {
    const officer = client(f, () => f.keys.roles.officer);
    await officer.customer('T1');
    await json(await officer.put('/v1/subjects/T1/metrics', { metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 90 }] }));
    const { id } = await json<Job>(await officer.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['aml-test'] }), 201);
    await drainJobs({ db: f.db.db, now: () => NOW });
    const job = await json<Job>(await client(f, () => f.keys.roles.viewer).get(`/v1/jobs/${id}`));
    assert.ok(job.summary.matrix.some((c) => c.scheme === 'aml-test'));
    // And bank-r's viewer cannot reach bank-a's job at all.
    assert.equal((await get('viewer', `/v1/jobs/${id}`)).status, 404);
  });
});
