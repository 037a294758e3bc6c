import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp, listKeys, provisionTenant } from '@tierkit/api';
import type { Db } from '@tierkit/db';
import { allDialects } from '../../../tests/support/databases.js';
import { demoKeyPath, ensureDemoKeys } from './demo-key.js';

// What `npm start` hands a portal team to copy: an embedder key that mints, and does nothing else, beside
// the viewer key of the first curl; never an officer key on what becomes an internet-facing backend.
for (const harness of allDialects()) {
  describe(`the demo's keys [${harness.dialect}]`, () => {
    let db: Db;
    const dir = mkdtempSync(join(tmpdir(), 'tierkit-demo-keys-'));
    const settings = { tenant: 'demo', databaseUrl: join(dir, 'tierkit.db'), demoTokens: true };
    const lines: string[] = [];
    before(async () => {
      db = await harness.open();
      await provisionTenant(db.db, { id: 'demo', name: 'demo' });
    });
    after(async () => {
      await harness.stopAll();
      rmSync(dir, { recursive: true, force: true });
    });

    it('writes a viewer key and an embedder key once; the embedder key mints and is refused a customer read', async () => {
      const keys = await ensureDemoKeys(db, settings, dir, (l) => lines.push(l));
      assert.ok(keys.viewer && keys.embedder);
      assert.equal(readFileSync(demoKeyPath(settings, dir, 'embedder'), 'utf8').trim(), keys.embedder);
      assert.equal(readFileSync(demoKeyPath(settings, dir), 'utf8').trim(), keys.viewer);
      assert.deepEqual(await ensureDemoKeys(db, settings, dir, () => undefined), keys, 'kept, not made again');
      assert.deepEqual((await listKeys(db.db, 'demo')).map((k) => [k.role, k.label]).sort(), [
        ['embedder', 'demo embedder'],
        ['viewer', 'demo viewer'],
      ]);

      const app = createApp({ db: db.db, logError: () => undefined });
      const admin = (await createApiKey(db.db, { tenantId: 'demo', role: 'admin', label: 'setup' })).secret;
      const call = (secret: string, method: string, path: string, body?: unknown) =>
        app.request(path, {
          method,
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      assert.equal((await call(admin, 'PUT', '/v1/subjects/C000003', { kind: 'customer', displayName: '张三' })).status, 201);
      const minted = await call(keys.embedder, 'POST', '/v1/embed-tokens', { subject: 'C000003', origins: ['http://localhost:5173'] });
      assert.equal(minted.status, 201, await minted.clone().text());
      const read = await call(keys.embedder, 'GET', '/v1/subjects/C000003/tiers');
      assert.equal(read.status, 403);
      assert.match(((await read.json()) as { type: string }).type, /\/embedder-key$/);
    });

    it('writes none with demo tokens off', async () => {
      assert.deepEqual(await ensureDemoKeys(db, { ...settings, demoTokens: false }, dir, () => undefined), {});
    });
  });
}
