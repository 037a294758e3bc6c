import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { findSubjectByExternalId, lapsedPendingClosingRequests, setSubjectClosed } from '@tierkit/db';
import { client, clientAt, forEachDialect, LONG_AGO, NOW, type ApiFixture } from '../support/api-fixture.js';
import { answeredWithoutWaiting, backendPid } from '../support/pg-lock-waits.js';
import { problem } from '../support/problems.js';

/*
 * A closing request nobody decides lapses 30 days after it was filed (services/closing-lapse.ts). Before
 * this, one left undecided held its customer from every retention run and barred any other closing of
 * them for ever. NOW is 2025-11-15; the requests here were filed 31 days before it.
 */

type Request = { id: string; status: string; lapsesAt: string; decidedBy: string | null; decidedAt: string | null; contentHash: string };
type Trail = { items: { phase: string; actor: string; detail: { request?: string; status?: string; lapsedAt?: string } | null }[] };

const LEFT = '2021-06-01T02:00:00.000Z';
const DAY = 86_400_000;
const FILED = new Date(NOW.getTime() - 31 * DAY).toISOString();
const LAPSED = new Date(Date.parse(FILED) + 30 * DAY).toISOString();

forEachDialect('closing requests lapse when nobody decides them in 30 days', (f: ApiFixture) => {
  const officer = () => client(f, () => f.keys.roles.officer);
  const approver = () => client(f, () => f.keys.roles.approver);
  const admin = () => client(f, () => f.keys.roles.admin);
  const fileThen = async (id: string) => {
    const res = await clientAt(f, FILED, () => f.keys.roles.officer).post(`/v1/subjects/${id}/close`, {
      reason: '分行补报',
      at: LEFT,
      late: true,
    });
    assert.equal(res.status, 202, await res.clone().text());
    return (await res.json()) as Request;
  };
  const listOf = async (id: string, as = approver()) => {
    const res = await as.get(`/v1/closing-requests?subject=${id}`);
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { items: Request[] }).items;
  };
  const lapseRecords = async (request: string) =>
    ((await (await admin().get('/v1/audit?limit=100')).json()) as Trail).items.filter(
      (r) => r.phase === 'change' && r.detail?.request === request && r.detail.status === 'lapsed',
    );

  before(async () => {
    for (const id of ['LP1', 'LP2', 'LP3', 'LP4', 'LP5', 'LP6', 'LP7']) await clientAt(f, LONG_AGO).customer(id, '周明');
  });

  it('is out of the queue and shown lapsed once 30 days pass; approving, rejecting or withdrawing it is a 409 lapsed', async () => {
    const r = await fileThen('LP1');
    // A day before it lapses it waits for a decision as any request.
    const dayBefore = clientAt(f, new Date(Date.parse(LAPSED) - DAY).toISOString(), () => f.keys.roles.approver);
    const queued = (await (await dayBefore.get('/v1/approvals?kind=closing&subject=LP1')).json()) as { items: { id: string }[] };
    assert.deepEqual(
      queued.items.map((i) => i.id),
      [r.id],
    );

    const queue = (await (await approver().get('/v1/approvals?kind=closing&subject=LP1')).json()) as { items: unknown[] };
    assert.deepEqual(queue.items, [], 'a lapsed request is no one’s to decide');
    const [shown] = await listOf('LP1');
    assert.deepEqual(
      [shown?.id, shown?.status, shown?.lapsesAt, shown?.decidedAt, shown?.decidedBy],
      [r.id, 'lapsed', LAPSED, LAPSED, null],
    );
    // Its maker sees it too, lapsed.
    assert.equal((await listOf('LP1', officer()))[0]?.status, 'lapsed');

    for (const [who, action, body] of [
      [approver(), 'approve', { contentHash: r.contentHash }],
      [approver(), 'reject', { contentHash: r.contentHash, note: '太晚' }],
      [officer(), 'withdraw', {}],
    ] as const) {
      const refused = await problem(await who.post(`/v1/closing-requests/${r.id}/${action}`, body), 409);
      assert.deepEqual(
        refused.errors?.map((e) => [e.code, e.params?.lapsedAt]),
        [['lapsed', LAPSED]],
        action,
      );
    }
    // Nothing changed: the customer open, no lapse recorded by a refusal.
    assert.equal((await findSubjectByExternalId(f.db.db, 'bank-a', 'LP1'))?.closedAt, null);
    assert.deepEqual(await lapseRecords(r.id), []);
  });

  it('a new closing may then be filed: the lapse is written and recorded once, and the new request waits', async () => {
    const old = await fileThen('LP2');
    const again = await officer().post('/v1/subjects/LP2/close', { reason: '分行再报', at: LEFT, late: true });
    assert.equal(again.status, 202, await again.clone().text());
    const filed = (await again.json()) as Request;
    assert.deepEqual(
      (await listOf('LP2')).map((r) => [r.id, r.status, r.decidedBy]),
      [
        [filed.id, 'pending', null],
        [old.id, 'lapsed', 'system:lapse'],
      ],
    );
    const records = await lapseRecords(old.id);
    assert.deepEqual(
      records.map((r) => [r.actor, r.detail?.lapsedAt]),
      [['system:lapse', LAPSED]],
    );
    // The new one waits as any: a third closing is refused while it does.
    const third = await problem(await officer().post('/v1/subjects/LP2/close', { reason: '三报', at: LEFT, late: true }), 409);
    assert.equal(third.errors?.[0]?.code, 'closing_request_pending');
    // A retention run finds nothing more to record of it.
    assert.equal((await admin().post('/v1/retention/run', {})).status, 200);
    assert.equal((await lapseRecords(old.id)).length, 1);
  });

  it('the retention run holds the customer no longer, and records the lapse once however often it runs', async () => {
    const r = await fileThen('LP3');
    await f.db.db.transaction().execute(async (trx) => {
      const s = await findSubjectByExternalId(trx, 'bank-a', 'LP3');
      assert.ok(s);
      await setSubjectClosed(trx, 'bank-a', s.id, { at: '2019-06-01T02:00:00.000Z', reason: '补报', leftAt: null }, LONG_AGO);
    });
    type Run = { erasable: number; heldByRequest: number; erased: number };
    const run = async (at: string, dryRun: boolean) => {
      const res = await clientAt(f, at, () => f.keys.roles.admin).post('/v1/retention/run', { dryRun });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Run;
    };
    const waiting = await run(new Date(Date.parse(LAPSED) - DAY).toISOString(), true);
    assert.equal(waiting.heldByRequest, 1, JSON.stringify(waiting));
    const lapsed = await run(NOW.toISOString(), true);
    assert.deepEqual([lapsed.heldByRequest, lapsed.erasable], [0, waiting.erasable + 1]);
    assert.deepEqual(await lapseRecords(r.id), [], 'a dry run writes nothing');
    const done = await run(NOW.toISOString(), false);
    assert.equal(done.erased, lapsed.erasable);
    await run(NOW.toISOString(), false);
    assert.equal((await lapseRecords(r.id)).length, 1);
  });

  it('a subjects import row for a customer whose request lapsed files a new one, the lapse recorded once, not counted waiting', async () => {
    const old = await fileThen('LP4');
    const res = await f.app.request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.officer}` },
      body: `id,name,closedAt,closedReason,closedLate\nLP4,周明,${LEFT},分行再报,1\n`,
    });
    assert.equal(res.status, 201, await res.clone().text());
    const report = (await res.json()) as { id: string; status: string; detail: string | null };
    assert.equal(report.status, 'succeeded');
    assert.match(String(report.detail), /^1 closing dated more than three months back filed as closing requests/);
    assert.doesNotMatch(String(report.detail), /not applied nor filed/);
    // The old one written lapsed by no one, the row's request waiting in its place; the customer open.
    const [filed, lapsed, ...rest] = await listOf('LP4');
    assert.deepEqual(
      [filed?.status, lapsed?.id, lapsed?.status, lapsed?.decidedBy, lapsed?.decidedAt, rest.length],
      ['pending', old.id, 'lapsed', 'system:lapse', LAPSED, 0],
    );
    assert.equal((await findSubjectByExternalId(f.db.db, 'bank-a', 'LP4'))?.closedAt, null);
    const queue = (await (await approver().get('/v1/approvals?kind=closing&subject=LP4')).json()) as { items: { id: string }[] };
    assert.deepEqual(
      queue.items.map((i) => i.id),
      [filed?.id],
    );
    // Recorded once, in the import's request, just before the new request's own record.
    assert.deepEqual(
      (await lapseRecords(old.id)).map((r) => [r.actor, r.detail?.lapsedAt]),
      [['system:lapse', LAPSED]],
    );
    type Logged = { seq: number; phase: string; requestId: string; detail: Record<string, unknown> | null };
    const trail = ((await (await admin().get('/v1/audit?limit=100')).json()) as { items: Logged[] }).items.sort((a, b) => a.seq - b.seq);
    const imported = trail.filter(
      (r) =>
        r.phase === 'change' && (r.detail?.closingRequest === filed?.id || (r.detail?.request === old.id && r.detail.status === 'lapsed')),
    );
    assert.deepEqual(
      imported.map((r) => r.detail?.closingRequest ?? r.detail?.status),
      ['lapsed', filed?.id],
    );
    const result = trail.find((r) => r.phase === 'result' && r.detail?.import === report.id);
    assert.deepEqual(
      imported.map((r) => r.requestId),
      [result?.requestId, result?.requestId],
    );
    // Its report counts the row filed, none waiting.
    assert.deepEqual([result?.detail?.closingRequests, result?.detail?.closingRequestsWaiting], [1, undefined]);
    // Neither a retention run nor the same row again records the lapse a second time; the row now waits.
    assert.equal((await admin().post('/v1/retention/run', {})).status, 200);
    const again = await f.app.request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.officer}` },
      body: `id,name,closedAt,closedReason,closedLate\nLP4,周明,${LEFT},分行三报,1\n`,
    });
    assert.equal(again.status, 201, await again.clone().text());
    assert.match(String(((await again.json()) as { detail: string | null }).detail), /not applied nor filed: a closing request waits/);
    assert.equal((await lapseRecords(old.id)).length, 1);
  });

  it('a subjects import row closing a customer as of today whose request lapsed closes them, the lapse recorded once before the closing', async () => {
    const old = await fileThen('LP7');
    const res = await f.app.request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.officer}` },
      body: 'id,name,closedAt,closedReason\nLP7,周明,2025-11-10T02:00:00Z,客户主动销户\n',
    });
    assert.equal(res.status, 201, await res.clone().text());
    const report = (await res.json()) as { id: string; status: string; detail: string | null };
    assert.deepEqual([report.status, report.detail], ['succeeded', null]);
    assert.equal((await findSubjectByExternalId(f.db.db, 'bank-a', 'LP7'))?.closedAt, '2025-11-10T02:00:00.000Z');
    const [lapsed, ...rest] = await listOf('LP7');
    assert.deepEqual(
      [lapsed?.id, lapsed?.status, lapsed?.decidedBy, lapsed?.decidedAt, rest.length],
      [old.id, 'lapsed', 'system:lapse', LAPSED, 0],
    );
    type Logged = { seq: number; phase: string; requestId: string; detail: Record<string, unknown> | null };
    const trail = ((await (await admin().get('/v1/audit?limit=100')).json()) as { items: Logged[] }).items.sort((a, b) => a.seq - b.seq);
    const result = trail.find((r) => r.phase === 'result' && r.detail?.import === report.id);
    const imported = trail.filter((r) => r.phase === 'change' && r.requestId === result?.requestId);
    assert.deepEqual(
      imported.map((r) => r.detail?.status ?? r.detail?.closedAt),
      ['lapsed', '2025-11-10T02:00:00.000Z'],
    );
    assert.equal((await lapseRecords(old.id)).length, 1);
  });

  it('the retention run passes over a lapsed request a subjects import holds mid-file: no deadlock, the next run records it', async (t) => {
    if (f.db.dialect !== 'postgres') return t.skip('SQLite runs one writer at a time: nothing is held beside the run');
    // Filed in this order: the run's sweep, in filing order, meets LP6's row after LP5's.
    const held = await fileThen('LP5');
    const free = await fileThen('LP6');
    const subject = await findSubjectByExternalId(f.db.db, 'bank-a', 'LP5');
    assert.ok(subject);
    const run = async () => clientAt(f, NOW.toISOString(), () => f.keys.roles.admin).post('/v1/retention/run', {});
    let answer: Response | undefined;
    // The import's transaction, holding LP5's request as a row closing LP5 does (run-import.ts), to its
    // commit; the run is answered while it holds it. Rolled back: the import failed, the row still pending.
    await f.db.db
      .transaction()
      .execute(async (trx) => {
        const pid = await backendPid(trx);
        assert.deepEqual(
          (await lapsedPendingClosingRequests(trx, 'bank-a', NOW.toISOString(), subject.id)).map((r) => r.id),
          [held.id],
        );
        answer = await answeredWithoutWaiting(f.db.db, pid, run());
        throw new Error('roll back');
      })
      .catch((err: unknown) => assert.equal(String(err), 'Error: roll back'));
    assert.equal(answer?.status, 200, await answer?.clone().text());
    assert.deepEqual([(await lapseRecords(held.id)).length, (await lapseRecords(free.id)).length], [0, 1]);
    assert.equal((await run()).status, 200);
    assert.deepEqual([(await lapseRecords(held.id)).length, (await lapseRecords(free.id)).length], [1, 1]);
  });
});
