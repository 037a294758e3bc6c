import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { type AuditRecord, ERASURE_ACTOR } from '@tierkit/core';
import { createApp, verifyAuditFile } from '@tierkit/api';
import { authHeader, client, forEachDialect } from '../support/api-fixture.js';

/*
 * What an erasure clears in records kept for others, and what its trail says of it (docs/operations.md,
 * "What is erased"): a customer number is matched as a whole token — erasing C0001 leaves C00012's job
 * reason, import row error and kept answer alone, and clears a reason typed `C0001-补录` —, the run's
 * record counts what it cleared (counts only), and each override it ended has a record of its own by
 * `system:retention`, naming no customer in clear, with the chain and an exported file still verifying.
 */

const GONE = 'C0001';
/** Another customer, whose number begins with the erased one's: none of theirs is touched. */
const KEPT = 'C00012';
const KEPT_REASON = `重跑 ${KEPT} 的等级`;
const GONE_REASON = `${GONE}-补录（身份证110101197503081234）`;
/** About other customers whose numbers are the erased one's with a suffix: kept as typed. */
const SUFFIXED_REASON = `复核 ${GONE}-02 与 ${GONE}_B 的等级`;
/** A whole book's re-tier: its reason names no one, and stays shown after the erasure. */
const BOOK_REASON = '月度补跑-寅卯-3391';

const ACTIVE = '2019-06-15T02:00:00Z';
const LEFT = '2019-07-01T02:00:00Z';

type Job = { id: string; params: { filter?: { subjects?: string[] }; reason: string | null } };

