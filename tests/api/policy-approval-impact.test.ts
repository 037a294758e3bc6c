import assert from 'node:assert/strict';
import { it } from 'node:test';
import { drainJobs, type Role } from '@tierkit/api';
import { findJob, insertJob } from '@tierkit/db';
import type { Problem, TiersResponse } from '@tierkit/core';
import type { AuditRecord, Job, VersionSimulations } from '@tierkit/core/wire';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';
import { retireByTwo } from '../support/retire.js';

/*
 * What the approver of a policy version is shown and what approving it does to months under way: an
 * examiner found approvals dated into the month under way by default, and a trail that did not say
 * what the approver had seen (docs/architecture.md, "Four eyes"; packages/api README, "Policy approval").
 */

interface Version {
  version: number;
  status: string;
  effectiveFrom: string | null;
  contentHash: string | null;
  document: { levels: { key: string; approvalRequired?: boolean }[]; policy: { levels: { when: { value?: unknown } }[] } };
}

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

const who = (f: ApiFixture, role: Role) => client(f, () => f.keys.roles[role]);

forEachDialect('policy approval: default date, early dates confirmed, what the approver was shown', (f) => {
  const officer = who(f, 'officer');
  const approver = who(f, 'approver');
  const analyst = who(f, 'analyst');
  const admin = client(f);
  const drain = () => drainJobs({ db: f.db.db, now: () => NOW });

  /** A submitted draft of aml-test with its 高 line at `line` (and 高 needing a sign-off when `signOff`), by the officer. */
  async function submitted(line: number, signOff = false): Promise<Version> {
    const draft = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', {}), 201);
    const doc = structuredClone(draft.document);
    (doc.policy.levels[0] as { when: { value: number } }).when.value = line;
    if (signOff) doc.levels = doc.levels.map((l) => (l.key === 'high' ? { ...l, approvalRequired: true } : l));
    await ok(await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: doc }));
    return ok<Version>(await officer.post(`/v1/policies/aml-test/versions/${draft.version}/submit`, {}));
  }

  async function amlLevel(id: string): Promise<string | undefined> {
    return (await ok<TiersResponse>(await admin.get(`/v1/subjects/${id}/tiers?scheme=aml-test`))).assignments[0]?.level;
  }

  /** The result record of the latest approval of a policy version on the trail. */
  async function approvalRecord(): Promise<AuditRecord> {
    const route = encodeURIComponent('/v1/policies/{scheme}/versions/{version}/approve');
    const page = await ok<{ items: AuditRecord[] }>(await admin.get(`/v1/audit?route=${route}&phase=result&limit=1`));
    const r = page.items[0];
    assert.ok(r, 'an approval on the trail');
    return r;
  }

  const risk = (id: string, value: number) =>
    admin.put(`/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'aml_customer_risk', period: '2025-11', value }] });

  it('shows the latest finished simulation of a version, what it planned under, and when the book changed since', async () => {
    await ok(await admin.put('/v1/subjects/PA1', { kind: 'customer', displayName: '赵一' }), 201);
    await ok(await admin.put('/v1/subjects/PA2', { kind: 'customer', displayName: '钱二' }), 201);
    await ok(await risk('PA1', 60));
    await ok(await risk('PA2', 30));
    const v = await submitted(50);
    const path = `/v1/policies/aml-test/versions/${v.version}/simulations`;
    const none = await ok<VersionSimulations>(await analyst.get(path));
    assert.deepEqual(none, { latest: null, pinned: [], changedSince: null, stale: false, signOffs: null, running: null });
    await problem(await who(f, 'viewer').get(path), 403);

    const job = await ok<Job>(await analyst.post(path, {}), 202);
    const running = await ok<VersionSimulations>(await approver.get(path));
    assert.equal(running.running?.id, job.id, 'the checker sees it running');
    assert.equal(running.latest, null);
    await drain();
    const done = await ok<VersionSimulations>(await approver.get(path));
    assert.equal(done.running, null);
    assert.equal(done.latest?.id, job.id);
    assert.equal(done.latest?.status, 'completed');
    assert.equal(done.latest?.simulation?.result.period, '2025-12', 'the month after the latest judged');
    assert.ok((done.latest?.simulation?.result.upgraded ?? 0) >= 1, 'PA1 goes up under the lower line');
    assert.deepEqual(done.changedSince, { data: false, levels: false, policies: false, revision: false });
    assert.equal(done.stale, false);
    assert.ok(done.pinned.every((p) => typeof p.scheme === 'string' && Number.isInteger(p.version)));

    // New figures after it was queued: its numbers are of another book.
    await ok(await risk('PA2', 35));
    const stale = await ok<VersionSimulations>(await approver.get(path));
    assert.equal(stale.latest?.id, job.id);
    assert.deepEqual(stale.changedSince, { data: true, levels: false, policies: false, revision: false });
    assert.equal(stale.stale, true);

    // Another bank has no such version: the same 404 as a version that does not exist.
    await problem(await client(f, 'b').get(path), 404);
  });

  it('counts the sign-offs a version opens by its own levels, not those in force, on the card and the trail', async () => {
    // In force, 高 needs no sign-off; this version makes it need one: every subject it moves up opens one.
    const v = await submitted(50, true);
    const path = `/v1/policies/aml-test/versions/${v.version}/simulations`;
    const job = await ok<Job>(await approver.post(path, {}), 202);
    await drain();
    const done = await ok<VersionSimulations>(await approver.get(path));
    const up = (done.latest?.simulation?.result.cells ?? []).filter((c) => c.to === 'high' && c.from !== 'high');
    const moved = up.reduce((n, c) => n + c.count, 0);
    assert.ok(moved >= 1, 'PA1 (60) goes up under the line at 50');
    assert.equal(done.signOffs, moved, 'each subject moved onto 高 opens a sign-off under this version');
    const plain = await submitted(50);
    const plainPath = `/v1/policies/aml-test/versions/${plain.version}/simulations`;
    await ok<Job>(await approver.post(plainPath, {}), 202);
    await drain();
    assert.equal((await ok<VersionSimulations>(await approver.get(plainPath))).signOffs, 0, 'the same moves open none without it');
    assert.equal(
      (await ok<VersionSimulations>(await approver.get(`/v1/policies/aml-test/versions/${v.version}/simulations`))).latest?.id,
      job.id,
    );
    await ok(
      await approver.post(`/v1/policies/aml-test/versions/${v.version}/approve`, { contentHash: v.contentHash, simulationJobId: job.id }),
    );
    const shown = (await approvalRecord()).detail as { shown: { simulation: { signOffs: number } } };
    assert.equal(shown.shown.simulation.signOffs, moved, 'the trail keeps the count the approver was shown');
    await ok(await retireByTwo(approver.post, admin.post, 'aml-test', v.version, 'tidy up'));
    await ok(await approver.post(`/v1/policies/aml-test/versions/${plain.version}/reject`, { note: 'tidy up' }));
  });

  it('approves from the next month by default and records the diff and the simulation the approver named', async () => {
    const v = await submitted(55);
    const path = `/v1/policies/aml-test/versions/${v.version}/simulations`;
    const job = await ok<Job>(await approver.post(path, {}), 202);
    await drain();
    const approved = await ok<{ version: Version; reevaluation: { status: string; fromPeriod: string } }>(
      await approver.post(`/v1/policies/aml-test/versions/${v.version}/approve`, {
        contentHash: v.contentHash,
        simulationJobId: job.id,
        note: '看过模拟',
      }),
    );
    assert.equal(approved.version.effectiveFrom, '2025-12-01', 'the first day of the month after 15 November (Shanghai)');
    assert.equal(approved.version.status, 'approved');
    assert.deepEqual(approved.reevaluation, { status: 'scheduled', fromPeriod: '2025-12' });
    assert.equal(await amlLevel('PA1'), 'low', 'November keeps the policy it began under');

    const record = await approvalRecord();
    assert.equal(record.status, 200);
    const d = record.detail as {
      effectiveFrom: string;
      defaultDate: boolean;
      confirmedRetier: unknown;
      shown: {
        diff: { against: number; changes: { key: string; change: string; text: Record<string, string> }[] } | null;
        simulation: { job: string; status: string; period: string; upgraded: number; changedSince: unknown } | null;
      };
    };
    assert.equal(d.effectiveFrom, '2025-12-01');
    assert.equal(d.defaultDate, true);
    assert.equal(d.confirmedRetier, null);
    assert.equal(d.shown.diff?.against, 1, 'against the version in force when it was approved');
    const line = d.shown.diff?.changes.find((c) => c.key === 'rule:high/high.score');
    assert.equal(line?.change, 'changed');
    assert.match(line?.text.en ?? '', /80.*→.*55/);
    assert.equal(d.shown.simulation?.job, job.id);
    assert.equal(d.shown.simulation?.status, 'completed');
    assert.equal(d.shown.simulation?.period, '2025-12');
    assert.deepEqual(d.shown.simulation?.changedSince, { data: false, levels: false, policies: false, revision: false });
    await ok(await retireByTwo(approver.post, admin.post, 'aml-test', v.version, 'tidy up'));
  });

  it('refuses a date in the month under way, already judged or past without the approver’s word, and changes nothing', async () => {
    await ok(await admin.put('/v1/subjects/PB1', { kind: 'customer', displayName: '孙三' }), 201);
    await ok(await risk('PB1', 60));
    assert.equal(await amlLevel('PB1'), 'low');
    const v = await submitted(50);
    const approve = (body: Record<string, unknown>) =>
      approver.post(`/v1/policies/aml-test/versions/${v.version}/approve`, { contentHash: v.contentHash, ...body });
    const refusals: [string, string[]][] = [
      ['2025-11-01', ['month-under-way', 'already-judged', 'past']],
      ['2025-11-10', ['past']],
    ];
    for (const [day, reasons] of refusals) {
      const p: Problem = await problem(await approve({ effectiveFrom: day }), 422);
      assert.equal(p.type, 'https://tierkit.dev/problems/unprocessable');
      const e = p.errors?.[0];
      assert.equal(e?.path, 'effectiveFrom');
      assert.equal(e?.code, 'effective_date_needs_confirmation');
      assert.deepEqual(e?.params, { value: day, period: day === '2025-11-01' ? '2025-11' : '2025-12', reasons, suggested: '2025-12-01' });
      assert.equal((await approvalRecord()).status, 422, 'the refusal is on the trail');
    }
    await problem(await approve({ effectiveFrom: '2025-11-01', confirmRetier: false }), 422);
    // Nothing changed: still submitted, the customer still judged by version 1.
    const still = await ok<Version>(await admin.get(`/v1/policies/aml-test/versions/${v.version}`));
    assert.equal(still.status, 'submitted');
    assert.equal(await amlLevel('PB1'), 'low');
    // Before the month under way stays refused, confirmed or not: months already final keep their policy.
    const before = await problem(await approve({ effectiveFrom: '2025-10-01', confirmRetier: true }), 400);
    assert.equal(before.errors?.[0]?.code, 'too_small');

    // A simulation of another version, or no job at all, is not what this approver was shown.
    const other = await submitted(70);
    const otherJob = await ok<Job>(await approver.post(`/v1/policies/aml-test/versions/${other.version}/simulations`, {}), 202);
    for (const id of [otherJob.id, 'job_doesnotexist']) {
      const p = await problem(await approve({ effectiveFrom: '2025-11-01', confirmRetier: true, simulationJobId: id }), 422);
      assert.equal(p.errors?.[0]?.code, 'simulation_not_of_version');
      assert.equal(p.errors?.[0]?.path, 'simulationJobId');
    }
    assert.equal((await ok<Version>(await admin.get(`/v1/policies/aml-test/versions/${v.version}`))).status, 'submitted');

    // With the word, the month under way is judged again at once, and the trail says what was confirmed.
    const approved = await ok<{ version: Version; reevaluation: { status: string } }>(
      await approve({ effectiveFrom: '2025-11-01', confirmRetier: true }),
    );
    assert.equal(approved.version.status, 'active');
    assert.equal(approved.reevaluation.status, 'done');
    assert.equal(await amlLevel('PB1'), 'high');
    const record = await approvalRecord();
    assert.equal(record.status, 200);
    assert.deepEqual((record.detail as { confirmedRetier: unknown }).confirmedRetier, ['month-under-way', 'already-judged', 'past']);
    assert.equal((record.detail as { defaultDate: unknown }).defaultDate, false);
    assert.equal((record.detail as { shown: { simulation: unknown } }).shown.simulation, null, 'no simulation named');
    await drain();
    await ok(await retireByTwo(approver.post, admin.post, 'aml-test', v.version, 'tidy up'));
  });
  it('says the policies changed since a simulation when a version it planned under is approved, not when one is rejected', async () => {
    // The test clock stands still: a decision stamped the same instant as the job must still count.
    const v = await submitted(50);
    const path = `/v1/policies/aml-test/versions/${v.version}/simulations`;
    await ok<Job>(await approver.post(path, {}), 202);
    await drain();
    const read = async () => (await ok<VersionSimulations>(await approver.get(path))).changedSince;
    assert.equal((await read())?.policies, false);
    const rejected = await submitted(60);
    await ok(await approver.post(`/v1/policies/aml-test/versions/${rejected.version}/reject`, { note: '不用' }));
    assert.equal((await read())?.policies, false, 'a rejected version changes nothing it planned under');
    const approved = await submitted(65);
    await ok(
      await approver.post(`/v1/policies/aml-test/versions/${approved.version}/approve`, {
        contentHash: approved.contentHash,
        effectiveFrom: '2025-11-01',
        confirmRetier: true,
      }),
    );
    const after = await ok<VersionSimulations>(await approver.get(path));
    assert.equal(after.changedSince?.policies, true, 'the version in force for its month is another now');
    assert.equal(after.stale, true);
    await drain();
    await ok(await retireByTwo(approver.post, admin.post, 'aml-test', approved.version, 'tidy up'));
    assert.equal((await read())?.policies, false, 'retired again: what it planned under is in force once more');
  });

  it('finds a version’s simulation however many others the tenant ran since, and accepts only a completed one of the revision approved', async () => {
    await ok(await admin.put('/v1/subjects/PC1', { kind: 'customer', displayName: '周四' }), 201);
    await ok(await risk('PC1', 60));
    const v = await submitted(52);
    const path = `/v1/policies/aml-test/versions/${v.version}/simulations`;
    const mine = await ok<Job>(await approver.post(path, {}), 202);
    await drain();
    // A busy tenant: 250 simulations of another version queued after this one (stored as the route stores them).
    const other = await submitted(71);
    const seed = await ok<Job>(await approver.post(`/v1/policies/aml-test/versions/${other.version}/simulations`, {}), 202);
    const row = await findJob(f.db.db, 'bank-a', seed.id);
    assert.ok(row);
    for (let i = 0; i < 250; i++)
      await insertJob(f.db.db, {
        id: `${seed.id}_${String(i).padStart(3, '0')}`,
        tenantId: 'bank-a',
        kind: 'simulate',
        params: JSON.parse(row.params),
        requestedBy: 'test',
        chunks: [],
        now: new Date(NOW.getTime() + 1000 + i).toISOString(),
        simulationOf: { scheme: 'aml-test', version: other.version },
      });
    const card = await ok<VersionSimulations>(await approver.get(path));
    assert.equal(card.latest?.id, mine.id, 'the version’s own simulation, not lost behind 250 newer ones');

    const approve = (simulationJobId: string) =>
      approver.post(`/v1/policies/aml-test/versions/${v.version}/approve`, { contentHash: v.contentHash, simulationJobId });
    // Still running, then cancelled: not the whole book.
    const running = await ok<Job>(await approver.post(path, {}), 202);
    const unfinished = await problem(await approve(running.id), 422);
    assert.equal(unfinished.errors?.[0]?.code, 'simulation_not_completed');
    assert.deepEqual(unfinished.errors?.[0]?.params, { value: running.id, status: 'running' });
    await ok(await approver.post(`/v1/jobs/${running.id}/cancel`, {}));
    assert.equal((await problem(await approve(running.id), 422)).errors?.[0]?.code, 'simulation_not_completed');
    // Failed (a worker gave up on it): not the whole book either.
    const failing = await ok<Job>(await approver.post(path, {}), 202);
    await f.db.db.updateTable('jobs').set({ status: 'failed', error: 'worker gave up' }).where('id', '=', failing.id).execute();
    assert.equal((await problem(await approve(failing.id), 422)).errors?.[0]?.code, 'simulation_not_completed');

    // Of an earlier revision: simulated as drafted, then edited before it was submitted.
    const draft = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', {}), 201);
    const doc = structuredClone(draft.document);
    (doc.policy.levels[0] as { when: { value: number } }).when.value = 45;
    await ok(await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: doc }));
    const early = await ok<Job>(await officer.post(`/v1/policies/aml-test/versions/${draft.version}/simulations`, {}), 202);
    await drain();
    (doc.policy.levels[0] as { when: { value: number } }).when.value = 40;
    await ok(await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: doc }));
    const edited = await ok<Version>(await officer.post(`/v1/policies/aml-test/versions/${draft.version}/submit`, {}));
    const stale = await problem(
      await approver.post(`/v1/policies/aml-test/versions/${draft.version}/approve`, {
        contentHash: edited.contentHash,
        simulationJobId: early.id,
      }),
      422,
    );
    assert.equal(stale.errors?.[0]?.code, 'simulation_of_earlier_revision');
    assert.equal(stale.errors?.[0]?.path, 'simulationJobId');
    // Nothing changed by the refusals.
    for (const n of [v.version, draft.version])
      assert.equal((await ok<Version>(await admin.get(`/v1/policies/aml-test/versions/${n}`))).status, 'submitted');
    assert.equal(await amlLevel('PC1'), 'low');

    // The completed simulation of the revision approved is accepted.
    await ok(await approve(mine.id));
    assert.equal(((await approvalRecord()).detail as { shown: { simulation: { job: string } } }).shown.simulation.job, mine.id);
    await ok(await retireByTwo(approver.post, admin.post, 'aml-test', v.version, 'tidy up'));
    for (const n of [other.version, draft.version])
      await ok(await approver.post(`/v1/policies/aml-test/versions/${n}/reject`, { note: 'tidy up' }));
  });
});
