import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { findSubjectByExternalId, setSubjectClosed } from '@tierkit/db';
import { client, clientAt, forEachDialect, LONG_AGO, NOW, type ApiFixture } from '../support/api-fixture.js';

/*
 * When the bank first recorded a customer, and a feed after the closing (docs/operations.md,
 * "Retention and erasure"):
 *
 * - a closing dated before the customer was recorded is accepted (a bank loading its book records
 *   customers on the day of the load, some of whom left before it), but the retention clock never starts
 *   before `created_at`: a customer recorded a week ago and closed back-dated is kept, one recorded long
 *   ago and closed at the same date is erased once the period is over;
 * - a feed that kept sending metrics for a closed customer held them for ever: metrics count as activity
 *   only up to the month the closing was recorded in — not the month its date names, which an officer
 *   chooses (a closing dated years back would otherwise ignore every later month of the feed).
 *
 * A closing that would start a quiet customer's clock more than three months back waits for a second
 * person (docs/operations.md); one whose clock starts later anyway (recorded since, or active since)
 * applies at once.
 *
 * NOW is 2025-11-15 (Shanghai): the 5-year cutoff is 2020-11-15T04:00Z; 2020-11 is the first month whose
 * metrics are activity. LATER is 2026-02-01: its cutoff is 2021-02-01.
 */

type Run = { erasable: number; erased: number; heldByActivity: number; heldByRequest: number; heldByLegalHold: number };

/** When the week-old customers were first recorded. */
const A_WEEK_AGO = '2025-11-08T04:00:00.000Z';
/** A retention run some months after NOW, once the back-dated closings below are past the cutoff. */
const LATER = '2026-02-01T04:00:00.000Z';
/** The back-dated closings' date: within the period at NOW, past it at LATER. */
const BACK = '2020-12-01T00:00:00.000Z';

async function isOpen(f: ApiFixture, id: string): Promise<boolean> {
  const s = await findSubjectByExternalId(f.db.db, 'bank-a', id);
  assert.ok(s, id);
  return s.closedAt === null;
}

async function nameOf(f: ApiFixture, id: string): Promise<string | undefined> {
  return (await findSubjectByExternalId(f.db.db, 'bank-a', id))?.displayName;
}

