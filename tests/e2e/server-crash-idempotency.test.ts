// Several API servers behind a load balancer on one PostgreSQL: one is killed (kill -9, an OOM kill, a
// lost host) in the middle of a POST. The client retries the same request with the same
// Idempotency-Key and the balancer sends it to another server. That retry must be answered within
// about the reservation's lease (15 s), not refused for minutes, and the POST must run once.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { connect, type Db } from '@tierkit/db';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { ADMIN_KEY, startServer, type RunningServer } from './support/server.js';

let pg: TestPostgres | undefined;
let db: Db | undefined;
const servers: RunningServer[] = [];
before(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase('e2e_crash_idempotency');
  const env = { DATABASE_URL: url, DEMO_CUSTOMERS: '20', DEMO_TOKENS: 'off' };
  // One after the other: the first provisions the tenant.
  servers.push(await startServer(env));
  servers.push(await startServer(env));
  db = connect({ url, onConnectionLost: () => undefined });
});
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await db?.close();
  await pg?.stop();
});

const KEY = 'crash-retry-0001';
const mint = (server: RunningServer) =>
  fetch(`${server.url}/v1/embed-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'idempotency-key': KEY },
    body: JSON.stringify({ subject: 'C000001', ttlSeconds: 300 }),
  });

it('a POST whose server was killed mid-request is run once by a retry to another server, after the lease lapses', {
  timeout: 180_000,
}, async () => {
  const [doomed, survivor] = servers as [RunningServer, RunningServer];
  const intents = async () =>
    Number(
      (
        await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM audit_records WHERE route = '/v1/embed-tokens' AND phase = 'intent'`.execute(db!.db)
      ).rows[0]?.n,
    );
  const ranBefore = await intents();
  // Hold the audit trail's head row, so the first POST stops right after it reserved its key.
  const holding = db!.db.transaction().execute(async (trx) => {
    await sql`SELECT seq FROM audit_heads FOR UPDATE`.execute(trx);
    const first = mint(doomed).catch(() => undefined);
    let reserved = false;
    for (let i = 0; i < 400 && !reserved; i++) {
      reserved =
        (await db!.db.selectFrom('idempotency_keys').select('key').where('key', '=', KEY).where('status', 'is', null).execute()).length > 0;
      if (!reserved) await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(reserved, 'the first POST reserved its key and is running');
    await doomed.kill();
    await first;
  });
  await holding;

  // What a client does with 409 idempotency-key-in-use: wait Retry-After seconds and send it again.
  let answer: Response | undefined;
  const refusals: string[] = [];
  for (let attempt = 0; attempt < 120; attempt++) {
    const res = await mint(survivor);
    if (res.status !== 409) {
      answer = res;
      break;
    }
    refusals.push(((await res.json()) as { type: string }).type);
    await new Promise((r) => setTimeout(r, Number(res.headers.get('Retry-After') ?? '1') * 1000));
  }
  assert.ok(answer, `still refused after ${refusals.length} tries`);
  assert.equal(answer.status, 201, await answer.clone().text());
  assert.equal(answer.headers.get('Idempotent-Replayed'), null, 'run by the retry, not replayed');
  for (const type of refusals) assert.match(type, /idempotency-key-in-use$/);
  assert.equal(await intents(), ranBefore + 1, 'the POST ran once');
  const again = await mint(survivor);
  assert.equal(again.headers.get('Idempotent-Replayed'), 'true', 'and from now on is replayed');
});
