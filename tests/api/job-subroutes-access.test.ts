import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, drainJobs, mintStaffToken } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import type { Job } from '@tierkit/core/wire';
import { NOW, client, forEachDialect, type As } from '../support/api-fixture.js';

/*
 * A job's sub-routes answer whoever may not read the job as the job's own read does
 * (`GET /v1/jobs/{id}`; docs/permissions.md): a reviewer found a relationship manager — 403 for the
 * job — downloading a simulation's affected customers, and a viewer — 404 for a simulation job — told
 * by a 403 instead that one existed. For each such credential every read of the job answers the same
 * status as the job itself, and every sub-route answers a job that exists as it answers one that does
 * not: nothing tells them it is there. One exception: a re-tier job's changed customers (`…/affected`),
 * which a book-scoped reader gets for their reach.
 */

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

forEachDialect('a job’s sub-routes follow who may read the job', (f) => {
  it('refuses a book-scoped RM (key and session), a viewer of a simulation and another tenant alike on every sub-route', async () => {
    const officer = client(f, () => f.keys.roles.officer);
    for (const id of ['JA', 'JB']) {
      await officer.customer(id);
      await ok(await officer.balances(id, [['2025-10', 400_000]]));
    }
    // RM1 manages JA: a book-scoped officer, by their own key and by their console session.
    await upsertStaff(f.db.db, 'bank-a', { id: 'RMJ', name: '客户经理', role: 'officer', scope: 'book' }, NOW.toISOString());
    await ok(await officer.post('/v1/subject-managers', { assignments: [{ subject: 'JA', manager: 'RMJ' }] }));
    const rmKey = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'officer', label: 'RMJ', staffId: 'RMJ', now: NOW })).secret;
    const rmToken = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'RMJ', ttlSeconds: 900, now: NOW })).token;
    const viewerToken = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', ttlSeconds: 900, now: NOW })).token;

    const analyst = client(f, () => f.keys.roles.analyst);
    const draft = await ok<{ version: number }>(await officer.post('/v1/policies/retail-tier/drafts', {}), 201);
    const sim = await ok<Job>(await analyst.post(`/v1/policies/retail-tier/versions/${draft.version}/simulations`, {}), 202);
    const retier = await ok<Job>(await officer.post('/v1/jobs', { kind: 'retier', period: '2025-10' }), 201);
    await drainJobs({ db: f.db.db, now: () => NOW });
    // Those who may read it: the simulation's file is there for them (the control).
    const file = await analyst.get(`/v1/jobs/${sim.id}/affected`);
    assert.equal(file.status, 200, await file.clone().text());
    assert.match(await file.text(), /"JA"|"JB"|客户号/);

    const refused: [string, As][] = [
      ['RM key', () => rmKey],
      ['RM session', () => rmToken],
      ['viewer key', () => f.keys.roles.viewer],
      ['viewer session', () => viewerToken],
      ['another tenant', 'b'],
    ];
    const subRoutes = (id: string): [method: string, path: string][] => [
      ['GET', `/v1/jobs/${id}/affected`],
      ['GET', `/v1/jobs/${id}/events`],
      ['POST', `/v1/jobs/${id}/cancel`],
      ['POST', `/v1/jobs/${id}/resume`],
      ['POST', `/v1/policies/retail-tier/versions/${draft.version}/simulations/${id}/cancel`],
    ];
    const call = async (as: As, method: string, path: string) => {
      const c = client(f, as);
      const res = method === 'GET' ? await c.get(path) : await c.post(path, {});
      await res.body?.cancel();
      return res.status;
    };
    for (const [who, as] of refused) {
      for (const job of [sim, retier]) {
        const read = await call(as, 'GET', `/v1/jobs/${job.id}`);
        // A viewer reads a re-tier job: only what they may not read is checked here.
        if (read === 200) continue;
        assert.ok(read === 403 || read === 404, `${who}: ${read} for ${job.kind} job`);
        for (const [method, path] of subRoutes(job.id)) {
          const status = await call(as, method, path);
          // A re-tier's changed customers are an RM's for their book (team-lead-retier-affected.test.ts).
          if (who.startsWith('RM') && job.kind === 'retier' && path.endsWith('/affected')) {
            assert.equal(status, 200, `${who} ${path}`);
            continue;
          }
          if (method === 'GET') assert.equal(status, read, `${who} ${method} ${path}: as the job's own read (${read})`);
          // Whatever the answer, the same as for a job that does not exist.
          const none = await call(as, method, path.replace(job.id, 'job_nonesuch'));
          assert.equal(status, none, `${who} ${method} ${path}: ${status}, a job that does not exist ${none}`);
          assert.ok(status === 403 || status === 404, `${who} ${method} ${path}: ${status}`);
        }
      }
    }
    // The viewer's refusals were the job's own 404 for the simulation, not a 403 that says it exists.
    assert.equal(await call(() => f.keys.roles.viewer, 'GET', `/v1/jobs/${sim.id}/affected`), 404);
    // The RM: 403 for the job and for its file, whether or not the file would have rows of their book.
    assert.equal(await call(() => rmKey, 'GET', `/v1/jobs/${sim.id}/affected`), 403);
  });
});
