// An operations team deploying on PostgreSQL starts its API servers together on a new database, as an
// orchestrator does: every one of them must come up, and the demo tenant is seeded once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey, provisionTenant } from '@tierkit/api';
import { connect, migrateToLatest } from '@tierkit/db';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { fetchAsBank, startServer, type RunningServer } from './support/server.js';

let pg: TestPostgres | undefined;
let url = '';
let bankUrl = '';
const servers: RunningServer[] = [];
before(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase('e2e_two_servers');
  bankUrl = await pg.createDatabase('e2e_bank_tenant', { migrated: true });
});
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await pg?.stop();
});

describe('two servers on one new PostgreSQL database', () => {
  it('both start, the tenant is seeded once, and both serve it', async () => {
    // No demo key file: it would be written to the repository's ./data.
    const env = { DATABASE_URL: url, DEMO_CUSTOMERS: '20', DEMO_TOKENS: 'off' };
    const started = await Promise.allSettled([startServer(env), startServer(env)]);
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    for (const s of started) assert.equal(s.status, 'fulfilled', s.status === 'rejected' ? String(s.reason) : '');
    for (const s of servers) {
      const res = await fetchAsBank(`${s.url}/v1/subjects/C000001/tiers`);
      assert.equal(res.status, 200, s.output());
    }
    const db = connect({ url });
    try {
      const runs = await db.db.selectFrom('seed_runs').selectAll().execute();
      assert.equal(runs.length, 1);
      const keys = await db.db.selectFrom('api_keys').select('id').where('label', '=', 'TIERKIT_ADMIN_KEY').execute();
      assert.equal(keys.length, 1, 'one admin key, made once');
    } finally {
      await db.close();
    }
  });
});

describe("a server serving a bank's own tenant", () => {
  it('never seeds demo customers or demo staff into a tenant set up with tierkit tenants create', async () => {
    const db = connect({ url: bankUrl });
    let secret = '';
    try {
      await migrateToLatest(db.db);
      // What `tierkit tenants create acme` and `keys create` do: a bank from nothing.
      await provisionTenant(db.db, { id: 'acme', name: 'Acme Bank' });
      secret = (await createApiKey(db.db, { tenantId: 'acme', role: 'admin', label: 'ops' })).secret;
    } finally {
      await db.close();
    }
    const server = await startServer({ DATABASE_URL: bankUrl, TIERKIT_TENANT: 'acme', DEMO_CUSTOMERS: '20', DEMO_TOKENS: 'off' });
    servers.push(server);
    assert.match(server.output(), /tenant "acme" was set up without demo data/);
    const res = await fetch(`${server.url}/v1/subjects`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { items: [], nextCursor: null }, 'no demo subjects');
    const after = connect({ url: bankUrl });
    try {
      assert.deepEqual(await after.db.selectFrom('staff').select('id').where('tenant_id', '=', 'acme').execute(), [], 'no demo staff');
      assert.deepEqual(await after.db.selectFrom('seed_runs').selectAll().execute(), []);
    } finally {
      await after.close();
    }
  });
});

describe('a server that cannot start', () => {
  it('says why in one line and exits 1 when it cannot log in to PostgreSQL', async () => {
    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    await assert.rejects(startServer({ DATABASE_URL: wrong.toString(), DEMO_TOKENS: 'off' }), (error: Error) => {
      assert.match(error.message, /server exited with 1 /);
      assert.match(error.message, /tierkit server: cannot start: cannot connect to the database: password authentication failed/);
      assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');
      return true;
    });
  });
});
