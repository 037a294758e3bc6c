// Which tenants a server's start seeds: the demo tenant it made itself — also when the first start was
// stopped before its seed committed — and never a tenant someone else set up.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { provisionTenant } from '@tierkit/api';
import { claimSeedRun, findSeedRun, type Db } from '@tierkit/db';
import { openDatabase, seedIfNeeded } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-seed-if-needed-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = async (): Promise<Db> => openDatabase(join(dir, `db-${++n}.sqlite`), () => undefined);
const subjects = async (db: Db, tenant: string) =>
  Number(
    (
      await db.db
        .selectFrom('subjects')
        .select((e) => e.fn.countAll().as('n'))
        .where('tenant_id', '=', tenant)
        .executeTakeFirst()
    )?.n,
  );

it('seeds the demo tenant on the start after one stopped mid-seed', async () => {
  const db = await fresh();
  try {
    // What a first start leaves when stopped between creating the tenant and committing the seed.
    await provisionTenant(db.db, { id: 'demo', name: 'Demo Bank' });
    await claimSeedRun(db.db, { tenantId: 'demo', seed: 1 });
    assert.equal(await findSeedRun(db.db, 'demo'), undefined, 'a claim is not a finished seed');
    const lines: string[] = [];
    await seedIfNeeded(db, { tenant: 'demo', customers: 20 }, (l) => lines.push(l));
    assert.ok((await subjects(db, 'demo')) > 20, lines.join('\n'));
    assert.ok(await findSeedRun(db.db, 'demo'));
  } finally {
    await db.close();
  }
});

it('leaves a tenant someone else set up without demo data', async () => {
  const db = await fresh();
  try {
    await provisionTenant(db.db, { id: 'acme', name: 'Acme Bank' });
    const lines: string[] = [];
    await seedIfNeeded(db, { tenant: 'acme', customers: 20 }, (l) => lines.push(l));
    assert.equal(await subjects(db, 'acme'), 0);
    assert.match(lines.join('\n'), /tenant "acme" was set up without demo data/);
  } finally {
    await db.close();
  }
});

it("seeds no demo tenant beside a bank's tenant unless TIERKIT_SEED_DEMO=on, never with off, and an empty database as before", async () => {
  const db = await fresh();
  try {
    await provisionTenant(db.db, { id: 'cmb', name: 'CMB' });
    const lines: string[] = [];
    await seedIfNeeded(db, { tenant: 'demo', customers: 20 }, (l) => lines.push(l));
    assert.equal(await subjects(db, 'demo'), 0);
    assert.deepEqual(lines, [
      `seed: not seeding demo tenant "demo": the database already holds 1 tenant(s) not made by the demo seeder (set TIERKIT_TENANT to the bank's tenant, or TIERKIT_SEED_DEMO=on to seed the demo beside them)`,
    ]);
    await seedIfNeeded(db, { tenant: 'demo', customers: 20, seedDemo: false }, () => undefined);
    assert.equal(await subjects(db, 'demo'), 0, 'off: never');
    await seedIfNeeded(db, { tenant: 'demo', customers: 20, seedDemo: true }, () => undefined);
    assert.ok((await subjects(db, 'demo')) > 20, 'on: asked for');
  } finally {
    await db.close();
  }
  const empty = await fresh();
  try {
    await seedIfNeeded(empty, { tenant: 'demo', customers: 20 }, () => undefined);
    assert.ok((await subjects(empty, 'demo')) > 20, 'an empty database is seeded as on a first npm start');
  } finally {
    await empty.close();
  }
});
