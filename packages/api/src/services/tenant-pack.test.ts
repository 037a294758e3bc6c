import assert from 'node:assert/strict';
import { it } from 'node:test';
import { connect, migrateToLatest } from '@tierkit/db';
import { provisionTenant } from './provision.js';
import { TenantPacks } from './tenant-pack.js';

it('the active policy set is asked for at most once per check interval; a change shows after it', async () => {
  const { db, close } = connect({ url: ':memory:' });
  try {
    await migrateToLatest(db);
    await provisionTenant(db, { id: 't1', name: 'T1' });
    let clock = 0;
    const packs = new TenantPacks(1000, () => clock);
    const first = await packs.get(db, 't1');
    const retired = first.pack.schemes.at(-1)?.key ?? '';
    assert.ok(retired, 'the default pack has schemes');
    await db.updateTable('policies').set({ status: 'retired' }).where('tenant_id', '=', 't1').where('scheme', '=', retired).execute();
    clock = 999;
    assert.equal(await packs.get(db, 't1'), first, 'within the interval: the compiled pack as it was');
    clock = 1000;
    const second = await packs.get(db, 't1');
    assert.notEqual(second, first, 'after it: the new set is compiled');
    assert.ok(!second.schemes.has(retired));
    clock = 5000;
    assert.equal(await packs.get(db, 't1'), second, 'checked again, unchanged: the same object');
  } finally {
    await close();
  }
});
