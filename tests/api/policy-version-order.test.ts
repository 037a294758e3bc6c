import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Role } from '@tierkit/api';
import type { AuditRecord, PolicyDiff } from '@tierkit/core/wire';
import { client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';
import { retireByTwo } from '../support/retire.js';

/*
 * A new version follows the last approved one (docs/domain.md, "Policy versions"): the card-benefits
 * manager found a draft copied from the version in force, approved after a launch already scheduled,
 * silently undoing it on its date — while the checker's diff showed only the draft's own edit.
 */

interface Version {
  version: number;
  status: string;
  effectiveFrom: string | null;
  contentHash: string | null;
  document: { policy: { levels: { when: { value?: unknown } }[] } };
}

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

const who = (f: ApiFixture, role: Role) => client(f, () => f.keys.roles[role]);
const line = (v: Version) => v.document.policy.levels[0]?.when.value;

forEachDialect('policy versions in order', (f) => {
  const officer = who(f, 'officer');
  const approver = who(f, 'approver');
  const admin = client(f);

  /** A draft of aml-test (copied as the API copies by default) with its 高 line at `value`, submitted by the officer. */
  async function submitted(value: number, copy: (d: Version) => void = () => undefined): Promise<Version> {
    const draft = await ok<Version>(await officer.post('/v1/policies/aml-test/drafts', {}), 201);
    copy(draft);
    const doc = structuredClone(draft.document);
    (doc.policy.levels[0] as { when: { value: number } }).when.value = value;
    await ok(await officer.put(`/v1/policies/aml-test/versions/${draft.version}`, { document: doc }));
    return ok<Version>(await officer.post(`/v1/policies/aml-test/versions/${draft.version}/submit`, {}));
  }

  it('a new draft copies the scheduled version, its diff and the trail compare with it, and it may not be dated before it', async () => {
    // The launch: 高 line 80 → 50 from 1 January 2026 (today is 15 November 2025 in Shanghai).
    const launch = await submitted(50);
    await ok(
      await approver.post(`/v1/policies/aml-test/versions/${launch.version}/approve`, {
        contentHash: launch.contentHash,
        effectiveFrom: '2026-01-01',
      }),
    );
    // The next draft starts from the launch, not from version 1 in force.
    let copied: Version | undefined;
    const next = await submitted(45, (d) => {
      copied = d;
    });
    assert.equal(copied && line(copied), 50, 'a copy of the scheduled version, not of the one in force (80)');

    const diff = await ok<PolicyDiff>(await who(f, 'analyst').get(`/v1/policies/aml-test/versions/${next.version}/diff`));
    assert.equal(diff.against, launch.version, 'compared with the version it would replace');
    assert.equal(diff.againstFrom, '2026-01-01');
    assert.equal(diff.inForce, 1, 'a scheduled version lies between the one in force and this one');
    assert.equal(diff.approveFrom, '2026-02-01', 'the default date is after the scheduled one, not on it (a 409 twin)');
    assert.match(diff.changes.find((c) => c.key === 'rule:high/high.score')?.text.en ?? '', /50.*→.*45/);

    // Dated before the launch, it would be undone by it on 1 January: refused, nothing approved.
    const refused = await problem(
      await approver.post(`/v1/policies/aml-test/versions/${next.version}/approve`, {
        contentHash: next.contentHash,
        effectiveFrom: '2025-12-01',
      }),
      409,
    );
    assert.equal(refused.type, 'https://tierkit.dev/problems/conflict');
    assert.deepEqual(
      refused.errors?.map((e) => [e.path, e.code, e.params?.version, e.params?.day]),
      [['effectiveFrom', 'scheduled_version_later', launch.version, '2026-01-01']],
    );
    assert.equal((await ok<Version>(await officer.get(`/v1/policies/aml-test/versions/${next.version}`))).status, 'submitted');

    // Without a date: the month after the launch's, and the trail keeps the diff against the launch.
    const approved = await ok<{ version: Version }>(
      await approver.post(`/v1/policies/aml-test/versions/${next.version}/approve`, { contentHash: next.contentHash }),
    );
    assert.equal(approved.version.effectiveFrom, '2026-02-01');
    const route = encodeURIComponent('/v1/policies/{scheme}/versions/{version}/approve');
    const record = (await ok<{ items: AuditRecord[] }>(await admin.get(`/v1/audit?route=${route}&phase=result&limit=1`))).items[0];
    assert.ok(record, 'the approval is on the trail');
    const shown = (record.detail as { shown: { diff: { against: number } | null } }).shown;
    assert.equal(shown.diff?.against, launch.version, 'the trail says what the approver compared with');
    // Approved, it is still read against the version it replaces on its date, as the trail says — not v1.
    const after = await ok<PolicyDiff>(await who(f, 'analyst').get(`/v1/policies/aml-test/versions/${next.version}/diff`));
    assert.deepEqual([after.against, after.againstFrom, after.inForce], [launch.version, '2026-01-01', 1]);
    assert.match(after.changes.find((c) => c.key === 'rule:high/high.score')?.text.en ?? '', /50.*→.*45/);

    for (const v of [next.version, launch.version]) await ok(await retireByTwo(approver.post, admin.post, 'aml-test', v, 'tidy up'));
  });

  it('another tenant’s scheduled versions change nothing of this one’s drafts', async () => {
    // Tenant a schedules a launch; tenant b, with none, still drafts from, compares with and dates
    // after its own version in force — not a's (the test left nothing scheduled anywhere before).
    const launch = await submitted(50);
    await ok(
      await approver.post(`/v1/policies/aml-test/versions/${launch.version}/approve`, {
        contentHash: launch.contentHash,
        effectiveFrom: '2026-01-01',
      }),
    );
    const b = client(f, 'b');
    const draft = await ok<Version>(await b.post('/v1/policies/aml-test/drafts', {}), 201);
    assert.equal(line(draft), 80, 'a copy of b’s version in force, not of a’s scheduled one (50)');
    const diff = await ok<PolicyDiff>(await b.get(`/v1/policies/aml-test/versions/${draft.version}/diff`));
    assert.deepEqual([diff.against, diff.againstFrom, diff.inForce, diff.approveFrom], [1, null, 1, '2025-12-01']);
    await ok(await retireByTwo(approver.post, admin.post, 'aml-test', launch.version, 'tidy up'));
  });
});
