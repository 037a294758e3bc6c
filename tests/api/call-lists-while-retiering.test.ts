import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs, enqueueRetier, mintStaffToken, workOnce, type WorkerOptions } from '@tierkit/api';
import { findSubjectByExternalId, insertMetrics } from '@tierkit/db';
import { client, forEachDialect, NOW, type As } from '../support/api-fixture.js';

/*
 * The call lists (`GET /v1/subjects?change=`) of a scheme's latest month-end re-tier stay whole while
 * the next month's job runs (packages/api/README.md, "Staff and books"): a customer that job has
 * re-tiered already is at the new month, yet still on last month's list, by their change at that month
 * read from their history, in the direction asked, and shown with that change (`change`), not with the
 * level the running job gave them. A job cancelled part-way leaves the list as whole; completed, the
 * lists are the new month's.
 *
 * Chunks follow the internal ids, drawn in creation order, one customer each: D1, U1 and X1 are
 * re-tiered at 2025-10 before the job is cancelled, K1, D2 and U2 are not (checked below, not assumed).
 */

interface Item {
  id: string;
  level?: string | null;
  standing?: { previousLevel: string | null; period: string } | null;
  change?: { period: string; from: string; to: string } | null;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

const months = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `2025-${String(from + i).padStart(2, '0')}`);
const ORDER = ['D1', 'U1', 'X1', 'K1', 'D2', 'U2'];

