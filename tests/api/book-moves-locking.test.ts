// Operations moving customers between books while relationship managers work on them, on PostgreSQL
// (SQLite runs one writer at a time). Moves of one customer at once must queue, each recording the
// move from the book the one before left; and a move must never meet an RM's override request or
// withdrawal, or an approver's decision, in a deadlock: every path that holds a customer's book row and
// their subject row takes the book row first (assignManagers, "Lock order").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadTenantPack, mintStaffToken, runImport } from '@tierkit/api';
import { findSubjectByExternalId, type Db, type Executor } from '@tierkit/db';
import { type RawBuilder, sql } from 'kysely';
import type { ApiFixture } from '../support/api-fixture.js';
import { postgresHarness } from '../support/databases.js';
import { fourEyesTenant, ok, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Move {
  from: string | null;
  to: string | null;
  at: string;
}

/** Polls of `pg_stat_activity` before a test gives up waiting for a lock wait it expects: fails, never spins on. */
const MAX_POLLS = 2000;
const pause = () => new Promise((r) => setTimeout(r, 5));

/** A transaction on a connection of its own, run a statement at a time: a lock it takes is held until `end`. */
function holder(db: Db) {
  const jobs: { run: (trx: Executor) => Promise<unknown>; settle: (ok: boolean, v: unknown) => void }[] = [];
  let wake: (() => void) | undefined;
  let ending: 'commit' | 'rollback' | undefined;
  const done = db.db.transaction().execute(async (trx: Executor) => {
    for (;;) {
      while (!jobs.length && !ending) await new Promise<void>((r) => (wake = r));
      const job = jobs.shift();
      if (!job) break;
      await job.run(trx).then(
        (v) => job.settle(true, v),
        (e) => job.settle(false, e),
      );
    }
    if (ending === 'rollback') throw new RolledBack();
  });
  const run = <T>(f: (trx: Executor) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      jobs.push({ run: f, settle: (ok, v) => (ok ? resolve(v as T) : reject(v)) });
      wake?.();
    });
  return {
    run,
    pid: () => run(async (trx) => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]?.pid ?? 0),
    async end(how: 'commit' | 'rollback') {
      ending = how;
      wake?.();
      await done.catch((e) => {
        if (!(e instanceof RolledBack)) throw e;
      });
    },
  };
}
class RolledBack extends Error {}

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

  /**
   * Wait until a statement waits for a lock held by backend `pid` (at most MAX_POLLS looks; then fail).
   * False when `unless` turns true first.
   */
  const blockedBy = (pid: number, unless?: () => boolean) => lockWait(sql`${pid}::int = ANY(pg_blocking_pids(pid))`, unless);
  /** Wait until backend `pid` waits for a lock (as `blockedBy`). */
  const waits = (pid: number, unless?: () => boolean) =>
    lockWait(sql`pid = ${pid}::int AND cardinality(pg_blocking_pids(pid)) > 0`, unless);
  const lockWait = async (where: RawBuilder<unknown>, unless: () => boolean = () => false): Promise<boolean> => {
    for (let i = 0; i < MAX_POLLS; i++) {
      if (unless()) return false;
      const n =
        (
          await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND ${where}`.execute(db.db)
        ).rows[0]?.n ?? 0;
      if (n > 0) return true;
      await pause();
    }
    assert.fail(`no lock wait where ${where.compile(db.db).sql}`);
  };
  /** Two new customers, named by the order of their internal ids (the order moves lock them in). */
  const pair = async (prefix: string): Promise<{ lo: { ext: string; id: string }; hi: { ext: string; id: string } }> => {
    const made: { ext: string; id: string }[] = [];
    for (const ext of [`${prefix}A`, `${prefix}B`]) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${ext}`, { kind: 'customer', displayName: '陈静' }), 201);
      const s = await findSubjectByExternalId(db.db, t.tenantId, ext);
      assert.ok(s);
      made.push({ ext, id: s.id });
    }
    made.sort((a, b) => (a.id < b.id ? -1 : 1));
    const [lo, hi] = made;
    assert.ok(lo && hi);
    return { lo, hi };
  };
  const lockRow = (subjectId: string) => (trx: Executor) =>
    sql`SELECT staff_id FROM subject_managers WHERE tenant_id = ${t.tenantId} AND subject_id = ${subjectId} FOR UPDATE`.execute(trx);

  it('a first assignment takes its book row’s lock in subject order with the others: no deadlock against a move holding a later row', async () => {
    const { lo, hi } = await pair('FA');
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${hi.ext}/manager`, { manager: 'RM1' }));
    // Another move puts `lo` (no book yet) in RM3's book and has not committed; it will lock `hi` next.
    const other = holder(db);
    await other.run((trx) =>
      sql`INSERT INTO subject_managers (tenant_id, subject_id, staff_id, assigned_at, assigned_by)
        VALUES (${t.tenantId}, ${lo.id}, 'RM3', ${START.toISOString()}, 'test')`.execute(trx),
    );
    const bulk = t.req('officer', 'POST', '/v1/subject-managers', {
      assignments: [
        { subject: lo.ext, manager: 'RM1' },
        { subject: hi.ext, manager: 'RM2' },
      ],
    });
    try {
      await blockedBy(await other.pid());
      // Before the fix the bulk move held `hi` here (locked and updated first) while waiting for `lo`: a deadlock.
      await other.run(lockRow(hi.id));
    } finally {
      await other.end('commit');
    }
    await ok(await bulk);
    assert.equal(await manager(lo.ext), 'RM1');
    assert.equal(await manager(hi.ext), 'RM2');
    const moves = (await ok<{ moves: Move[] }>(await t.req('admin', 'GET', `/v1/subjects/${lo.ext}/manager/moves`))).moves;
    assert.deepEqual(
      moves.map((m) => [m.from, m.to]),
      [['RM3', 'RM1']],
      'the move waited for the first assignment and went on from the book it wrote',
    );
  });

  it('taking a customer out of every book is not lost when another move put them in one while this one waited', async () => {
    const { lo, hi } = await pair('TO');
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${hi.ext}/manager`, { manager: 'RM1' }));
    // Another move puts `lo` (no book yet) in RM3's book, uncommitted, and holds `hi`.
    const other = holder(db);
    await other.run((trx) =>
      sql`INSERT INTO subject_managers (tenant_id, subject_id, staff_id, assigned_at, assigned_by)
        VALUES (${t.tenantId}, ${lo.id}, 'RM3', ${START.toISOString()}, 'test')`.execute(trx),
    );
    await other.run(lockRow(hi.id));
    // The bulk move reads `lo` (no row it can see: nothing to lock), then waits for `hi`.
    const bulk = t.req('officer', 'POST', '/v1/subject-managers', {
      assignments: [
        { subject: lo.ext, manager: null },
        { subject: hi.ext, manager: 'RM2' },
      ],
    });
    try {
      await blockedBy(await other.pid());
    } finally {
      await other.end('commit');
    }
    await ok(await bulk);
    // Before the fix: 200, and `lo` stayed in RM3's book with no move recorded.
    assert.equal(await manager(lo.ext), null);
    const moves = (await ok<{ moves: Move[] }>(await t.req('admin', 'GET', `/v1/subjects/${lo.ext}/manager/moves`))).moves;
    assert.deepEqual(
      moves.map((m) => [m.from, m.to]),
      [['RM3', null]],
    );
  });

  it('a first assignment of a customer another move has just put in a book does not lock it after a later row', async () => {
    const { lo, hi } = await pair('FB');
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${hi.ext}/manager`, { manager: 'RM1' }));
    // A move holds `hi`; the bulk move finds `lo` in no book and waits for `hi`.
    const first = holder(db);
    await first.run(lockRow(hi.id));
    const bulk = t.req('officer', 'POST', '/v1/subject-managers', {
      assignments: [
        { subject: lo.ext, manager: 'RM1' },
        { subject: hi.ext, manager: 'RM2' },
      ],
    });
    // The fixture's pool has four connections: the second holder is opened once the bulk move has its own.
    let second: ReturnType<typeof holder> | undefined;
    try {
      await blockedBy(await first.pid());
      second = holder(db);
      const secondPid = await second.pid();
      // Meanwhile `lo` is put in RM3's book by a move that then holds it and will want `hi`. Since the
      // fix the bulk move created `lo`'s row before waiting, so this insert waits for the bulk move instead.
      const inserted = second.run((trx) =>
        sql`INSERT INTO subject_managers (tenant_id, subject_id, staff_id, assigned_at, assigned_by)
          VALUES (${t.tenantId}, ${lo.id}, 'RM3', ${START.toISOString()}, 'test')
          ON CONFLICT (tenant_id, subject_id) DO NOTHING`.execute(trx),
      );
      let insertedFirst = false;
      const settled = inserted.then(() => (insertedFirst = true));
      if (!(await waits(secondPid, () => insertedFirst))) {
        await settled;
        // Before the fix: the bulk move, once `hi` is free, found `lo` taken and locked it again, holding `hi`.
        await second.run(lockRow(lo.id));
        await first.end('rollback');
        await blockedBy(secondPid);
        await second.run(lockRow(hi.id));
      } else await first.end('rollback');
    } finally {
      await first.end('rollback');
      await second?.end('commit');
    }
    await ok(await bulk);
    assert.equal(await manager(lo.ext), 'RM1');
    assert.equal(await manager(hi.ext), 'RM2');
  });

  it('a managers import locks its file’s book rows in subject order, not file order: no deadlock against a bulk move', async () => {
    const { lo, hi } = await pair('IM');
    for (const c of [lo, hi]) await ok(await t.req('officer', 'PUT', `/v1/subjects/${c.ext}/manager`, { manager: 'RM1' }));
    // A bulk move (subject order) holds `lo` and will want `hi`.
    const move = holder(db);
    await move.run(lockRow(lo.id));
    // `hi` first, `lo` in a later batch of the file: rejected rows between them fill the first batch.
    const filler = Array.from({ length: 2100 }, () => ',RM2').join('\r\n');
    const imported = t.app.request('/v1/imports?kind=managers&mode=valid-rows', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.admin}` },
      body: `subject,manager\r\n${hi.ext},RM2\r\n${filler}\r\n${lo.ext},RM2\r\n`,
    });
    try {
      await blockedBy(await move.pid());
      // Before the fix the import held `hi` (its first batch) while waiting for `lo`: a deadlock.
      await move.run(lockRow(hi.id));
    } finally {
      await move.end('commit');
    }
    const res = await imported;
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal(((await res.json()) as { written: number }).written, 2);
    assert.equal(await manager(lo.ext), 'RM2');
    assert.equal(await manager(hi.ext), 'RM2');
  });

  it('a managers import moved a page per customer still locks across its pages in subject order: no deadlock against a bulk move', async () => {
    // Every staged customer a page of its own: `lo` and `hi` are locked by two `assignManagers` calls,
    // so only the order of the pages keeps the lock order (with the default page both are one call,
    // which sorts them itself). Pages taken in file order would hold `hi` while waiting for `lo`.
    const { lo, hi } = await pair('IP');
    for (const c of [lo, hi]) await ok(await t.req('officer', 'PUT', `/v1/subjects/${c.ext}/manager`, { manager: 'RM1' }));
    // A bulk move (subject order) holds `lo` and will want `hi`.
    const move = holder(db);
    await move.run(lockRow(lo.id));
    const text = `subject,manager\r\n${hi.ext},RM2\r\n${lo.ext},RM2\r\n`;
    const imported = runImport(
      db.db,
      { kind: 'managers', encoding: 'utf-8', mode: 'all-or-nothing', mapping: {} },
      {
        tenantId: t.tenantId,
        catalogue: (await loadTenantPack(db.db, t.tenantId)).metrics,
        currentPeriod: '2025-11',
        actor: 'test',
        now: () => START,
        fileName: 'managers.csv',
        movePageRows: 1,
      },
      async function* () {
        yield new TextEncoder().encode(text);
      },
    );
    try {
      await blockedBy(await move.pid());
      await move.run(lockRow(hi.id));
    } finally {
      await move.end('commit');
    }
    const record = await imported;
    assert.deepEqual([record.status, record.written], ['succeeded', 2]);
    assert.equal(await manager(lo.ext), 'RM2');
    assert.equal(await manager(hi.ext), 'RM2');
  });

  it('a move that waited for another is dated after it: a customer’s moves list in the order they were made', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/AT1', { kind: 'customer', displayName: '刘洋' }), 201);
    const c = await findSubjectByExternalId(db.db, t.tenantId, 'AT1');
    assert.ok(c);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/AT1/manager', { manager: 'RM1' }));
    // Another move (another process) holds the customer's book row.
    const other = holder(db);
    await other.run(lockRow(c.id));
    t.setClock(new Date('2025-11-15T05:00:00.000Z'));
    const put = t.req('officer', 'PUT', '/v1/subjects/AT1/manager', { manager: 'RM2' });
    try {
      await blockedBy(await other.pid());
      // The other move lands at 05:01, while the PUT asked at 05:00 waits; it gets the row at 05:02.
      await other.run(async (trx) => {
        await sql`UPDATE subject_managers SET staff_id = 'RM3' WHERE tenant_id = ${t.tenantId} AND subject_id = ${c.id}`.execute(trx);
        await sql`INSERT INTO book_moves (id, tenant_id, subject_id, from_staff, to_staff, at, actor)
          VALUES ('2025-11-15T05:01:00.000Z.other', ${t.tenantId}, ${c.id}, 'RM1', 'RM3', '2025-11-15T05:01:00.000Z', 'test')`.execute(trx);
      });
      t.setClock(new Date('2025-11-15T05:02:00.000Z'));
    } finally {
      await other.end('commit');
    }
    await ok(await put);
    t.setClock(START);
    const moves = await chain('AT1');
    assert.deepEqual(
      moves.map((m) => [m.from, m.to, m.at]),
      [
        ['RM3', 'RM2', '2025-11-15T05:02:00.000Z'],
        ['RM1', 'RM3', '2025-11-15T05:01:00.000Z'],
        [null, 'RM1', START.toISOString()],
      ],
    );
  });

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

  it('a bulk move to the book a customer is in still waits for a move taking them out of it, then moves them back', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/NB1', { kind: 'customer', displayName: '李娜' }), 201);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/NB1/manager', { manager: 'RM1' }));
    const subject = await findSubjectByExternalId(db.db, t.tenantId, 'NB1');
    assert.ok(subject);
    // Another transaction moves the customer to RM2 and has not committed.
    const other = holder(db);
    await other.run((trx) =>
      sql`UPDATE subject_managers SET staff_id = 'RM2' WHERE tenant_id = ${t.tenantId} AND subject_id = ${subject.id}`.execute(trx),
    );
    // Read without a lock, RM1 would still be the book and the move a no-op: RM2 would win though
    // this request came after it.
    const bulk = t.req('officer', 'POST', '/v1/subject-managers', { assignments: [{ subject: 'NB1', manager: 'RM1' }] });
    try {
      await blockedBy(await other.pid());
    } finally {
      await other.end('commit');
    }
    await ok(await bulk);
    assert.equal(await manager('NB1'), 'RM1');
    const moves = (await ok<{ moves: Move[] }>(await t.req('admin', 'GET', '/v1/subjects/NB1/manager/moves'))).moves;
    assert.deepEqual(
      moves.map((m) => [m.from, m.to]),
      [
        ['RM2', 'RM1'],
        [null, 'RM1'],
      ],
    );
  });
});