forEachDialect('an erasure clears what names the customer as a whole token, and its trail counts it', (f) => {
  const appAt = (at: string) => createApp({ db: f.db.db, now: () => new Date(at), logError: () => undefined });
  const active = (role?: 'officer' | 'approver') =>
    client({ ...f, app: appAt(ACTIVE) }, role === undefined ? 'a' : () => f.keys.roles[role]);
  const jobIds: Record<'both' | 'kept' | 'gone' | 'suffixed' | 'book', string> = { both: '', kept: '', gone: '', suffixed: '', book: '' };
  /** The reason each job's record in the trail shows, by job, read through the API. */
  const reasonsShown = async () => {
    const res = await client(f).get('/v1/audit?route=/v1/jobs&limit=100');
    assert.equal(res.status, 200, await res.clone().text());
    const items = ((await res.json()) as { items: AuditRecord[] }).items.filter((r) => r.phase === 'result');
    return Object.fromEntries(items.map((r) => [r.detail?.job, r.detail?.reason ?? null]));
  };
  let shownBefore: Record<string, unknown> = {};
  let chainedBefore = '';
  let importId = '';
  let overrideId = '';
  let runRecords: AuditRecord[] = [];
  // Both customers' answers are kept under their Idempotency-Keys on the day the erased one left, and
  // replayed through an app whose clock stands then: kept 24 hours, and a later clock would purge them.
  let leftApp: ReturnType<typeof createApp> | undefined;
  const left = () => (leftApp ??= appAt(LEFT));
  /** An override request for the kept customer, answered once (naming them) and kept under its key. */
  const fileKept = () =>
    left().request(`/v1/subjects/${KEPT}/overrides`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'file-kept', ...authHeader(f, () => f.keys.roles.officer) },
      body: JSON.stringify({ scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'VIP', expiresAt: null }),
    });
  const closeGone = (app: ReturnType<typeof createApp>) =>
    app.request(`/v1/subjects/${GONE}/close`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'close-gone', ...authHeader(f, () => f.keys.roles.officer) },
      body: JSON.stringify({ reason: '主动销户' }),
    });

  before(async () => {
    await active().customer(GONE, '欧阳甲');
    await active().customer(KEPT, '欧阳乙');
    for (const s of [GONE, KEPT])
      assert.equal(
        (
          await active('officer').balances(s, [
            ['2019-04', 100_000],
            ['2019-05', 100_000],
          ])
        ).status,
        200,
      );
    const filed = await active('officer').post(`/v1/subjects/${GONE}/overrides`, {
      scheme: 'retail-tier',
      level: 'diamond',
      mode: 'fixed',
      reason: 'VIP',
      expiresAt: null,
    });
    assert.equal(filed.status, 201, await filed.clone().text());
    const pending = (await filed.json()) as { id: string; contentHash: string };
    overrideId = pending.id;
    const approved = await active('approver').post(`/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash });
    assert.equal(approved.status, 200, await approved.clone().text());

    for (const [key, subjects, reason] of [
      ['both', [GONE, KEPT], KEPT_REASON],
      ['kept', [KEPT], KEPT_REASON],
      ['gone', [KEPT], GONE_REASON],
      ['suffixed', [KEPT], SUFFIXED_REASON],
      ['book', null, BOOK_REASON],
    ] as const) {
      const job = await active().post('/v1/jobs', {
        kind: 'retier',
        period: '2019-05',
        ...(subjects ? { filter: { subjects } } : {}),
        reason,
      });
      assert.equal(job.status, 201, await job.clone().text());
      jobIds[key] = ((await job.json()) as { id: string }).id;
    }

    const imported = await appAt(ACTIVE).request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
      body: ['id,kind,name', `${GONE},corporate,欧阳甲`, `${KEPT},corporate,欧阳乙`].join('\n'),
    });
    assert.equal(imported.status, 422, await imported.clone().text());
    importId = (imported.headers.get('Location') ?? '').split('/').pop() ?? '';

    assert.equal((await closeGone(left())).status, 200);
    assert.equal((await closeGone(left())).headers.get('idempotent-replayed'), 'true');
    const kept = await fileKept();
    assert.equal(kept.status, 201, await kept.clone().text());

    shownBefore = await reasonsShown();
    // What the hash chain itself holds: the records' own columns, without their side rows.
    chainedBefore = JSON.stringify(
      await f.db.db.selectFrom('audit_records').select(['detail', 'target']).where('chain', '=', 'bank-a').execute(),
    );
    const run = await client(f).post('/v1/retention/run', {});
    assert.equal(run.status, 200, await run.clone().text());
    assert.equal(((await run.json()) as { erased: number }).erased, 1);
    const trail = await client(f).get('/v1/audit?route=/v1/retention/run&limit=100');
    assert.equal(trail.status, 200, await trail.clone().text());
    runRecords = ((await trail.json()) as { items: AuditRecord[] }).items;
  });

  it('leaves the other customer’s job reasons as typed, and clears a reason naming the erased number before a hyphen, not one naming C0001-02', async () => {
    const job = async (id: string) => (await (await client(f).get(`/v1/jobs/${id}`)).json()) as Job;
    const both = await job(jobIds.both);
    assert.deepEqual(both.params.filter?.subjects, ['erased customer', KEPT]);
    assert.equal(both.params.reason, KEPT_REASON);
    assert.equal((await job(jobIds.kept)).params.reason, KEPT_REASON);
    assert.equal((await job(jobIds.gone)).params.reason, null);
    assert.equal((await job(jobIds.suffixed)).params.reason, SUFFIXED_REASON, 'C0001-02 and C0001_B are other customers');
  });

  it('keeps a job’s reason out of the hash chain: shown beside its record until an erasure of a customer it listed or named', async () => {
    assert.deepEqual(shownBefore, {
      [jobIds.both]: KEPT_REASON,
      [jobIds.kept]: KEPT_REASON,
      [jobIds.gone]: GONE_REASON,
      [jobIds.suffixed]: SUFFIXED_REASON,
      [jobIds.book]: BOOK_REASON,
    });
    for (const typed of [KEPT_REASON, GONE_REASON, SUFFIXED_REASON, BOOK_REASON]) assert.ok(!chainedBefore.includes(typed), typed);
    assert.deepEqual(await reasonsShown(), {
      [jobIds.both]: null,
      [jobIds.kept]: KEPT_REASON,
      [jobIds.gone]: null,
      [jobIds.suffixed]: SUFFIXED_REASON,
      [jobIds.book]: BOOK_REASON,
    });
  });

  it('leaves the other customer’s import row error and kept answer alone', async () => {
    const res = await client(f).get(`/v1/imports/${importId}?limit=100`);
    const items = ((await res.json()) as { errors: { items: { line: number; message: string }[] } }).errors.items;
    assert.equal(items.length, 2);
    assert.equal(items.find((e) => e.line === 2)?.message, 'erased customer');
    assert.ok(items.find((e) => e.line === 3)?.message.includes(KEPT), JSON.stringify(items));
    assert.equal((await fileKept()).headers.get('idempotent-replayed'), 'true', 'the other customer’s answer is still replayed');
  });

  it('counts in the erasure’s record what it cleared, and no number', async () => {
    const chunk = runRecords.find((r) => r.phase === 'change' && r.actor !== ERASURE_ACTOR && (r.detail?.erased ?? 0) === 1);
    assert.ok(chunk, JSON.stringify(runRecords));
    assert.deepEqual(
      Object.fromEntries(
        ['jobFilters', 'jobReasons', 'importRowErrors', 'overrideLabels', 'idempotentAnswers', 'overridesEnded'].map((k) => [
          k,
          chunk.detail?.[k],
        ]),
      ),
      { jobFilters: 1, jobReasons: 1, importRowErrors: 1, overrideLabels: 1, idempotentAnswers: 1, overridesEnded: 1 },
    );
    assert.ok(!JSON.stringify(chunk).includes(GONE));
  });

  it('records each override it ended, by system:retention, with no customer number in clear; the trail still verifies', async () => {
    const ended = runRecords.filter((r) => r.actor === ERASURE_ACTOR);
    assert.equal(ended.length, 1, JSON.stringify(runRecords));
    const [record] = ended;
    assert.equal(record?.detail?.override, overrideId);
    assert.equal(record?.detail?.revokedBy, ERASURE_ACTOR);
    assert.ok(!JSON.stringify(record).includes(GONE), JSON.stringify(record));
    const verified = (await (await client(f).get('/v1/audit/verify')).json()) as { ok: boolean; problems: unknown[] };
    assert.deepEqual(verified.problems, []);
    assert.equal(verified.ok, true);
    const text = await (await client(f).get('/v1/audit/export?format=jsonl')).text();
    const offline = await verifyAuditFile(
      text.split('\n').filter((l) => l !== ''),
      'bank-a',
    );
    assert.equal(offline.ok, true, JSON.stringify(offline));
  });
});