forEachDialect('a closing against when the customer was recorded, and a feed after the closing', (f) => {
  const then = (at: string) => clientAt(f, at);
  const officerThen = (at: string) => clientAt(f, at, () => f.keys.roles.officer);
  const officer = () => client(f, () => f.keys.roles.officer);
  const upload = (kind: string, csv: string) =>
    f.app.request(`/v1/imports?kind=${kind}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.officer}` },
      body: csv,
    });
  const run = async (body: unknown, at?: string) => {
    const res = await (at === undefined ? client(f) : clientAt(f, at)).post('/v1/retention/run', body);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Run;
  };

  before(async () => {
    // Known to the bank for a week: no metrics, no decisions.
    for (const id of ['NW1', 'NW2', 'NW3']) await then(A_WEEK_AGO).customer(id, '郑小红');
    // Known since 2018: OLD1 left, FB1 is live and its feed goes on.
    for (const id of ['OLD1', 'FB1']) await then(LONG_AGO).customer(id, '孙丽');
    // Known since 2019, active until they left in July 2019; the feed then went on sending their
    // balances month after month (a core system that does not stop at a closing).
    for (const id of ['FD1', 'FD2']) {
      await then('2019-01-10T02:00:00Z').customer(id, '钱志远');
      const r = await officerThen('2019-04-10T02:00:00Z').balances(id, [['2019-03', 20_000]]);
      assert.equal(r.status, 200, await r.clone().text());
    }
    const closed = await officerThen('2019-07-01T02:00:00Z').post('/v1/subjects/FD1/close', { reason: '客户主动销户' });
    assert.equal(closed.status, 200, await closed.clone().text());
    // FD2 left in November 2020, days before the cutoff, with that month's figures already in: the month
    // the closing was recorded in still counts, so the customer is kept.
    const nov = await officerThen('2020-11-10T02:00:00Z').balances('FD2', [['2020-11', 20_000]]);
    assert.equal(nov.status, 200, await nov.clone().text());
    const closed2 = await officerThen('2020-11-10T03:00:00Z').post('/v1/subjects/FD2/close', { reason: '客户主动销户' });
    assert.equal(closed2.status, 200, await closed2.clone().text());
    const feed = await upload(
      'metrics&amounts=fen',
      `subject,metric,period,value\n${['FD1', 'FD2', 'FB1'].flatMap((s) => ['2021-06', '2023-06', '2025-10'].map((p) => `${s},avg_daily_balance,${p},100`)).join('\n')}\n`,
    );
    assert.equal(feed.status, 201, await feed.clone().text());
  });

  it('accepts a closing dated before the bank first recorded the customer, by the API and by an import', async () => {
    const closed = await officer().post('/v1/subjects/NW1/close', { reason: '补录销户', at: BACK, late: true });
    assert.equal(closed.status, 200, await closed.clone().text());
    const imported = await upload('subjects', 'id,name,closedAt,closedLate\nNW2,郑小红,2021-01-01T00:00:00Z,1\n');
    assert.equal(imported.status, 201, await imported.clone().text());
    assert.equal(await isOpen(f, 'NW1'), false);
    assert.equal(await isOpen(f, 'NW2'), false);
    // OLD1 has been known (and quiet) since 2018: a date this far back would start its clock years ago on
    // one person's word, so it waits for a second person, who approves it. NW1 and NW2's clocks start at
    // their recording whatever the date, so theirs applied at once.
    const old = await officer().post('/v1/subjects/OLD1/close', { reason: '补录销户', at: BACK, late: true });
    assert.equal(old.status, 202, await old.clone().text());
    const request = (await old.json()) as { id: string; contentHash: string };
    const approved = await client(f, () => f.keys.roles.approver).post(`/v1/closing-requests/${request.id}/approve`, {
      contentHash: request.contentHash,
    });
    assert.equal(approved.status, 200, await approved.clone().text());
    assert.equal(await isOpen(f, 'OLD1'), false);
  });

  it('the retention run keeps a customer recorded after the cutoff, and does not count a feed’s months after the closing', async () => {
    // NW3 "left" in 2019, years before the bank recorded them (a closing learnt late, as stored).
    const nw3 = await findSubjectByExternalId(f.db.db, 'bank-a', 'NW3');
    assert.ok(nw3);
    await setSubjectClosed(
      f.db.db,
      'bank-a',
      nw3.id,
      { at: '2025-09-30T16:00:00.000Z', leftAt: '2019-06-01T00:00:00.000Z', reason: '补录销户' },
      NOW.toISOString(),
    );
    const dry = await run({ dryRun: true });
    assert.deepEqual(
      [dry.erasable, dry.heldByActivity],
      [1, 2],
      'FD1 erasable (its feed’s months are after its closing); NW3 kept (recorded a week ago), FD2 kept (metrics of its closing’s month)',
    );
    const done = await run({});
    assert.deepEqual([done.erasable, done.erased, done.heldByActivity], [1, 1, 2]);
    assert.equal(await nameOf(f, 'FD1'), '');
    assert.equal(await nameOf(f, 'FD2'), '钱志远');
    assert.equal(await nameOf(f, 'NW3'), '郑小红');
  });

  it('a closing dated years back, not late, does not silence a feed that goes on: the customer is held', async () => {
    // Not learnt late, so no activity check: the date alone is the officer's word.
    const closed = await officer().post('/v1/subjects/FB1/close', { reason: '客户主动销户', at: BACK });
    assert.equal(closed.status, 200, await closed.clone().text());
    const later = await run({}, LATER);
    assert.deepEqual(
      [later.erasable, later.erased, later.heldByActivity],
      [2, 2, 4],
      'OLD1 (recorded 2018) and FD2 erased; NW1, NW2, NW3 kept (recorded a week before NOW), FB1 kept (its feed up to the month its closing was recorded)',
    );
    assert.equal(await nameOf(f, 'OLD1'), '');
    assert.equal(await nameOf(f, 'FD2'), '');
    for (const id of ['NW1', 'NW2', 'NW3']) assert.equal(await nameOf(f, id), '郑小红', id);
    assert.equal(await nameOf(f, 'FB1'), '孙丽');
  });
});
