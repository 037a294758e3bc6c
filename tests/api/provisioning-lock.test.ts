/*
 * Servers started together on one PostgreSQL database: the second waits for the first one's start-up
 * provisioning (a demo seed takes minutes), however long that takes next to a request's statement timeout.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { connect, migrateToLatest } from '@tierkit/db';
import { provisionOnce } from '@tierkit/ops';
import { sql } from 'kysely';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let pg: TestPostgres;
let url = '';

before(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase(`tierkit_provision_${process.pid}`, { migrated: true });
  const db = connect({ url });
  await migrateToLatest(db.db);
  await db.close();
});
after(() => pg.stop());

it('a second server waits for the first one’s provisioning however long it runs past a request’s statement timeout', {
  timeout: 60_000,
}, async () => {
  // 300 ms stands in for a request's 10 s; the first server's seed takes longer than that, in one statement.
  const env = { TIERKIT_PG_STATEMENT_TIMEOUT_MS: '300' };
  const requests = connect({ url, statementTimeoutMs: 300 });
  const order: string[] = [];
  let firstHolds: () => void = () => undefined;
  const holding = new Promise<void>((resolve) => {
    firstHolds = resolve;
  });
  try {
    const first = provisionOnce(
      requests,
      url,
      'bank-a',
      async (locked) => {
        firstHolds();
        await sql`SELECT pg_sleep(1.5)`.execute(locked.db);
        order.push('first seeded');
      },
      undefined,
      env,
    );
    await holding;
    let waited = false;
    const second = provisionOnce(
      requests,
      url,
      'bank-a',
      async () => {
        order.push('second found it done');
      },
      () => {
        waited = true;
      },
      env,
    );
    await Promise.all([first, second]);
    assert.ok(waited, 'the second was told it waits');
    assert.deepEqual(order, ['first seeded', 'second found it done']);
  } finally {
    await requests.close();
  }
});
