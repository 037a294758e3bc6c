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
