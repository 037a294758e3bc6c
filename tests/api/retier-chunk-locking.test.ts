import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp, drainJobs, provisionTenant, type JobView } from '@tierkit/api';
import { findSubjectByExternalId, setSubjectClosed, type Db } from '@tierkit/db';
import { sql } from 'kysely';
import { postgresHarness } from '../support/databases.js';
import { backendPid } from '../support/pg-lock-waits.js';
import { testPack } from '../support/test-pack.js';

/*
 * Which customers a re-tier chunk holds on PostgreSQL (SQLite runs one writer at a time). It locks the
 * rows of those it may write, in id order, for the whole chunk; the ones it leaves alone (closed,
 * evaluated at a later month, outside the job's filter) it neither locks nor bumps. Held too, they
 * would block writes to every customer of a filtered job's range, and any writer that takes two
 * customers in another order than id order would deadlock with the chunk over one it does not even
 * write; the writer below stands in for such a writer.
 */

const NOW = new Date('2025-11-15T04:00:00.000Z');
/** Polls of `pg_stat_activity` before the test stops waiting for the chunk: it fails, never spins on. */
const MAX_POLLS = 2000;

describe('the customers a re-tier chunk holds [postgres]', () => {
  const harness = postgresHarness();
  let db: Db;
  let app: ReturnType<typeof createApp>;
  const keys = new Map<string, string>();
  const req = (tenantId: string, method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${keys.get(tenantId)}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  before(async () => {
    db = await harness.open();
    app = createApp({ db: db.db, now: () => NOW, logError: () => undefined });
  });
  after(() => harness.stopAll());

  /**
   * Customers of a new tenant in id order, each tiered for October from the balance (in yuan) given
   * ("standard" at 10,000, "diamond" at 9,000,000). The jobs re-tier October again.
   */
  async function customers(tenantId: string, balances: readonly [string, number][]): Promise<Map<string, string>> {
    await provisionTenant(db.db, { id: tenantId, name: tenantId, pack: testPack(), now: NOW });
    keys.set(tenantId, (await createApiKey(db.db, { tenantId, role: 'admin', label: 'ops', now: NOW })).secret);
    const ids = new Map<string, string>();
    for (const [id, yuan] of balances) {
      assert.equal((await req(tenantId, 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' })).status, 201);
      const october = { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: yuan * 100 }] };
      assert.equal((await req(tenantId, 'PUT', `/v1/subjects/${id}/metrics`, october)).status, 200);
      const s = await findSubjectByExternalId(db.db, tenantId, id);
      assert.ok(s);
      ids.set(id, s.id);
    }
    assert.deepEqual([...ids.values()], [...ids.values()].sort(), 'created in id order');
    return ids;
  }

  const close = (tenantId: string, subjectId: string) =>
    db.db
      .transaction()
      .execute((trx) => setSubjectClosed(trx, tenantId, subjectId, { at: '2025-11-10T00:00:00.000Z', reason: '销户' }, NOW.toISOString()));
  const november = (tenantId: string, id: string) =>
    req(tenantId, 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 1_000_000 }] });
  const queue = async (tenantId: string, filter?: unknown) => {
    const queued = await req(tenantId, 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', ...(filter ? { filter } : {}) });
    assert.equal(queued.status, 201, await queued.clone().text());
    return ((await queued.json()) as JobView).id;
  };
  const progress = async (tenantId: string, jobId: string) => {
    const job = (await (await req(tenantId, 'GET', `/v1/jobs/${jobId}`)).json()) as JobView;
    assert.equal(job.status, 'completed');
    return job.progress.subjects;
  };
  const versions = async (ids: Iterable<string>) => {
    const rows = await sql<{ id: string; version: number }>`SELECT id, version FROM subjects WHERE id IN (${sql.join([...ids])})`.execute(
      db.db,
    );
    return new Map(rows.rows.map((r) => [r.id, Number(r.version)]));
  };

  // A customer of the chunk's range it leaves alone, after one it re-tiers (ids L < H).
  const skips: readonly [string, (tenantId: string, h: string) => Promise<unknown>, unknown][] = [
    ['closed', (t, h) => close(t, h), undefined],
    ['evaluated at a later month', async (t) => assert.equal((await november(t, 'H')).status, 200), undefined],
    ['outside the level filter', async () => undefined, { level: { scheme: 'retail-tier', level: 'standard' } }],
  ];
  for (const [why, leave, filter] of skips)
    it(`a writer of two customers that takes the one the chunk skips (${why}) first, then the one it re-tiers: neither deadlocks`, async () => {
      const tenantId = `held-${skips.findIndex(([w]) => w === why)}`;
      const ids = await customers(tenantId, [
        ['L', 10_000],
        ['H', 9_000_000],
      ]);
      const [l, h] = [ids.get('L'), ids.get('H')] as [string, string];
      await leave(tenantId, h);
      const jobId = await queue(tenantId, filter);
      // A writer renaming H, then L (not id order), holds H's row until it gets to L.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let started!: (pid: number) => void;
      const pid = new Promise<number>((r) => (started = r));
      const writer = db.db.transaction().execute(async (trx) => {
        await sql`UPDATE subjects SET display_name = '新名字' WHERE id = ${h}`.execute(trx);
        started(await backendPid(trx));
        await gate;
        await sql`UPDATE subjects SET display_name = '新名字' WHERE id = ${l}`.execute(trx);
      });
      const holder = await pid;
      const errors: string[] = [];
      let drainedDone = false;
      const drained = drainJobs({ db: db.db, now: () => NOW, logError: (err: unknown) => errors.push(String(err)) }).finally(() => {
        drainedDone = true;
      });
      let waited = false;
      try {
        for (let i = 0; i < MAX_POLLS && !drainedDone && !waited; i++) {
          const n = (
            await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND ${holder}::int = ANY(pg_blocking_pids(pid))`.execute(db.db)
          ).rows[0]?.n;
          waited = (n ?? 0) > 0;
          if (!waited) await new Promise((r) => setTimeout(r, 5));
        }
        // Before the fix the chunk locked H as well (every row of its range) and waited for the writer,
        // which then waited for L, held by the chunk: PostgreSQL aborted one of the two.
        assert.equal(waited, false, 'the chunk waited for a customer it leaves alone');
        await drained;
      } finally {
        release();
        await writer.catch((err: unknown) => errors.push(`writer: ${String(err)}`));
        await drained;
      }
      assert.deepEqual(errors, []);
      assert.deepEqual(await progress(tenantId, jobId), { total: 2, processed: 1, skipped: 1 });
    });

  it('the customers a chunk leaves alone keep their version; those it re-tiers get a new one', async () => {
    const tenantId = 'held-versions';
    const ids = await customers(tenantId, [
      ['L', 10_000],
      ['C', 10_000],
      ['M', 10_000],
      ['D', 9_000_000],
    ]);
    await close(tenantId, ids.get('C') as string);
    assert.equal((await november(tenantId, 'M')).status, 200);
    const all = [...ids.values()];
    const before = await versions(all);
    const jobId = await queue(tenantId);
    await drainJobs({ db: db.db, now: () => NOW, logError: (err: unknown) => assert.fail(String(err)) });
    assert.deepEqual(await progress(tenantId, jobId), { total: 4, processed: 2, skipped: 2 });
    const whole = await versions(all);
    const bumped = (v: Map<string, number>, w: Map<string, number>) =>
      [...ids].filter(([, id]) => (w.get(id) ?? 0) > (v.get(id) ?? 0)).map(([key]) => key);
    assert.deepEqual(bumped(before, whole), ['L', 'D'], 'the closed customer and the one evaluated in November stay as they were');

    // Filtered to "standard", the job leaves D (diamond) alone as well.
    const filtered = await queue(tenantId, { level: { scheme: 'retail-tier', level: 'standard' } });
    await drainJobs({ db: db.db, now: () => NOW, logError: (err: unknown) => assert.fail(String(err)) });
    assert.deepEqual(await progress(tenantId, filtered), { total: 4, processed: 1, skipped: 3 });
    assert.deepEqual(bumped(whole, await versions(all)), ['L']);
  });
});
