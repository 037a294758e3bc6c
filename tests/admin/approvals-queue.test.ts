import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  activationOf,
  type ApprovalItem,
  ApprovalsQueue,
  approvalKey,
  defaultApprovalFilter,
  filedBySession,
  mayWithdrawOverride,
  REJECT_NOTE_REQUIRED,
  SessionStore,
  whyNotApprovable,
} from '@tierkit/admin';
import { createApiKey, mintStaffToken } from '@tierkit/api';
import { createClient, type HttpTierkitClient, type Session } from '@tierkit/client';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

/** What an override request answers (the fields the tests read). */
interface Override {
  readonly id: string;
  readonly contentHash: string;
  readonly status: string;
}

describe('ApprovalsQueue against the real API', () => {
  const f = kitFixture();
  let checker: HttpTierkitClient;
  let checkerSession: Session;
  let makerSession: Session;

  const request = (subject: string, level = 'gold') =>
    f.client('OFF1').http.send<Override>('POST', `/v1/subjects/${subject}/overrides`, {
      scheme: 'retail-tier',
      level,
      mode: 'fixed',
      reason: '客户经理申请',
      expiresAt: null,
    });

  before(async () => {
    // A checker: an approver's staff token, as the console signs one in.
    await f.putStaff('CHK1', { name: '钱进', role: 'approver', scope: 'tenant' });
    const token = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'CHK1', now: NOW })).token;
    checker = createClient({
      baseUrl: 'http://tierkit.test',
      token,
      fetch: (input, init) => Promise.resolve(f.app.request(input instanceof Request ? input : String(input), init)),
    });
    checkerSession = (await new SessionStore(checker).load()) as Session;
    makerSession = (await new SessionStore(f.client('OFF1')).load()) as Session;
  });

  it('lists every waiting request with its age, page by page to the end, and filters by kind', async () => {
    await request('K03');
    await request('K04');
    const draft = await f.client('OFF1').http.send<{ version: number }>('POST', '/v1/policies/retail-tier/drafts', {});
    await f.client('OFF1').http.send('POST', `/v1/policies/retail-tier/versions/${draft.version}/submit`, {});

    const q = new ApprovalsQueue(checker, { pageSize: 1, session: checkerSession });
    await q.load();
    assert.equal(q.state.status, 'ready');
    assert.equal(q.state.items.length, 1);
    while (q.state.nextCursor !== null) await q.loadMore();
    const kinds = q.state.items.map((i) => i.kind).sort();
    assert.deepEqual(kinds, ['override', 'override', 'policy']);
    assert.ok(q.state.items.every((i) => typeof i.ageSeconds === 'number' && i.requestedBy === 'staff:OFF1'));
    assert.ok(q.state.items.some((i) => i.id === `retail-tier@${draft.version}`));

    await q.setFilter({ kind: 'policy' });
    assert.deepEqual(
      q.state.items.map((i) => i.kind),
      ['policy'],
    );
    await q.setFilter({ kind: 'override', subject: 'K04' });
    assert.deepEqual(
      q.state.items.map((i) => i.subject),
      ['K04'],
    );
    // A subject the tenant does not have is the API's 404 (a typo must not read as an empty queue),
    // which the list holds as its error for the page to say.
    await q.setFilter({ subject: 'NOPE' });
    assert.equal(q.state.status, 'error');
    assert.equal(q.state.error?.status, 404);
    assert.deepEqual(q.state.items, []);
  });

  it('summaries come in the language asked for, and in another after setLocale and a load', async () => {
    const q = new ApprovalsQueue(checker, { session: checkerSession, locale: 'en', filter: { kind: 'override' } });
    await q.load();
    const summaries = () => q.state.items.map((i) => i.summary).join('\n');
    assert.ok(q.state.items.length > 0);
    assert.match(summaries(), /Customer tier: .+ → Gold \(exactly this level\)/);
    // What the checker decides on comes with it: why, and the level the customer has now.
    const first = q.state.items[0];
    assert.equal(first?.reason, '客户经理申请');
    assert.deepEqual([first?.currentLevel, first?.fromLevel, first?.level, first?.mode], ['platinum', 'platinum', 'gold', 'fixed']);
    q.setLocale('zh-TW');
    await q.load();
    assert.doesNotMatch(summaries(), /Customer tier/);
    assert.match(summaries(), /金卡/);
  });

  it('the requester’s own items are not approvable, and the API refuses them too', async () => {
    const q = new ApprovalsQueue(f.client('OFF1'), { session: makerSession });
    await q.load();
    const own = q.state.items[0] as ApprovalItem;
    assert.equal(own.requestedByYou, true);
    assert.equal(q.whyNot(own), 'own-request');
    // The same item as the checker reads it.
    const theirs = new ApprovalsQueue(checker, { session: checkerSession });
    await theirs.load();
    const same = theirs.state.items.find((i) => approvalKey(i) === approvalKey(own)) as ApprovalItem;
    assert.equal(same.requestedByYou, false);
    assert.equal(whyNotApprovable(same, checkerSession), undefined);
    assert.equal(whyNotApprovable(same, makerSession), 'role', 'an officer decides nothing');
    // Pressed anyway (a stale screen): the API's 403 is kept beside the item, which stays.
    await q.approve(own, { note: 'mine' });
    assert.equal(q.state.refusals[approvalKey(own)]?.status, 403);
    assert.ok(q.state.items.some((i) => approvalKey(i) === approvalKey(own)));
    assert.equal(q.state.decided.length, 0);
  });

  it('a request an approver filed with a key they own is theirs in the console they sign in to: no decision offered', async () => {
    await f.putStaff('APR1', { name: '孙丽', role: 'approver', scope: 'tenant' });
    // `tierkit keys create --staff APR1`: the key her bank's batch job files requests with.
    const key = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'officer', label: 'APR1 batch', staffId: 'APR1', now: NOW }))
      .secret;
    const clientOf = (credential: string) =>
      createClient({
        baseUrl: 'http://tierkit.test',
        token: credential,
        fetch: (input, init) => Promise.resolve(f.app.request(input instanceof Request ? input : String(input), init)),
      });
    const filed = await clientOf(key).http.send<Override>('POST', '/v1/subjects/K06/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: '批量申请',
      expiresAt: null,
    });
    const token = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'APR1', now: NOW })).token;
    const own = clientOf(token);
    const session = (await new SessionStore(own).load()) as Session;
    const q = new ApprovalsQueue(own, { session, filter: { kind: 'override', subject: 'K06' } });
    await q.load();
    const item = q.state.items.find((i) => i.id === filed.id) as ApprovalItem;
    assert.ok(item);
    assert.notEqual(item.requestedBy, session.actor, 'filed with another credential than the console’s');
    assert.equal(item.requestedByYou, true);
    assert.equal(q.whyNot(item), 'own-request');
    // Another approver may decide it.
    const other = new ApprovalsQueue(checker, { session: checkerSession, filter: { kind: 'override', subject: 'K06' } });
    await other.load();
    const seen = other.state.items.find((i) => i.id === filed.id) as ApprovalItem;
    assert.equal(other.whyNot(seen), undefined);
    assert.equal((await other.reject(seen, '请走常规流程'))?.action, 'reject');
  });

  it('approving an override takes it off the list and keeps the answer; rejecting needs a note', async () => {
    const q = new ApprovalsQueue(checker, { session: checkerSession });
    await q.setFilter({ kind: 'override' });
    const [first, second] = q.state.items as ApprovalItem[];
    assert.ok(first && second);

    const decided = await q.approve(first, { note: '同意' });
    assert.equal(decided?.action, 'approve');
    assert.equal(
      q.state.items.some((i) => i.id === first.id),
      false,
    );
    assert.equal(q.state.decided[0]?.key, approvalKey(first));
    const stored = await checker.http.get<Override>(`/v1/overrides/${first.id}`);
    assert.equal(stored.status, 'approved');

    assert.equal(await q.reject(second, '  '), undefined, 'no note, no rejection');
    assert.equal(q.state.refusals[approvalKey(second)]?.status, 400);
    // Refused before sending, with a type a console can word for itself.
    assert.equal(q.state.refusals[approvalKey(second)]?.type, REJECT_NOTE_REQUIRED);
    assert.equal((await checker.http.get<Override>(`/v1/overrides/${second.id}`)).status, 'pending');
    await q.reject(second, '理由不足');
    assert.equal(q.state.refusals[approvalKey(second)], undefined, 'the refusal goes with a new decision');
    assert.equal(q.state.items.length, 0);
    assert.equal(q.state.empty, true);
    await q.refresh();
    assert.equal(q.state.items.length, 0, 'the API agrees: nothing left of that kind');
  });

  it('a request edited after it was loaded is a plain 409 content-changed, and stays to be reviewed again', async () => {
    const made = await request('K05');
    const q = new ApprovalsQueue(checker, { session: checkerSession });
    await q.setFilter({ kind: 'override', subject: 'K05' });
    const item = q.state.items[0] as ApprovalItem;
    await f.client('OFF1').http.send('PATCH', `/v1/overrides/${made.id}`, { level: 'platinum' });
    assert.equal(await q.approve(item), undefined);
    const refusal = q.state.refusals[approvalKey(item)];
    assert.equal(refusal?.status, 409);
    assert.match(refusal?.type ?? '', /content-changed$/);
    await q.refresh();
    const fresh = q.state.items[0] as ApprovalItem;
    assert.notEqual(fresh.contentHash, item.contentHash);
    assert.ok(await q.approve(fresh), 'the content reviewed again is approved');
  });

  it('approving a policy version with an effective date says what happened to the book', async () => {
    const q = new ApprovalsQueue(checker, { session: checkerSession });
    await q.setFilter({ kind: 'policy' });
    const item = q.state.items[0] as ApprovalItem;
    const decided = await q.approve(item, { effectiveFrom: '2025-11-01', confirmRetier: true, note: '复核通过' });
    // The book's balances are loaded to October: November, under way, is judged once its feed is in.
    assert.equal(decided?.activation?.kind, 'awaiting-data', JSON.stringify(decided?.activation));
    if (decided?.activation?.kind === 'awaiting-data') {
      assert.equal(decided.activation.fromPeriod, '2025-11');
      assert.ok(decided.activation.missing.includes('avg_daily_balance'));
    }
    const policies = await checker.http.get<{ items: { scheme: string; active: { version: number } | null }[] }>('/v1/policies');
    assert.equal(policies.items.find((p) => p.scheme === 'retail-tier')?.active?.version, Number(item.id.split('@')[1]));
  });

  it('an approval answer reads as one of five outcomes: re-evaluated, a job, deferred, scheduled, awaiting data', () => {
    const version = { scheme: 'retail-tier', version: 3, status: 'active', effectiveFrom: '2026-01-01' };
    const answer = (reevaluation: object) => activationOf({ version, reevaluation: { fromPeriod: '2025-11', ...reevaluation } as never });
    assert.deepEqual(answer({ status: 'done', subjects: 9, changes: 2 }), {
      kind: 'reevaluated',
      subjects: 9,
      changes: 2,
      fromPeriod: '2025-11',
    });
    assert.deepEqual(answer({ status: 'deferred', subjects: 1200, changes: 0, jobId: 'job_1' }), {
      kind: 'job',
      jobId: 'job_1',
      fromPeriod: '2025-11',
    });
    assert.deepEqual(answer({ status: 'deferred', subjects: 1200, changes: 0 }), {
      kind: 'deferred',
      subjects: 1200,
      fromPeriod: '2025-11',
    });
    assert.deepEqual(answer({ status: 'scheduled' }), { kind: 'scheduled', effectiveFrom: '2026-01-01', fromPeriod: '2025-11' });
    // In force from the month under way, whose balances are not in yet: judged when they are, not now.
    assert.deepEqual(answer({ status: 'scheduled', missing: ['avg_daily_balance'] }), {
      kind: 'awaiting-data',
      fromPeriod: '2025-11',
      missing: ['avg_daily_balance'],
    });
  });

  it('a newer load cancels the one in flight', async () => {
    const q = new ApprovalsQueue(checker);
    const a = q.setFilter({ kind: 'policy' });
    const b = q.setFilter({ kind: 'override' });
    await Promise.all([a, b]);
    assert.deepEqual(q.state.filter, { kind: 'override' });
    assert.equal(q.state.status, 'ready');
  });

  it('mine: the maker’s own requests from the API, others’ by default for a checker, every request when asked', async () => {
    await request('K08');
    // A checker's own request among them: approvers may ask too (not for themselves to decide).
    await checker.http.send<Override>('POST', '/v1/subjects/K09/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: '复核人申请',
      expiresAt: null,
    });
    assert.deepEqual(defaultApprovalFilter(makerSession), { mine: true });
    assert.deepEqual(defaultApprovalFilter(checkerSession), { mine: false });
    const all = new ApprovalsQueue(checker, { pageSize: 100, session: checkerSession });
    await all.load();
    const everyone = all.state.items;
    const maker = new ApprovalsQueue(f.client('OFF1'), { pageSize: 1, session: makerSession });
    await maker.setFilter(defaultApprovalFilter(makerSession));
    while (maker.state.nextCursor !== null) await maker.loadMore();
    // Compared by who asked as stored (requestedByYou in `everyone` is the checker's, who loaded it).
    assert.deepEqual(maker.state.items.map(approvalKey), everyone.filter((i) => i.requestedBy === 'staff:OFF1').map(approvalKey));
    assert.ok(maker.state.items.length >= 1 && maker.state.items.every((i) => i.requestedByYou));
    const waiting = new ApprovalsQueue(checker, { pageSize: 100, session: checkerSession });
    await waiting.setFilter(defaultApprovalFilter(checkerSession));
    assert.deepEqual(waiting.state.items.map(approvalKey), everyone.filter((i) => !i.requestedByYou).map(approvalKey));
    assert.ok(
      everyone.some((i) => i.requestedByYou),
      'the checker’s own is in everything, not in what waits for them',
    );
  });
});

