// The read connection refused SQLITE_BUSY waits as the writer does (whenNotBusy in sqlite-driver.ts):
// between tries, the thread free, not asleep inside SQLite holding every request of the server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, it } from 'node:test';
import { sqliteFile } from '@tierkit/db';
import { sqliteHarness } from '../support/databases.js';

const harness = sqliteHarness();
after(() => harness.stopAll());

/**
 * Another process recovering the WAL index (what SQLite does after a writer died mid-commit): it holds
 * the index's write and recover locks while the index header is not yet valid, so a read meets
 * SQLITE_BUSY_RECOVERY. SQLite's API cannot hold those locks outside a recovery, so a Python child
 * takes them with fcntl as SQLite's unix VFS does (`python3` is needed). Resolves once the locks are
 * held, with a promise of their release (in an object: a promise resolved with a promise waits for it).
 */
async function recoveringElsewhere(file: string, holdMs: number): Promise<{ released: Promise<void> }> {
  const script = [
    'import fcntl, os, sys, time',
    'f = os.open(sys.argv[1], os.O_RDWR)',
    // WAL_WRITE_LOCK, WAL_CKPT_LOCK, WAL_RECOVER_LOCK and the read marks: bytes 120–127 of the -shm file.
    'fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 8, 120)',
    // The index header's two copies disagree: it must be rebuilt before anyone reads.
    "os.pwrite(f, b'\\xff' * 4, 0)",
    "print('held', flush=True)",
    'time.sleep(float(sys.argv[2]))',
  ].join('\n');
  const child = spawn('python3', ['-c', script, `${file}-shm`, String(holdMs / 1000)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ended = new Promise<void>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the locking child exited ${code}`)))),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the locking child exited ${code} before taking the locks`)));
  });
  return { released: ended };
}

it('a read while another process holds the WAL index waits for it with the thread free, then answers', async () => {
  const { db } = await harness.open();
  const file = await sqliteFile(db);
  assert.ok(file);
  {
    // A plain SELECT: the read connection's (sqlite-driver.ts).
    const read = () => db.selectFrom('tenants').select('id').execute();
    assert.deepEqual(await read(), []);
    const { released } = await recoveringElsewhere(file, 600);
    const started = Date.now();
    let tickedAt: number | undefined;
    const tick = setTimeout(() => {
      tickedAt = Date.now();
    }, 50);
    const row = await read();
    const answeredAt = Date.now();
    clearTimeout(tick);
    await released;
    assert.deepEqual(row, [], 'answered once the index was free, not refused');
    assert.ok(answeredAt - started >= 400, `the read waited for the locks (${answeredAt - started} ms)`);
    // SQLite's busy_timeout slept inside the call with the thread held: no timer ran, no other request.
    assert.ok(
      tickedAt !== undefined && tickedAt < answeredAt - 200,
      `the thread went on while the read waited (tick ${tickedAt === undefined ? 'never' : tickedAt - started} ms, answer ${answeredAt - started} ms)`,
    );
  }
});
