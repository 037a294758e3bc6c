// What a bank's platform operator reproduced on a real deployment: a mistyped DATABASE_URL, a bank's
// own tenant started on loopback without DEMO_TOKENS=off, a start without TIERKIT_TENANT on a database
// that holds a bank's tenant. Each start is the real server (apps/server) as `npm start` runs it.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { provisionTenant } from '@tierkit/api';
import { connect, insertSubjects, MIGRATIONS, migrateToLatest } from '@tierkit/db';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { fetchAsBank, startServer, tempDataDir, type RunningServer } from './support/server.js';

const root = new URL('../..', import.meta.url).pathname;
let pg: TestPostgres | undefined;
const servers: RunningServer[] = [];
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await pg?.stop();
});

describe('a mistyped DATABASE_URL', () => {
  it('stops the start with one line, the password masked, and makes no SQLite file of that name', async () => {
    // One slash: not a PostgreSQL URL, and no SQLite path either.
    const mistyped = 'postgresql:/postgres:opspw@127.0.0.1:8815/tierkit';
    try {
      await assert.rejects(startServer({ DATABASE_URL: mistyped, DEMO_CUSTOMERS: '20', TIERKIT_TENANT: 'cmb' }), (error: Error) => {
        assert.match(error.message, /server exited with 1 /);
        assert.match(error.message, /tierkit server: cannot start: DATABASE_URL must be postgres:\/\/… or postgresql:\/\/…/);
        assert.match(error.message, /"postgresql:\/\*\*\*@127\.0\.0\.1:8815\/tierkit"/);
        assert.doesNotMatch(error.message, /opspw/, 'the password is never shown');
        assert.doesNotMatch(error.message, /seed:/, 'nothing seeded');
        return true;
      });
      assert.equal(existsSync(join(root, 'postgresql:')), false, 'no SQLite file made at the mistyped path');
    } finally {
      rmSync(join(root, 'postgresql:'), { recursive: true, force: true });
    }
  });
});

/** A database holding what `tierkit tenants create cmb` and a first import leave: a bank's tenant, one real customer. */
async function bankDatabase(url: string): Promise<void> {
  const db = connect({ url });
  try {
    await migrateToLatest(db.db);
    await provisionTenant(db.db, { id: 'cmb', name: 'China Merchants Bank' });
    await insertSubjects(
      db.db,
      'cmb',
      [{ id: 'cmb-B000001', externalId: 'B000001', kind: 'individual', displayName: '王五', attributes: {} }],
      new Date().toISOString(),
    );
  } finally {
    await db.close();
  }
}

async function tenantsAndDemoKeys(url: string): Promise<{ tenants: string[]; demoKeys: string[]; seeded: number }> {
  const db = connect({ url });
  try {
    const tenants = (await db.db.selectFrom('tenants').select('id').orderBy('id').execute()).map((t) => t.id);
    const demoKeys = (await db.db.selectFrom('api_keys').select(['tenant_id', 'label']).where('label', 'like', 'demo %').execute()).map(
      (k) => `${k.tenant_id}:${k.label}`,
    );
    const seeded = (await db.db.selectFrom('seed_runs').select('tenant_id').execute()).length;
    return { tenants, demoKeys, seeded };
  } finally {
    await db.close();
  }
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`a bank's own tenant on a server left in its defaults [${dialect}]`, () => {
    let url = '';
    before(async () => {
      url = dialect === 'sqlite' ? join(tempDataDir(), 'tierkit.db') : await (pg as TestPostgres).createDatabase('e2e_ops_safety');
      await bankDatabase(url);
    });

    it('TIERKIT_TENANT=cmb on loopback without DEMO_TOKENS=off: no demo keys in cmb, no secret printed, no demo token for its customer', async () => {
      const server = await startServer({ DATABASE_URL: url, TIERKIT_TENANT: 'cmb', DEMO_CUSTOMERS: '20' });
      servers.push(server);
      const log = server.output();
      assert.match(log, /demo: tenant "cmb" is not a demo tenant this server seeded: no demo keys, no \/demo\/ tokens/);
      assert.doesNotMatch(log, /auth: demo (viewer|embedder) key/);
      assert.doesNotMatch(log, /Bearer tk_/, 'no secret in the log');
      assert.match(log, /demo tokens\s+off/);
      for (const path of ['/demo/embed-token?subject=B000001', '/demo/rm-token', '/demo/staff-token?as=admin']) {
        const res = await fetch(`${server.url}${path}`);
        assert.equal(res.status, 404, path);
        assert.equal(((await res.json()) as { type: string }).type, 'https://tierkit.dev/problems/not-found');
      }
      // The bank's customer is served to the bank's own credential all the same.
      const listed = await fetchAsBank(`${server.url}/v1/subjects`);
      assert.equal(listed.status, 200);
      assert.deepEqual(
        ((await listed.json()) as { items: { id: string }[] }).items.map((s) => s.id),
        ['B000001'],
      );
      await server.stop();
      assert.deepEqual((await tenantsAndDemoKeys(url)).demoKeys, [], 'no demo key made in any tenant');
    });

    it('without TIERKIT_TENANT: no demo tenant seeded beside the bank, and one line says why', async () => {
      const server = await startServer({ DATABASE_URL: url, DEMO_CUSTOMERS: '20', TIERKIT_ADMIN_KEY: '' });
      servers.push(server);
      assert.match(
        server.output(),
        /seed: not seeding demo tenant "demo": the database already holds 1 tenant\(s\) not made by the demo seeder .*TIERKIT_SEED_DEMO=on/,
      );
      // /healthz tells an operator which build answers on which schema, and nothing of the tenants.
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>;
      // The queue's health is counts and ages only (docs/operations.md): no job here, so all empty.
      assert.deepEqual(health, {
        status: 'ok',
        version: '0.1.0',
        schema: Object.keys(MIGRATIONS).sort().at(-1),
        jobs: { waitingChunks: 0, oldestWaitingSeconds: null, leasedChunks: 0, lastChunkDoneSeconds: null, stalled: false },
      });
      await server.stop();
      assert.deepEqual(await tenantsAndDemoKeys(url), { tenants: ['cmb'], demoKeys: [], seeded: 0 });
    });
  });
}