describe('whose request it is, without the API’s requestedByYou (an older API) and with it', () => {
  const session = (actor: string, role: Session['role']): Session => ({
    tenantId: 'bank-a',
    via: actor.startsWith('key:') ? 'key' : 'staff-token',
    role,
    actor,
    staff: null,
    book: null,
    timeZone: 'Asia/Shanghai',
    can: { readSubjects: true, writeSubjects: role !== 'viewer', assignManagers: false, manageStaff: false },
  });
  const item = (requestedBy: string, requestedByYou?: boolean): ApprovalItem =>
    ({
      kind: 'override',
      id: 'ov_1',
      scheme: 'retail-tier',
      subject: 'K01',
      summary: '',
      requestedBy,
      requestedAt: NOW.toISOString(),
      ageSeconds: 0,
      contentHash: 'sha256:x',
      ...(requestedByYou === undefined ? {} : { requestedByYou }),
    }) as ApprovalItem;
  const approver = session('staff:APR1', 'approver');

  it('an item without requestedByYou is the session’s own when requestedBy is its credential', () => {
    assert.equal(whyNotApprovable(item('staff:APR1'), approver), 'own-request', 'no Approve on one’s own request');
    assert.equal(whyNotApprovable(item('staff:APR2'), approver), undefined);
    assert.equal(filedBySession(item('staff:APR1'), undefined), false, 'no session: nobody’s');
    // The API's answer wins where it is given (a key of theirs, or not theirs at all).
    assert.equal(whyNotApprovable(item('key:k9', true), approver), 'own-request');
    assert.equal(whyNotApprovable(item('staff:APR1', false), approver), undefined);
  });

  it('a level a re-tier job they started moved is theirs as the job’s: own-job', () => {
    const level = { ...item('job:job_1', true), kind: 'level' as const };
    assert.equal(whyNotApprovable(level, approver), 'own-job');
    assert.equal(whyNotApprovable({ ...level, requestedByYou: false }, approver), undefined);
  });

  it('withdraw is offered on one’s own pending override, by person or by credential, and only to officer and above', () => {
    const override = (requestedBy: string, requestedByYou?: boolean, status = 'pending') => ({
      status: status as 'pending',
      requestedBy,
      ...(requestedByYou === undefined ? {} : { requestedByYou }),
    });
    const officer = session('staff:OFF1', 'officer');
    assert.equal(mayWithdrawOverride(override('staff:OFF1'), officer), true, 'older API: by credential');
    assert.equal(mayWithdrawOverride(override('staff:OFF2'), officer), false);
    assert.equal(mayWithdrawOverride(override('key:k1', true), officer), true, 'a key of theirs, by the API');
    assert.equal(mayWithdrawOverride(override('staff:OFF1', true, 'approved'), officer), false, 'only while pending');
    // A viewer whose officer key filed it: the API refuses a viewer's withdraw (403), so it is not offered.
    const viewer = session('staff:VIEW1', 'viewer');
    assert.equal(mayWithdrawOverride(override('key:k2', true), viewer), false);
    assert.equal(mayWithdrawOverride(override('staff:VIEW1'), viewer), false);
  });
});
