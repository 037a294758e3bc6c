import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, type Db } from './connect.js';
import { HeavyReadFailedError, HeavyReads, HeavyReadsBusyError, HeavyReadTimeoutError, heavyReadRetryMs } from './heavy-reads.js';

/** A read that runs for minutes unless stopped: counts to ten billion. */
const SLOW = sql<{
  n: number;
}>`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 10000000000) SELECT count(*) AS n FROM c`;
/** Whether a process runs (a zombie waiting for its reaper does not). */
function alive(pid: number): boolean {
  if (existsSync('/proc')) {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
const count = async (db: Db['db']) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(db)).rows[0]?.n);

describe('HeavyReads', () => {
  let dir = '';
  let file = '';
  let db: Db;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tierkit-heavy-reads-'));
    file = join(dir, 'book.db');
    db = connect({ url: file });
    await sql`CREATE TABLE t (x INTEGER PRIMARY KEY, s TEXT)`.execute(db.db);
    await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO t SELECT i, 'row ' || i FROM n`.execute(
      db.db,
    );
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the rows the server’s own connection answers, and sees a write committed before it was asked', async () => {
    const reads = new HeavyReads(file);
    try {
      const q = (on: Db['db']) =>
        on
          .selectFrom('t' as never)
          .selectAll()
          .where(sql.ref('x'), '>', 990)
          .orderBy(sql.ref('x'))
          .execute();
      assert.deepEqual(await q(reads.db), await q(db.db));
      await sql`INSERT INTO t VALUES (1001, 'written just now')`.execute(db.db);
      assert.deepEqual((await sql<{ s: string }>`SELECT s FROM t WHERE x = ${1001}`.execute(reads.db)).rows, [{ s: 'written just now' }]);
    } finally {
      await reads.close();
    }
  });

  it('cannot write: a write statement is refused and the file is unchanged', async () => {
    const reads = new HeavyReads(file);
    try {
      const before = await count(db.db);
      await assert.rejects(sql`INSERT INTO t VALUES (5000, 'no')`.execute(reads.db), /writes nothing/);
      await assert.rejects(sql`DELETE FROM t`.execute(reads.db), /writes nothing/);
      // A write that returns rows passes the statement check; the connection itself refuses it.
      await assert.rejects(sql`INSERT INTO t VALUES (5001, 'no') RETURNING x`.execute(reads.db), /readonly/);
      // Not a plain statement either: a transaction is refused before anything is sent.
      await assert.rejects(
        reads.db.transaction().execute(async () => undefined),
        /no transactions/,
      );
      assert.equal(await count(db.db), before);
    } finally {
      await reads.close();
    }
  });

  it('stops a statement past its limit, frees this thread meanwhile, and answers the next read from a new process', async () => {
    const reads = new HeavyReads(file, { timeoutMs: 400 });
    try {
      await reads.whenReady();
      const [pid] = reads.pids;
      let ticked = false;
      let ended = false;
      const slow = SLOW.execute(reads.db).finally(() => {
        ended = true;
      });
      // A timer on this thread runs while the statement runs: it is not on this thread.
      await new Promise((resolve) => setTimeout(resolve, 50));
      ticked = !ended;
      await assert.rejects(slow, HeavyReadTimeoutError);
      assert.ok(ticked, 'this thread ran a timer before the slow read ended');
      // The replacement's start is a wait bounded by the same 400 ms: on a loaded machine it took longer.
      await reads.whenReady();
      assert.equal(await count(reads.db), await count(db.db));
      assert.notEqual(reads.pids[0], pid, 'the process that ran it was replaced');
    } finally {
      await reads.close();
    }
  });

  it('runs at most its processes, queues a bounded number, and refuses the rest', async () => {
    const reads = new HeavyReads(file, { processes: 1, queue: 1, timeoutMs: 60_000 });
    try {
      await reads.whenReady();
      const slow = SLOW.execute(reads.db);
      const queued = sql`SELECT 1 AS one`.execute(reads.db);
      await assert.rejects(sql`SELECT 2 AS two`.execute(reads.db), HeavyReadsBusyError);
      assert.equal(reads.inFlight, 2);
      const failed = Promise.all([assert.rejects(slow, HeavyReadFailedError), assert.rejects(queued, HeavyReadFailedError)]);
      await reads.close();
      await failed;
    } finally {
      await reads.close();
    }
  });

  it('a server killed mid-read (SIGKILL, a crash) leaves no reader running its statement', async () => {
    // The server: a process of its own with a reader running a statement that would take minutes.
    const script = join(dir, 'server.mjs');
    writeFileSync(
      script,
      `import { HeavyReads } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'heavy-reads.ts')).href)};
       const reads = new HeavyReads(${JSON.stringify(file)}, { timeoutMs: 600000 });
       await reads.whenReady();
       reads.run(${JSON.stringify({ sql: SLOW.compile(db.db).sql, parameters: [] })}).catch(() => undefined);
       setTimeout(() => console.log(reads.pids[0]), 200);
       setInterval(() => undefined, 1000);`,
    );
    const server = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: import.meta.dirname,
      stdio: ['ignore', 'pipe', 'inherit'],
      // Not node:test's marker, which would make the script report to this runner instead of running.
      env: { ...process.env, NODE_TEST_CONTEXT: '' },
    });
    let reader = 0;
    try {
      reader = await new Promise<number>((resolve, reject) => {
        server.stdout.on('data', (d: Buffer) => resolve(Number(String(d).trim())));
        server.once('exit', () => reject(new Error('the server script ended before its reader ran')));
      });
      assert.ok(reader > 0 && alive(reader), 'the reader runs the statement');
      server.kill('SIGKILL');
      for (let i = 0; i < 100 && alive(reader); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(!alive(reader), 'the reader ended within 10 s of its server');
    } finally {
      server.kill('SIGKILL');
      if (reader > 0 && alive(reader)) process.kill(reader, 'SIGKILL');
    }
  });

  it('a read that waited its whole bound for a reader is refused as busy, not as a statement stopped', async () => {
    const reads = new HeavyReads(file, { processes: 1, queue: 1, timeoutMs: 300 });
    try {
      await reads.whenReady();
      const slow = SLOW.execute(reads.db);
      const waiting = sql`SELECT 1 AS one`.execute(reads.db);
      await Promise.all([assert.rejects(slow, HeavyReadTimeoutError), assert.rejects(waiting, HeavyReadsBusyError)]);
    } finally {
      await reads.close();
    }
  });

  it('hands its readers none of the server’s secrets, only where SQLite may write its sort files', {
    skip: !existsSync('/proc'),
  }, async () => {
    const secret = 'tk_admin_secret_the_reader_has_no_use_for';
    process.env.TIERKIT_ADMIN_KEY = secret;
    process.env.SQLITE_TMPDIR = dir;
    const reads = new HeavyReads(file);
    try {
      await reads.whenReady();
      const env = readFileSync(`/proc/${reads.pids[0]}/environ`, 'utf8').split('\0');
      assert.ok(!env.some((v) => v.includes(secret)), 'TIERKIT_ADMIN_KEY stays with the server');
      assert.ok(env.includes(`SQLITE_TMPDIR=${dir}`));
      assert.deepEqual((await sql<{ one: number }>`SELECT 1 AS one`.execute(reads.db)).rows, [{ one: 1 }]);
    } finally {
      delete process.env.TIERKIT_ADMIN_KEY;
      delete process.env.SQLITE_TMPDIR;
      await reads.close();
    }
  });

  it('holds the bound while its reader is still starting: one read waits for it, the next is refused', async () => {
    const reads = new HeavyReads(file, { processes: 1, queue: 0, timeoutMs: 60_000 });
    try {
      // Asked in the same turn as the start: the reader cannot have said it is ready yet.
      const first = sql<{ one: number }>`SELECT 1 AS one`.execute(reads.db);
      await assert.rejects(sql`SELECT 2 AS two`.execute(reads.db), HeavyReadsBusyError);
      assert.deepEqual((await first).rows, [{ one: 1 }]);
    } finally {
      await reads.close();
    }
  });

  it('a reader that cannot start: retried 1 s doubling to a minute, one log line when it fails and one when it starts, reads refused at once meanwhile', async () => {
    assert.deepEqual([1, 2, 3, 6, 7, 20].map(heavyReadRetryMs), [1000, 2000, 4000, 32_000, 60_000, 60_000]);
    const missing = join(dir, 'not-yet.db');
    const lines: string[] = [];
    // A bound no test waits out: a read that waited for the reader instead of being refused shows as 'waited'.
    const reads = new HeavyReads(missing, { timeoutMs: 120_000, log: (line) => lines.push(line) });
    const within = <T>(p: Promise<T>) =>
      Promise.race([
        p.then(
          () => 'answered',
          (err: unknown) => err,
        ),
        new Promise((resolve) => setTimeout(resolve, 8000, 'waited')),
      ]);
    const until = async (what: string, done: () => boolean) => {
      for (let i = 0; i < 300 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(done(), what);
    };
    let created: Db | undefined;
    try {
      // Asked while the first start is under way: it waits for it, and is refused when it fails.
      const early = await within(sql`SELECT 1 AS one`.execute(reads.db));
      assert.ok(early instanceof HeavyReadFailedError, `refused when the start failed, not ${String(early)}`);
      assert.equal(lines.length, 1);
      assert.match(lines[0] ?? '', /cannot start \(.*(exist|open).*\).*heavy-read-failed/i);
      // Refused at once, with when the next start is tried; after the second failed start that is 2 s away.
      let err: unknown;
      await until('a second start failed', () => {
        void reads.run(sql`SELECT 1`.compile(db.db)).catch((e: unknown) => {
          err = e;
        });
        return err instanceof HeavyReadFailedError && (err.retryAfterMs ?? 0) > 1000;
      });
      assert.ok((await within(sql`SELECT 1 AS one`.execute(reads.db))) instanceof HeavyReadFailedError);
      assert.equal(lines.length, 1, 'one line for the state, not one per start');
      // The file appears: the next start succeeds, says so once, and reads are answered again.
      created = connect({ url: missing });
      await sql`CREATE TABLE t (x INTEGER)`.execute(created.db);
      await until('the reader started', () => lines.length === 2);
      assert.match(lines[1] ?? '', /started after [23] failed starts/);
      assert.deepEqual((await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(reads.db)).rows, [{ n: 0 }]);
    } finally {
      await reads.close();
      await created?.close();
    }
  });

  it('a reader process that dies mid-read fails that read only; the next one is answered', async () => {
    const reads = new HeavyReads(file, { timeoutMs: 60_000 });
    try {
      await reads.whenReady();
      const [pid = 0] = reads.pids;
      const slow = SLOW.execute(reads.db);
      // What the operating system's out-of-memory killer would do.
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.kill(pid, 'SIGKILL');
      await assert.rejects(slow, (err: Error) => err instanceof HeavyReadFailedError && /SIGKILL/.test(err.message));
      assert.equal(await count(reads.db), await count(db.db));
    } finally {
      await reads.close();
    }
  });
});
