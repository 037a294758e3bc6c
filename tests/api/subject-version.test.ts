import assert from 'node:assert/strict';
import { it } from 'node:test';
import { drainJobs, enqueueRetier } from '@tierkit/api';
import {
  appendTierEvents,
  changeOverride,
  findSubjectByExternalId,
  insertAssignments,
  insertMetrics,
  insertOverride,
  listAssignments,
  setAssignmentPending,
  storeReevaluations,
  upsertAssignments,
  type NewTierEventInput,
} from '@tierkit/db';
import type { StaffHistoryResponse } from '@tierkit/core';
import { NOW, client, forEachDialect } from '../support/api-fixture.js';

/*
 * `subjects.version` (what read ETags and the read cache key by) is bumped by the repository
 * functions that write assignments, overrides and tier events, no longer by per-row triggers: each
 * such function must bump it, once per subject and call, and a re-tier job's chunk must too.
 */

const Q3 = ['2025-08', '2025-09', '2025-10'] as const;

forEachDialect('subject versions bumped by every write of assignments, overrides and tier events', (f) => {
  const api = client(f);

  /** A customer evaluated once, and a reader of its stored version. */
  async function evaluated(externalId: string) {
    await api.customer(externalId);
    assert.equal((await api.balances(externalId, [['2025-10', 60_000]])).status, 200);
    const subject = await findSubjectByExternalId(f.db.db, 'bank-a', externalId);
    assert.ok(subject);
    const version = async () => (await findSubjectByExternalId(f.db.db, 'bank-a', externalId))?.version ?? Number.NaN;
    return { subject, version };
  }

  const event = (subjectId: string, id: string): NewTierEventInput => ({
    id,
    subjectId,
    scheme: 'retail-tier',
    from: null,
    to: 'standard',
    at: NOW.toISOString(),
    reason: 'initial',
    ruleId: null,
    note: null,
    actor: 'test',
    approvedBy: null,
    policyVersion: 1,
  });

  it('assignments: an upsert, a seeding insert and a sign-off flag each bump once per subject, however many rows', async () => {
    const { subject, version } = await evaluated('SV1');
    const stored = await listAssignments(f.db.db, 'bank-a', subject.id);
    assert.ok(stored.length > 1, 'several schemes: several rows of one subject');
    let v = await version();
    await upsertAssignments(f.db.db, 'bank-a', stored);
    assert.equal(await version(), v + 1, 'upsertAssignments');
    v = await version();
    await setAssignmentPending(f.db.db, 'bank-a', subject.id, stored[0]?.scheme ?? '', true);
    assert.equal(await version(), v + 1, 'setAssignmentPending');

    await api.customer('SV1B');
    const seeded = await findSubjectByExternalId(f.db.db, 'bank-a', 'SV1B');
    assert.ok(seeded);
    await insertAssignments(
      f.db.db,
      'bank-a',
      stored.map((a) => ({ ...a, subjectId: seeded.id })),
    );
    assert.equal((await findSubjectByExternalId(f.db.db, 'bank-a', 'SV1B'))?.version, seeded.version + 1, 'insertAssignments');
  });

  it('tier events, and a re-evaluation storing both at once: one bump', async () => {
    const { subject, version } = await evaluated('SV2');
    let v = await version();
    await appendTierEvents(f.db.db, 'bank-a', [event(subject.id, 'sv2-e1'), event(subject.id, 'sv2-e2')]);
    assert.equal(await version(), v + 1, 'appendTierEvents');
    v = await version();
    const stored = await listAssignments(f.db.db, 'bank-a', subject.id);
    await storeReevaluations(f.db.db, 'bank-a', stored, [event(subject.id, 'sv2-e3')]);
    assert.equal(await version(), v + 1, 'storeReevaluations');
  });

  it('a store for several customers bumps and writes only the open ones of its tenant, and answers the closed one', async () => {
    const open = await evaluated('SV5A');
    const closing = await evaluated('SV5B');
    assert.equal((await api.post('/v1/subjects/SV5B/close', { reason: '销户' })).status, 200);
    const other = client(f, 'b');
    await other.customer('SV5C');
    assert.equal((await other.balances('SV5C', [['2025-10', 60_000]])).status, 200);
    const foreign = await findSubjectByExternalId(f.db.db, 'bank-b', 'SV5C');
    assert.ok(foreign);
    const versionOf = async (tenant: string, externalId: string) => (await findSubjectByExternalId(f.db.db, tenant, externalId))?.version;
    const before = { open: await open.version(), closed: await closing.version(), foreign: await versionOf('bank-b', 'SV5C') };
    const assignments = [
      ...(await listAssignments(f.db.db, 'bank-a', open.subject.id)),
      ...(await listAssignments(f.db.db, 'bank-a', closing.subject.id)),
    ];
    const events = [event(open.subject.id, 'sv5-e1'), event(closing.subject.id, 'sv5-e2'), event(foreign.id, 'sv5-e3')];
    const left = await storeReevaluations(f.db.db, 'bank-a', assignments, events);
    assert.deepEqual([...left].sort(), [closing.subject.id, foreign.id].sort(), 'the closed customer and the other bank’s are left out');
    assert.equal(await open.version(), before.open + 1);
    assert.equal(await closing.version(), before.closed, 'a closed customer is not bumped');
    assert.equal(await versionOf('bank-b', 'SV5C'), before.foreign, 'nor another tenant’s');
    const history = (await (await api.get('/v1/subjects/SV5A/history')).json()) as StaffHistoryResponse;
    assert.ok(
      history.items.some((e) => e.id === 'sv5-e1'),
      'the open customer’s event is written',
    );
    const written = await f.db.db.selectFrom('tier_events').select('id').where('id', 'in', ['sv5-e2', 'sv5-e3']).execute();
    assert.deepEqual(written, [], 'nothing of the others');
  });

  it('overrides: storing one bumps; a lifecycle step bumps only when it changed the row', async () => {
    const { subject, version } = await evaluated('SV3');
    let v = await version();
    await insertOverride(
      f.db.db,
      'bank-a',
      subject.id,
      {
        id: 'ov-sv3',
        scheme: 'retail-tier',
        level: 'gold',
        mode: 'fixed',
        reason: 'retention',
        expiresAt: null,
        requestedBy: 'rm-1',
        approvedBy: null,
      },
      NOW.toISOString(),
    );
    assert.equal(await version(), v + 1, 'insertOverride');
    v = await version();
    const stale = { status: 'approved' as const, contentHash: '' };
    assert.equal(await changeOverride(f.db.db, 'bank-a', 'ov-sv3', stale, { status: 'rejected', updatedAt: NOW.toISOString() }), false);
    assert.equal(await version(), v, 'a step that changed nothing bumps nothing');
    const pending = { status: 'pending' as const, contentHash: '' };
    assert.equal(await changeOverride(f.db.db, 'bank-a', 'ov-sv3', pending, { status: 'rejected', updatedAt: NOW.toISOString() }), true);
    assert.equal(await version(), v + 1, 'changeOverride');
  });

  it('a re-tier job bumps what it re-evaluated: the ETag from before the job no longer gives a 304', async () => {
    await api.customer('SV4');
    assert.equal((await api.balances('SV4', [['2025-08', 60_000]])).status, 200);
    const subject = await findSubjectByExternalId(f.db.db, 'bank-a', 'SV4');
    assert.ok(subject);
    const etag = (await api.get('/v1/subjects/SV4/tiers')).headers.get('ETag') ?? '';
    assert.equal((await api.get('/v1/subjects/SV4/tiers', { 'If-None-Match': etag })).status, 304);
    // A warehouse load: metrics straight into the table, no evaluation, so nothing a read shows changes yet.
    await insertMetrics(
      f.db.db,
      Q3.slice(1).map((period) => ({
        tenant_id: 'bank-a',
        subject_id: subject.id,
        metric: 'avg_daily_balance',
        period,
        value: 50_000_000,
      })),
    );
    assert.equal((await api.get('/v1/subjects/SV4/tiers', { 'If-None-Match': etag })).status, 304);
    await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-10', now: NOW, filter: { subjects: ['SV4'] } });
    await drainJobs({ db: f.db.db, now: () => NOW, logError: (err: unknown) => assert.fail(String(err)) });
    const after = await api.get('/v1/subjects/SV4/tiers', { 'If-None-Match': etag });
    assert.equal(after.status, 200, 'the job changed the tiers: a new body');
    assert.notEqual(after.headers.get('ETag'), etag);
    const history = await api.get('/v1/subjects/SV4/history');
    assert.ok(((await history.json()) as { items: unknown[] }).items.length >= 2, 'the job recorded its level change');
  });
});
