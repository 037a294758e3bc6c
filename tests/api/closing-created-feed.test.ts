import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { findSubjectByExternalId, setSubjectClosed } from '@tierkit/db';
import { client, clientAt, forEachDialect, NOW, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';

/*
 * Two more ways one person (or one feed) could make a live customer erasable, found in review
 * (docs/operations.md, "Retention and erasure"):
 *
 * - a customer the bank first recorded a week ago, with no metrics and no decisions, closed "late" at a
 *   date just inside the retention period, was erasable a few months later. The relationship cannot have
 *   ended before it began in the book: such a closing is refused (422 `left_before_created`), and a
 *   customer recorded after the cutoff is never erasable, whatever the closing says;
 * - a feed that kept sending metrics for a closed customer held them for ever: metrics count as activity
 *   only up to the month the closing was recorded in.
 *
 * NOW is 2025-11-15 (Shanghai): the 5-year cutoff is 2020-11-15T04:00Z; 2020-11 is the first month whose
 * metrics are activity.
 */

type Run = { erasable: number; erased: number; heldByActivity: number; heldByRequest: number; heldByLegalHold: number };
type RowErrors = { errors: { items: { line: number; column: string; code: string; params?: Record<string, unknown> }[] } };

/** When the week-old customers were first recorded. */
const A_WEEK_AGO = '2025-11-08T04:00:00.000Z';

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
  const run = async (body: unknown) => {
    const res = await client(f).post('/v1/retention/run', body);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Run;
  };

  before(async () => {
    // Known to the bank for a week: no metrics, no decisions.
    for (const id of ['NW1', 'NW2', 'NW3']) await then(A_WEEK_AGO).customer(id, '郑小红');
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
      `subject,metric,period,value\n${['FD1', 'FD2'].flatMap((s) => ['2021-06', '2023-06', '2025-10'].map((p) => `${s},avg_daily_balance,${p},100`)).join('\n')}\n`,
    );
    assert.equal(feed.status, 201, await feed.clone().text());
  });

  it('refuses a closing dated before the bank first recorded the customer, naming that date: 422, nothing changed', async () => {
    const refused = await problem(
      await officer().post('/v1/subjects/NW1/close', { reason: '补录销户', at: '2020-12-01T00:00:00Z', late: true }),
      422,
    );
    assert.deepEqual(
      refused.errors?.map((e) => [e.path, e.code, e.params]),
      [['at', 'left_before_created', { createdAt: A_WEEK_AGO }]],
    );
    assert.match(refused.detail ?? '', /NW1/);
    assert.ok(await isOpen(f, 'NW1'));
    // Dated after they were recorded, the closing stands.
    const closed = await officer().post('/v1/subjects/NW1/close', { reason: '客户主动销户', at: '2025-11-10T00:00:00Z' });
    assert.equal(closed.status, 200, await closed.clone().text());
  });

  it('a subjects import refuses the same row, naming the customer and the date', async () => {
    const bad = await upload('subjects', 'id,name,closedAt,closedLate\nNW2,郑小红,2021-01-01T00:00:00Z,1\n');
    assert.equal(bad.status, 422);
    const items = ((await (await client(f).get(bad.headers.get('Location') ?? '')).json()) as RowErrors).errors.items;
    assert.deepEqual(
      items.map((e) => [e.line, e.column, e.code, e.params]),
      [[2, 'closedAt', 'left_before_created', { createdAt: A_WEEK_AGO, subject: 'NW2' }]],
    );
    assert.ok(await isOpen(f, 'NW2'));
  });

  it('the retention run keeps a customer recorded after the cutoff, and does not count a feed’s months after the closing', async () => {
    // NW3's closing as an earlier release recorded it (before this check): "left" in 2019.
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
});