forEachDialect('call lists: whole while the next month-end re-tier runs', (f) => {
  let rm = '';
  const worker = (): WorkerOptions => ({
    db: f.db.db,
    now: () => NOW,
    logError: (err: unknown) => assert.fail(String(err)),
  });
  const page = async (as: As, query: string) => {
    const res = await client(f, as).get(`/v1/subjects?scheme=retail-tier&${query}`);
    const body = (await res.json()) as Page;
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  };
  /** Every id of a list, read a page of `limit` at a time, following the cursors. */
  const all = async (as: As, query: string, limit = 1) => {
    const out: string[] = [];
    let cursor: string | null = null;
    do {
      const p: Page = await page(as, `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      out.push(...p.items.map((s) => s.id));
      cursor = p.nextCursor;
    } while (cursor !== null);
    return out.join(',');
  };
  const lists = async (as: As, extra = '') =>
    `down: ${await all(as, `change=down${extra}`)}; up: ${await all(as, `change=up${extra}`)}; any: ${await all(as, `change=any${extra}`)}`;
  /** A month's balances (yuan) loaded as a warehouse loads them: stored, evaluated by no one until a re-tier. */
  const load = async (tenantId: string, period: string, yuan: Record<string, number>) => {
    for (const [externalId, value] of Object.entries(yuan)) {
      const subject = await findSubjectByExternalId(f.db.db, tenantId, externalId);
      assert.ok(subject);
      await insertMetrics(
        f.db.db,
        [
          {
            tenant_id: tenantId,
            subject_id: subject.id,
            metric: 'avg_daily_balance',
            period,
            value: value * 100,
          },
        ],
        NOW.toISOString(),
      );
    }
  };
  const monthEnd = async (tenantId: string, period: string) => {
    const queued = await enqueueRetier(f.db.db, {
      tenantId,
      period,
      now: NOW,
      chunkSubjects: 1,
    });
    assert.ok(queued);
    assert.equal(queued.progress.chunks.total, ORDER.length, 'one chunk per customer');
    return queued.id;
  };
  const periods = async (tenantId: string) => {
    const rows = await f.db.db
      .selectFrom('assignments as a')
      .innerJoin('subjects as s', 's.id', 'a.subject_id')
      .select(['s.external_id', 'a.period'])
      .where('a.tenant_id', '=', tenantId)
      .where('a.scheme', '=', 'retail-tier')
      .orderBy('s.external_id')
      .execute();
    return rows.map((r) => `${r.external_id} ${r.period}`).join(', ');
  };

  /**
   * D1, D2 platinum, then below its line from 2025-07: downgraded at 2025-09. U1, U2 nothing, then
   * enough for a higher level at 2025-09. X1 gold, up at 2025-10 only. K1 gold all along. 2025-08 and
   * 2025-09 by month-end jobs run whole; 2025-10's figures loaded, not re-tiered.
   */
  const book = async (as: 'a' | 'b', tenantId: string) => {
    const api = client(f, as);
    for (const id of ORDER) await api.customer(id, '陶怡');
    const yuan = (id: string, p: string) =>
      id.startsWith('D')
        ? p < '2025-07'
          ? 400_000
          : 0
        : id.startsWith('U')
          ? p < '2025-09'
            ? 0
            : 1_500_000
          : id === 'X1' && p >= '2025-10'
            ? 1_500_000
            : 50_000;
    for (const p of months(4, 7)) for (const id of ORDER) assert.equal((await api.balances(id, [[p, yuan(id, p)]])).status, 200);
    for (const p of months(8, 10)) await load(tenantId, p, Object.fromEntries(ORDER.map((id) => [id, yuan(id, p)])));
    for (const p of ['2025-08', '2025-09']) {
      await monthEnd(tenantId, p);
      await drainJobs(worker());
    }
  };

  before(async () => {
    await book('a', 'bank-a');
    await book('b', 'bank-b');
    const admin = client(f);
    assert.equal(
      (
        await admin.put('/v1/staff/RMC', {
          name: '王芳',
          role: 'officer',
          scope: 'book',
        })
      ).status,
      201,
    );
    // Her book: a mover the job re-tiers, one it does not, and X1.
    for (const id of ['D1', 'U2', 'X1']) assert.equal((await admin.put(`/v1/subjects/${id}/manager`, { manager: 'RMC' })).status, 200);
    rm = (
      await mintStaffToken(f.db.db, {
        tenantId: 'bank-a',
        staffId: 'RMC',
        now: NOW,
      })
    ).token;
  });

  it('lists everyone who changed at the month while the next month’s job is cancelled half-way, paged across its boundary', async () => {
    const whole = 'down: D1,D2; up: U1,U2; any: D1,D2,U1,U2';
    assert.equal(await lists('a'), whole, '2025-09 whole, before the job');
    const id = await monthEnd('bank-a', '2025-10');
    for (let i = 0; i < 3; i++) assert.equal(await workOnce(worker()), true);
    assert.equal((await client(f).post(`/v1/jobs/${id}/cancel`, {})).status, 200);
    assert.equal(
      await periods('bank-a'),
      'D1 2025-10, D2 2025-09, K1 2025-09, U1 2025-10, U2 2025-09, X1 2025-10',
      'the job stopped half-way: D1, U1 and X1 re-tiered at 2025-10',
    );
    assert.equal(await lists('a'), whole, 'page by page, one customer a page');
    assert.equal(await all('a', 'change=any', 3), 'D1,D2,U1,U2', 'pages of three');
    assert.equal(await all('a', 'change=any&order=desc', 3), 'U2,U1,D2,D1', 'from the last');
    // With another filter: a level, a name, the closed ones only (none).
    const down = await page('a', 'change=down&levelOf=retail-tier&limit=1');
    const to = down.items[0]?.change?.to ?? '';
    assert.equal(await all('a', `change=down&level=${to}`), 'D1,D2', 'the level they fell to');
    assert.equal(await all('a', 'change=down&level=platinum'), '', 'the level they fell from');
    assert.equal(await all('a', 'change=any&closed=only'), '');
    // A book: its RM's own, and the same asked for by `manager`.
    assert.equal(await lists(() => rm), 'down: D1; up: U2; any: D1,U2', 'X1 moved at 2025-10 only');
    assert.equal(await lists('a', '&manager=RMC'), 'down: D1; up: U2; any: D1,U2');
    // The other bank's lists: its own 2025-09's, no job of its own running.
    assert.equal(await lists('b'), whole);
  });

  it('shows the change each customer is listed for, not the level the running job gave them', async () => {
    const down = await page('a', 'change=down&levelOf=retail-tier');
    const [d1, d2] = down.items;
    assert.deepEqual(
      down.items.map((s) => [s.id, s.change?.period, s.change?.from]),
      [
        ['D1', '2025-09', 'platinum'],
        ['D2', '2025-09', 'platinum'],
      ],
    );
    assert.equal(d1?.change?.to, d2?.change?.to, 'both fell to one level');
    assert.equal(d2?.change?.to, d2?.level, 'D2, not re-tiered yet: the change is its assignment’s');
    assert.equal(d2?.standing?.previousLevel, 'platinum');
    assert.equal(d1?.standing?.period, '2025-10', 'D1’s standing is the running job’s month');
    assert.equal(d1?.standing?.previousLevel, d1?.change?.to, 'held at 2025-10: its assignment shows no change any more');
    const up = await page('a', 'change=up');
    assert.deepEqual(
      up.items.map((s) => s.id),
      ['U1', 'U2'],
    );
    const [u1, u2] = up.items;
    assert.notEqual(u1?.change?.from, u1?.change?.to);
    assert.deepEqual(u1?.change, u2?.change, 'U1 (re-tiered at 2025-10) and U2 (not) made one change at 2025-09');
  });

  it('the job resumed to completion: the lists are the new month’s', async () => {
    const cancelled = await f.db.db
      .selectFrom('jobs')
      .select('id')
      .where('tenant_id', '=', 'bank-a')
      .where('status', '=', 'cancelled')
      .executeTakeFirstOrThrow();
    assert.equal((await client(f).post(`/v1/jobs/${cancelled.id}/resume`, {})).status, 200);
    await drainJobs(worker());
    assert.equal(await lists('a'), 'down: ; up: X1; any: X1');
    const x1 = (await page('a', 'change=up&levelOf=retail-tier')).items[0];
    assert.deepEqual([x1?.change?.period, x1?.change?.to], ['2025-10', x1?.level]);
    assert.equal(await lists('b'), 'down: D1,D2; up: U1,U2; any: D1,D2,U1,U2', 'the other bank’s month unmoved');
  });
});
