import { sql } from 'kysely';
import type { Executor } from '@tierkit/db';

/** Polls of `pg_stat_activity` before a test gives up on a lock wait it expects: it fails, never spins on. */
const MAX_POLLS = 2000;

/** The PostgreSQL backend of a transaction, to ask later who waits for its locks. */
export async function backendPid(trx: Executor): Promise<number> {
  return (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]?.pid ?? 0;
}

/** How many statements wait for a lock `holder` (a backend pid) holds. */
async function waitingFor(db: Executor, holder: number): Promise<number> {
  return (
    (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND ${holder}::int = ANY(pg_blocking_pids(pid))`.execute(db)
    ).rows[0]?.n ?? 0
  );
}

const poll = () => new Promise((r) => setTimeout(r, 5));

/**
 * Until some statement waits for a lock `holder` (a backend pid) holds, so a test orders two
 * transactions by their locks rather than by sleeping. Throws after MAX_POLLS looks.
 */
export async function blockedBy(db: Executor, holder: number): Promise<void> {
  for (let i = 0; i < MAX_POLLS; i++) {
    if (await waitingFor(db, holder)) return;
    await poll();
  }
  throw new Error(`nothing waited for backend ${holder}'s locks`);
}

/** How many statements of this database wait for a lock, whoever holds it. */
async function waiting(db: Executor): Promise<number> {
  return (
    (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0`.execute(db)
    ).rows[0]?.n ?? 0
  );
}

/**
 * Until at least `count` statements of this database wait for locks, whoever holds them: for a second
 * transaction queued behind a first that itself waits for the test's (whose backend the test does not
 * know). Throws after MAX_POLLS looks.
 */
export async function lockWaits(db: Executor, count: number): Promise<void> {
  for (let i = 0; i < MAX_POLLS; i++) {
    if ((await waiting(db)) >= count) return;
    await poll();
  }
  throw new Error(`fewer than ${count} statements waited for a lock`);
}

/**
 * The answer of `call`, which must come while `holder` keeps its locks without waiting for any of
 * them: a refusal that needs nothing the holder holds. Throws as soon as something waits for them
 * instead (the call queued behind the holder, and awaiting it there would hang the test), or after
 * MAX_POLLS looks with no answer.
 */
export async function answeredWithoutWaiting<T>(db: Executor, holder: number, call: Promise<T>): Promise<T> {
  let settled = false;
  const answer = call.finally(() => {
    settled = true;
  });
  for (let i = 0; i < MAX_POLLS && !settled; i++) {
    if (await waitingFor(db, holder)) {
      // Its answer comes once the holder lets go; nobody will read it.
      answer.catch(() => {});
      throw new Error(`a statement waited for backend ${holder}'s locks instead of being answered`);
    }
    await poll();
  }
  if (!settled) {
    answer.catch(() => {});
    throw new Error('no answer, and nothing waited either');
  }
  return answer;
}

/**
 * Until `call` is answered or some statement waits for a lock `holder` holds, whichever comes first:
 * for a scenario that must go on while the call either is done or queued behind the holder (a
 * deadlock needs it queued; a fix may leave it nothing to wait for). Throws after MAX_POLLS looks.
 */
export async function answeredOrBlockedBy(db: Executor, holder: number, call: Promise<unknown>): Promise<void> {
  let settled = false;
  void call.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < MAX_POLLS; i++) {
    if (settled || (await waitingFor(db, holder))) return;
    await poll();
  }
  throw new Error(`no answer, and nothing waited for backend ${holder}'s locks`);
}
