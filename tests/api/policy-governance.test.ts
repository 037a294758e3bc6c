import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import { defaultPolicyPack, type Problem } from '@tierkit/core';
import type { AuditRecord } from '@tierkit/core/wire';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, START, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';
import { retireByTwo } from '../support/retire.js';

/*
 * A compliance officer found that a maker (officer) and a checker (approver) could together remove
 * every AML guard the policy reserves for an admin, with no simulation on record (docs/permissions.md,
 * "Policy versions"): a version that weakens governance needs the strongest role the version in force
 * asks for, and a version of a scheme with sign-offs names the completed simulation its checker saw.
 */

interface Version {
  version: number;
  status: string;
  contentHash: string | null;
  document: Record<string, unknown> & {
    levels: { key: string; approvalRequired?: boolean }[];
    overrides: Record<string, unknown>;
    loweringNeeds?: string;
  };
}

async function refused(res: Response, status: number, kind: string): Promise<Problem> {
  const body = (await res.json()) as Problem;
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.type, `https://tierkit.dev/problems/${kind}`);
  return body;
}

forEachDialect('policy versions that weaken governance, and the simulation a sign-off scheme’s approval names', (f) => {
  let t: FourEyesTenant;
  const as = (who: Person) => (path: string, body: unknown) => t.req(who, 'POST', path, body);

  before(async () => {
    t = await fourEyesTenant(f, 'policy-governance', START, defaultPolicyPack);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/G1', { kind: 'customer', displayName: '孙七' }), 201);
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/G1/metrics', {
        metrics: [
          { metric: 'pep', period: '2025-10', value: 0 },
          { metric: 'aml_customer_risk', period: '2025-10', value: 20 },
        ],
      }),
    );
  });

  /** A submitted aml-risk version, its document passed through `edit`, by the officer. */
  async function submitted(edit: (doc: Version['document']) => Version['document']): Promise<Version> {
    const draft = await ok<Version>(await t.req('officer', 'POST', '/v1/policies/aml-risk/drafts', {}), 201);
    await ok(
      await t.req('officer', 'PUT', `/v1/policies/aml-risk/versions/${draft.version}`, { document: edit(structuredClone(draft.document)) }),
    );
    return ok<Version>(await t.req('officer', 'POST', `/v1/policies/aml-risk/versions/${draft.version}/submit`, {}));
  }

  async function simulated(v: Version): Promise<string> {
    const job = await ok<{ id: string }>(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${v.version}/simulations`, {}),
      202,
    );
    await drainJobs({ db: f.db.db, now: () => START });
    const sims = await ok<{ latest: { id: string; status: string } | null }>(
      await t.req('approver', 'GET', `/v1/policies/aml-risk/versions/${v.version}/simulations`),
    );
    assert.equal(sims.latest?.id, job.id);
    assert.equal(sims.latest?.status, 'completed');
    return job.id;
  }

  const queueItem = async (v: Version) =>
    (
      await ok<{ items: { id: string; approvalNeeds: string }[] }>(
        await t.req('approver', 'GET', '/v1/approvals?kind=policy&scheme=aml-risk'),
      )
    ).items.find((i) => i.id === `aml-risk@${v.version}`);

  const status = async (v: Version) =>
    (await ok<Version>(await t.req('approver', 'GET', `/v1/policies/aml-risk/versions/${v.version}`))).status;

  it('a version removing the AML guards waits for an admin: the queue says so, an approver is refused (403 governance_weakened), nothing changes', async () => {
    const v = await submitted((doc) => {
      doc.levels = doc.levels.map(({ approvalRequired: _gone, ...l }) => l);
      delete doc.loweringNeeds;
      doc.overrides = { ...doc.overrides, loosenNeeds: 'approver', maxDays: 3650 };
      return doc;
    });
    assert.equal((await queueItem(v))?.approvalNeeds, 'admin');
    // 等我审核 (`mine=false`) is what the caller may decide: not the approver's, an admin's (another person than its maker).
    const waiting = async (who: 'approver' | 'admin') =>
      (await ok<{ items: { id: string }[] }>(await t.req(who, 'GET', '/v1/approvals?mine=false&kind=policy&scheme=aml-risk'))).items.map(
        (i) => i.id,
      );
    assert.deepEqual(await waiting('approver'), [], 'an approver is not shown a version only an admin may approve');
    assert.deepEqual(await waiting('admin'), [`aml-risk@${v.version}`]);
    const sim = await simulated(v);
    const p = await refused(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${v.version}/approve`, {
        contentHash: v.contentHash,
        simulationJobId: sim,
      }),
      403,
      'forbidden',
    );
    const e = p.errors?.find((x) => x.path === 'document');
    assert.equal(e?.code, 'governance_weakened');
    const params = e?.params as { needs: string; weakens: string[] };
    assert.equal(params.needs, 'admin');
    for (const key of ['level:high/approvalRequired', 'loweringNeeds', 'overrides/loosenNeeds', 'overrides/maxDays'])
      assert.ok(params.weakens.includes(key), `${key} in ${params.weakens.join(', ')}`);
    assert.equal(await status(v), 'submitted', 'nothing was approved');

    // An admin, another person, with the simulation they saw: approved, and the trail keeps it.
    const approved = await ok<{ version: { status: string } }>(
      await t.req('admin', 'POST', `/v1/policies/aml-risk/versions/${v.version}/approve`, {
        contentHash: v.contentHash,
        simulationJobId: sim,
      }),
    );
    assert.equal(approved.version.status, 'approved');
    const route = encodeURIComponent('/v1/policies/{scheme}/versions/{version}/approve');
    const trail = await ok<{ items: AuditRecord[] }>(await t.req('admin', 'GET', `/v1/audit?route=${route}&phase=result&limit=1`));
    const detail = trail.items[0]?.detail as { shown: { simulation: { job: string } | null } } | undefined;
    assert.equal(detail?.shown.simulation?.job, sim, 'the trail keeps the simulation the admin named');
    await ok(await retireByTwo(as('admin'), as('admin2'), 'aml-risk', v.version, 'tidy up'));
  });

  it('a version of a scheme with sign-offs is not approved without a completed simulation named (422 simulation_required); tightening stays any approver’s', async () => {
    const v = await submitted((doc) => {
      doc.overrides = { ...doc.overrides, maxDays: 90 };
      return doc;
    });
    assert.equal((await queueItem(v))?.approvalNeeds, 'approver', 'a shorter override is no weakening');
    const p = await refused(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${v.version}/approve`, { contentHash: v.contentHash }),
      422,
      'unprocessable',
    );
    const e = p.errors?.find((x) => x.path === 'simulationJobId');
    assert.equal(e?.code, 'simulation_required');
    assert.deepEqual(e?.params, { scheme: 'aml-risk', version: v.version, value: null, status: null, latest: null });
    assert.equal(await status(v), 'submitted');
    // A job named is judged as on any scheme, with the same codes: no job of this version, or one not finished.
    const approveWith = (simulationJobId: string) =>
      t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${v.version}/approve`, { contentHash: v.contentHash, simulationJobId });
    const unknown = await refused(await approveWith('job_nope'), 422, 'unprocessable');
    assert.equal(unknown.errors?.[0]?.code, 'simulation_not_of_version');
    const queued = await ok<{ id: string; status: string }>(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${v.version}/simulations`, {}),
      202,
    );
    const unfinished = await refused(await approveWith(queued.id), 422, 'unprocessable');
    assert.equal(unfinished.errors?.[0]?.code, 'simulation_not_completed');
    assert.deepEqual(unfinished.errors?.[0]?.params, { value: queued.id, status: queued.status });
    assert.equal(await status(v), 'submitted');
    const sim = await simulated(v);
    const approved = await ok<{ version: { status: string } }>(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${v.version}/approve`, {
        contentHash: v.contentHash,
        simulationJobId: sim,
      }),
    );
    assert.equal(approved.version.status, 'approved');
    // Retired again by an admin: a shorter bound taken back is a weakening too (the next test's).
    await ok(await retireByTwo(as('admin'), as('admin2'), 'aml-risk', v.version, 'tidy up'));
  });

  /** A stricter version approved for next month (the test below), which the one after it retires. */
  let tight: Version;

  it('a version approved for next month is a baseline too: undoing it is an admin’s', async () => {
    tight = await submitted((doc) => {
      doc.overrides = { ...doc.overrides, maxDays: 60 };
      return doc;
    });
    const sim = await simulated(tight);
    const scheduled = await ok<{ version: { status: string } }>(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${tight.version}/approve`, {
        contentHash: tight.contentHash,
        simulationJobId: sim,
      }),
    );
    assert.equal(scheduled.version.status, 'approved', 'from next month: not yet in force');

    // Back to the bound in force today, undoing the one already approved for next month: an admin's.
    const loose = await submitted((doc) => {
      doc.overrides = { ...doc.overrides, maxDays: 180 };
      return doc;
    });
    assert.equal((await queueItem(loose))?.approvalNeeds, 'admin');
    const p = await refused(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${loose.version}/approve`, { contentHash: loose.contentHash }),
      403,
      'forbidden',
    );
    assert.deepEqual(p.errors?.[0]?.params?.weakens, ['overrides/maxDays']);
    await ok(await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${loose.version}/reject`, { note: 'not without an admin' }));
  });

  it('retiring a stricter version waits for the role it asks: one approver alone may not bring the weaker one back', async () => {
    // Retiring the stricter version brings the weaker one back: one approver alone may not.
    // Asked by an approver, it waits for a second person with the role it needs.
    const asked = await ok<{ retireRequestHash: string }>(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${tight.version}/retire`, { note: 'back to 180 days' }),
      202,
    );
    const approve = (who: Person) =>
      t.req(who, 'POST', `/v1/policies/aml-risk/versions/${tight.version}/retirement/approve`, { contentHash: asked.retireRequestHash });
    const r = await refused(await approve('approver2'), 403, 'forbidden');
    assert.equal(r.errors?.[0]?.code, 'governance_weakened');
    assert.deepEqual(r.errors?.[0]?.params, { scheme: 'aml-risk', version: tight.version, needs: 'admin', weakens: ['overrides/maxDays'] });
    assert.equal(await status(tight), 'approved', 'still approved');
    await ok(await approve('admin'));
    assert.equal(await status(tight), 'retired');
  });

  it('a version showing the AML grade to customers is refused outright; telling them of its blocks waits for an admin', async () => {
    // A customer scheme may not read AML or PEP metrics, so the AML grade made customer-facing is no
    // weakening an admin could approve: its submission is refused, and it never reaches the queue.
    const draft = await ok<Version>(await t.req('officer', 'POST', '/v1/policies/aml-risk/drafts', {}), 201);
    const doc = structuredClone(draft.document);
    doc.audience = 'customer';
    delete doc.customerBlocks;
    await ok(await t.req('officer', 'PUT', `/v1/policies/aml-risk/versions/${draft.version}`, { document: doc }));
    const bad = await refused(
      await t.req('officer', 'POST', `/v1/policies/aml-risk/versions/${draft.version}/submit`, {}),
      400,
      'validation',
    );
    assert.ok(bad.errors?.length);
    assert.ok(
      bad.errors.every((e) => e.code === 'staff_metric'),
      JSON.stringify(bad.errors?.map((e) => e.code)),
    );
    assert.ok(bad.errors.some((e) => e.params?.metric === 'pep'));
    assert.equal(await status(draft), 'draft', 'not submitted');
    assert.equal(await queueItem(draft), undefined, 'nothing for an approver to decide');

    // Telling customers of its blocks ("contact your branch") is a weakening: an admin's, not an approver's.
    const v = await submitted((d) => {
      d.customerBlocks = 'notice';
      return d;
    });
    assert.equal((await queueItem(v))?.approvalNeeds, 'admin');
    const p = await refused(
      await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${v.version}/approve`, { contentHash: v.contentHash }),
      403,
      'forbidden',
    );
    const e = p.errors?.find((x) => x.path === 'document');
    assert.equal(e?.code, 'governance_weakened');
    assert.deepEqual(e?.params?.weakens, ['customerBlocks']);
    assert.equal(await status(v), 'submitted', 'nothing was approved');
    await ok(await t.req('approver', 'POST', `/v1/policies/aml-risk/versions/${v.version}/reject`, { note: 'not without an admin' }));
  });
});
