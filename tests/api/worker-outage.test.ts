import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { it } from 'node:test';
import { OUTAGE_BACKOFF_MS, runWorker, startMonthlySchedule } from '@tierkit/api';
import { connect } from '@tierkit/db';

/** A port that accepts each connection and cuts it at once, as a PostgreSQL shutting down does; counts them. */
async function cuttingPort(): Promise<{ server: Server; url: string; tries: () => number }> {
  let tries = 0;
  const server = createServer((s) => {
    tries++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `postgres://tierkit:secret@127.0.0.1:${port}/tierkit`, tries: () => tries };
}

/*
 * A `tierkit worker` whose PostgreSQL is down: it polled once a second regardless and logged every
 * failure (78 lines in 75 s). Each connection to the cutting port is one try of the worker.
 */
it('a worker whose database is unreachable says so once and backs off 1 s, 2 s, 4 s … instead of polling', {
  timeout: 30_000,
}, async () => {
  const { server, url, tries } = await cuttingPort();
  const db = connect({ url, onConnectionLost: () => undefined });
  const logged: unknown[] = [];
  const abort = new AbortController();
  const running = runWorker({ db: db.db, pollMs: 50, signal: abort.signal, logError: (e) => logged.push(e) });
  // 1 s + 2 s of backoff after the first try: three tries in 3.5 s (a 50 ms poll would make about 70).
  await new Promise((r) => setTimeout(r, OUTAGE_BACKOFF_MS.first * 3.5));
  abort.abort();
  await running;
  await db.close();
  server.close();
  assert.ok(tries() >= 2 && tries() <= 4, `tries: ${tries()}`);
  assert.equal(logged.length, 1, `logged: ${logged.map(String).join(' | ')}`);
  assert.match(String(logged[0]), /^database unreachable \(retrying every 5 s\): /);
});

it('the monthly schedule whose database is unreachable says so once, not a stack at every tick', { timeout: 30_000 }, async () => {
  const { server, url, tries } = await cuttingPort();
  const db = connect({ url, onConnectionLost: () => undefined });
  const logged: unknown[] = [];
  const schedule = startMonthlySchedule({
    db: db.db,
    timeZone: 'Asia/Shanghai',
    intervalMs: 50,
    logError: (e) => logged.push(e),
    log: () => undefined,
  });
  await new Promise((r) => setTimeout(r, 1000));
  schedule.stop();
  await db.close();
  server.close();
  assert.ok(tries() > 5, `the schedule kept ticking: ${tries()}`);
  assert.equal(logged.length, 1, `logged: ${logged.map(String).join(' | ')}`);
  assert.match(String(logged[0]), /^database unreachable \(retrying every 5 s\): /);
});
