import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs, mintStaffToken } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';
import { readersTestPack } from '../support/test-pack.js';

/*
 * Whom the month's re-tier moved, for a team lead (docs/permissions.md, "Jobs" and the team lead column):
 * `GET /v1/jobs/{id}/affected` of a re-tier job answers a book-scoped credential with the customers in
 * its reach now — the lead's own book and their team's, as analytics count them — and the bank's readers
 * with the whole bank's. The job itself, its list and its summary stay the bank's. LEADA (an officer of
 * scope book) leads team TA, holding RMA's book; RMB's book is no one's team. The AML grade names its
 * readers (the bank's officers, approvers and admins): its levels are in no book-scoped reader's file.
 */
forEachDialect('a re-tier job’s changed customers reach a team lead within their team only', (f) => {
  let t: FourEyesTenant;
  let job = '';
  const token: Record<string, string> = {};
  const as = (id: string) => ({ credential: token[id] ?? '' });
  const granted = async (res: Response) => {
    const g = await ok<{ id: string; contentHash: string }>(res, 202);
    await ok(await t.req('admin2', 'POST', `/v1/staff-grants/${g.id}/approve`, { contentHash: g.contentHash }));
  };
  /** The file's customer ids (its first column, after the job's line and the columns). */
  const customers = async (who: 'officer' | { credential: string }, locale = 'en', of = job) => {
    const res = await t.req(who, 'GET', `/v1/jobs/${of}/affected?locale=${locale}`);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = text
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter(Boolean);
    return { lines, ids: [...new Set(lines.slice(2).map((l) => JSON.parse(l.split(',')[0] ?? '""') as string))].sort() };
  };

  before(async () => {
    // The band read from the grade (readable by all: it does not tell the grade) under a name of its own.
    const pack = readersTestPack();
    const band = { 'zh-CN': '风险带', 'zh-TW': '風險帶', en: 'Risk band' };
    t = await fourEyesTenant(f, 'lead-retier', START, {
      ...pack,
      schemes: pack.schemes.map((s) => (s.key === 'band-test' ? { ...s, name: band } : s)),
    });
    for (const id of ['RMA', 'RMB', 'LEADA'])
      await ok(await t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' }), 201);
    await granted(await t.req('admin', 'PUT', '/v1/teams/TA', { name: 'TA', lead: 'LEADA' }));
    await granted(await t.req('admin', 'POST', '/v1/teams/TA/books', { add: ['RMA'] }));
    for (const id of ['RMA', 'RMB', 'LEADA'])
      token[id] = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
    for (const [id, manager] of [
      ['A1', 'RMA'],
      ['B1', 'RMB'],
      ['L1', 'LEADA'],
    ] as const) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager }));
    }
    // Imported (stored without re-evaluating): the month's re-tier is what moves them, to gold.
    const csv = `subject,period,metric,value\n${['A1', 'B1', 'L1']
      .map((id) => `${id},2025-10,avg_daily_balance,50000000\n${id},2025-10,aml_customer_risk,10\n`)
      .join('')}`;
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.keys.officer}`, 'Content-Type': 'text/csv' },
      body: csv,
    });
    assert.equal(imported.status, 201, await imported.text());
    job = (
      await ok<{ id: string }>(
        await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['retail-tier'] }),
        201,
      )
    ).id;
    await drainJobs({ db: f.db.db, now: () => START });
    const done = await ok<{ status: string; summary: { changes: number } }>(await t.req('officer', 'GET', `/v1/jobs/${job}`));
    assert.equal(done.status, 'completed');
    // The three to gold, and the levels derived from the card tier (the nine-box) with them.
    assert.ok(done.summary.changes >= 3, `the job moved the three: ${done.summary.changes}`);
  });

  it('the bank’s reader gets every customer the job moved, by scheme, level before and after, month', async () => {
    const { lines, ids } = await customers('officer');
    assert.deepEqual(ids, ['A1', 'B1', 'L1']);
    assert.deepEqual(lines[0]?.split(',').slice(0, 2), ['"Re-tier job"', `"${job}"`]);
    assert.equal(lines[1], '"Customer id","Name","Scheme","Level before","New level","Data month"');
    assert.ok(
      lines.some((l) => /^"A1","王\*+","[^"]+","[^"]+","Gold","[^"]+"$/.test(l)),
      lines.join('\n'),
    );
  });

  it('a lead gets their own book and their team’s, an RM their book, and neither reads the job itself', async () => {
    assert.deepEqual((await customers(as('LEADA'))).ids, ['A1', 'L1']);
    assert.deepEqual((await customers(as('RMB'))).ids, ['B1']);
    assert.deepEqual((await customers(as('RMA'), 'zh-CN')).ids, ['A1']);
    for (const path of [`/v1/jobs/${job}`, '/v1/jobs', `/v1/jobs/${job}/events`])
      await problem(await t.req(as('LEADA'), 'GET', path), 403, 'forbidden');
    // A job that does not exist is the 403 a simulation's file is to them: nothing tells which it was.
    await problem(await t.req(as('LEADA'), 'GET', '/v1/jobs/job_nonesuch/affected'), 403, 'forbidden');
  });

  it('the AML grade’s levels are in the bank reader’s file, its read recorded, and in no RM’s or lead’s', async () => {
    // The card-tier job planned the grade too, for the matrix read from it.
    const aml = (lines: readonly string[]) => lines.slice(2).filter((l) => l.split(',')[2] === '"AML risk"');
    const reads = async () => {
      const trail = await ok<{ items: { detail?: { restrictedRead?: { schemes: string[]; job?: string } } | null }[] }>(
        await t.req('admin', 'GET', '/v1/audit?limit=100'),
      );
      return trail.items.flatMap((r) => (r.detail?.restrictedRead?.job === job ? [r.detail.restrictedRead] : []));
    };
    const before = (await reads()).length;
    const bank = await customers('officer');
    assert.deepEqual([...new Set(aml(bank.lines).map((l) => l.split(',')[0]))], ['"A1"', '"B1"', '"L1"'], bank.lines.join('\n'));
    const recorded = await reads();
    assert.equal(recorded.length, before + 1, 'the bank reader’s download is recorded, naming the job');
    assert.ok(
      recorded.every((r) => r.schemes.includes('aml-test')),
      JSON.stringify(recorded),
    );
    for (const who of ['LEADA', 'RMA', 'RMB']) {
      const file = await customers(as(who));
      assert.ok(file.lines.length > 2, `${who} has customers the job moved`);
      assert.deepEqual(aml(file.lines), [], `${who}: ${file.lines.join('\n')}`);
    }
    assert.equal((await reads()).length, before + 1, 'nothing restricted was read by the book-scoped');
  });

  it('a job run long after it was queued lists every change it made, and only its own', async () => {
    const higher = `subject,period,metric,value\n${['A1', 'B1', 'L1'].map((id) => `${id},2025-10,avg_daily_balance,500000000\n`).join('')}`;
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.keys.officer}`, 'Content-Type': 'text/csv' },
      body: higher,
    });
    assert.equal(imported.status, 201, await imported.text());
    const later = (await ok<{ id: string }>(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10' }), 201)).id;
    // Queued at START, its chunk stored three hours later: longer than any skew of the servers' clocks.
    await drainJobs({ db: f.db.db, now: () => new Date(START.getTime() + 3 * 3_600_000) });
    const done = await ok<{ status: string; summary: { changes: number } }>(await t.req('officer', 'GET', `/v1/jobs/${later}`));
    assert.equal(done.status, 'completed');
    const file = await customers('officer', 'en', later);
    assert.equal(file.lines.length - 2, done.summary.changes, file.lines.join('\n'));
    assert.deepEqual(file.ids, ['A1', 'B1', 'L1']);
    assert.ok(
      file.lines.slice(2).every((l) => !l.includes('"Gold","Oct 2025"')),
      'none of the first job’s moves',
    );
    assert.ok(
      (await customers('officer')).lines.every((l) => l.split(',')[4] !== '"Diamond"' && l.split(',')[4] !== '"Platinum"'),
      'the first job’s file holds none of the later one’s',
    );
    assert.deepEqual((await customers(as('LEADA'), 'en', later)).ids, ['A1', 'L1']);
  });

  it('a customer moved out of the team’s books leaves the lead’s file at once', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/A1/manager', { manager: 'RMB' }));
    assert.deepEqual((await customers(as('LEADA'))).ids, ['L1']);
    assert.deepEqual((await customers(as('RMB'))).ids, ['A1', 'B1']);
  });
});
