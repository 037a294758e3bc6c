// Operations moving customers between books while relationship managers work on them, on PostgreSQL
// (SQLite runs one writer at a time). Moves of one customer at once must queue, each recording the
// move from the book the one before left; and a move must never meet an RM's override request or
// withdrawal, or an approver's decision, in a deadlock: every path that holds a customer's book row and
// their subject row takes the book row first (assignManagers, "Lock order").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { findSubjectByExternalId, type Db, type Executor } from '@tierkit/db';
import { sql } from 'kysely';
import type { ApiFixture } from '../support/api-fixture.js';
import { postgresHarness } from '../support/databases.js';
import { fourEyesTenant, ok, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Move {
  from: string | null;
  to: string | null;
}

describe('moves between books while RMs work [postgres]', () => {
  const harness = postgresHarness();
  let db: Db;
  let t: FourEyesTenant;
  const RMS = ['RM1', 'RM2', 'RM3'];
  const rm: Record<string, string> = {};
  before(async () => {
    db = await harness.open();
    t = await fourEyesTenant({ db } as ApiFixture, 'book-moves-locking', START);
    for (const id of RMS) {
      await ok(await t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' }), 201);
      rm[id] = (await mintStaffToken(db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
    }
  });
  after(() => harness.stopAll());

  const manager = async (id: string) =>
    (await ok<{ manager: string | null }>(await t.req('admin', 'GET', `/v1/subjects/${id}/manager`))).manager;
  /** The customer's moves, newest first, checked to chain: each left the book the one before it put it in. */
  const chain = async (id: string): Promise<Move[]> => {
    const moves = (await ok<{ moves: Move[] }>(await t.req('admin', 'GET', `/v1/subjects/${id}/manager/moves?limit=100`))).moves;
    for (let i = 0; i + 1 < moves.length; i++) assert.equal(moves[i]?.from, moves[i + 1]?.to, `${id}: ${JSON.stringify(moves)}`);
    assert.equal(moves.at(-1)?.from, null, `${id}: the first move came from no book`);
    assert.equal(moves[0]?.to ?? null, await manager(id), `${id}: the last move put it where it is`);
    return moves;
  };
  const statuses = async (answers: Response[]) => {
    const texts = await Promise.all(answers.map(async (r) => `${r.status} ${await r.clone().text()}`));
    return { codes: answers.map((r) => r.status), said: texts.join(' | ') };
  };

  it('two moves of one customer at once both land, one after the other, and the moves chain', async () => {
    for (let i = 0; i < 5; i++) {
      const id = `MC${i}`;
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      // First assignments: no book row yet, so both insert it.
      const first = await Promise.all([
        t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager: 'RM1' }),
        t.req('officer', 'POST', '/v1/subject-managers', { assignments: [{ subject: id, manager: 'RM2' }] }),
      ]);
      const a = await statuses(first);
      assert.deepEqual(a.codes, [200, 200], a.said);
      // Moves out of a book: both lock its row.
      const next = await Promise.all([
        t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager: 'RM3' }),
        t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager: null }),
      ]);
      const b = await statuses(next);
      assert.deepEqual(b.codes, [200, 200], b.said);
      assert.equal((await chain(id)).length, 4);
    }
  });

  it('moves race RMs’ requests and withdrawals and approvers’ decisions, 30 rounds: no 5xx, no deadlock, the moves chain', async () => {
    const customers = ['SX0'];
    for (const id of customers) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '李娜' }), 201);
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager: 'RM1' }));
    }
    const request = (id: string, who: string) =>
      t.req({ credential: rm[who] ?? '' }, 'POST', `/v1/subjects/${id}/overrides`, {
        scheme: 'retail-tier',
        level: 'gold',
        mode: 'fixed',
        reason: 'VIP retention',
        expiresAt: null,
      });
    const round = async (id: string, n: number) => {
      const from = (await manager(id)) ?? 'RM1';
      // A request pending in the book the customer is in now (or the one already pending).
      const filed = await request(id, from);
      const pending = filed.status === 201 ? ((await filed.json()) as { id: string; contentHash: string }) : undefined;
      if (!pending) assert.equal(filed.status, 409, await filed.text());
      const others = RMS.filter((r) => r !== from);
      const race: Promise<Response>[] = [
        t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager: others[0] }),
        t.req('admin', 'POST', '/v1/subject-managers', { assignments: [{ subject: id, manager: others[n % 2] }] }),
      ];
      if (pending) {
        race.push(t.req({ credential: rm[from] ?? '' }, 'POST', `/v1/overrides/${pending.id}/withdraw`, { note: 'customer leaves' }));
        race.push(
          t.req('approver', 'POST', `/v1/overrides/${pending.id}/${n % 3 === 0 ? 'approve' : 'reject'}`, {
            contentHash: pending.contentHash,
            note: 'checked',
          }),
        );
      }
      race.push(request(id, from));
      const answers = await Promise.all(race);
      const { codes, said } = await statuses(answers);
      assert.deepEqual(codes.slice(0, 2), [200, 200], `round ${n} of ${id}: both moves land — ${said}`);
      assert.ok(
        codes.every((c) => c < 500),
        `round ${n} of ${id}: no 5xx — ${said}`,
      );
      // Whatever lost the race was told so plainly: gone from the book (404), decided already (409).
      assert.ok(
        codes.slice(2).every((c) => [200, 201, 404, 409].includes(c)),
        `round ${n} of ${id}: ${said}`,
      );
    };
    for (let n = 0; n < 30; n++) await Promise.all(customers.map((id) => round(id, n)));
    for (const id of customers) assert.ok((await chain(id)).length > 30);
  });

  it('an RM’s metrics write holds the customer in their book until it commits: a move waits for it', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/MW1', { kind: 'customer', displayName: '张伟' }), 201);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/MW1/manager', { manager: 'RM1' }));
    const subject = await findSubjectByExternalId(db.db, t.tenantId, 'MW1');
    assert.ok(subject);
    const lockWaits = async () =>
      (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db.db)
      ).rows[0]?.n ?? 0;
    // Stop the RM's write part-way, after its book check: another transaction writes the same
    // month's metric first and holds it.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const held = new Promise<void>((r) => (locked = r));
    const gate = db.db.transaction().execute(async (trx: Executor) => {
      await sql`INSERT INTO metrics (tenant_id, subject_id, metric, period, value)
        VALUES (${t.tenantId}, ${subject.id}, 'avg_daily_balance', '2025-11', 1)`.execute(trx);
      locked();
      await released;
      throw new Error('roll back');
    });
    await held;
    const write = t.req({ credential: rm.RM1 ?? '' }, 'PUT', '/v1/subjects/MW1/metrics', {
      metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 5_000_000 }],
    });
    while ((await lockWaits()) < 1) await new Promise((r) => setImmediate(r));
    let moved = false;
    const move = t.req('officer', 'PUT', '/v1/subjects/MW1/manager', { manager: 'RM2' }).then((res) => {
      moved = true;
      return res;
    });
    try {
      // Either the move finishes while the write has not (the race), or it waits for it too.
      while (!moved && (await lockWaits()) < 2) await new Promise((r) => setImmediate(r));
      assert.equal(moved, false, 'the customer did not leave the book while the RM’s write in it was under way');
    } finally {
      release();
      await gate.catch(() => undefined);
    }
    await ok(await write);
    await ok(await move);
    // Now out of RM1's book: their next write is the 404 of any customer not theirs.
    const refused = await t.req({ credential: rm.RM1 ?? '' }, 'PUT', '/v1/subjects/MW1/metrics', {
      metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 1 }],
    });
    assert.equal(refused.status, 404);
  });
});
