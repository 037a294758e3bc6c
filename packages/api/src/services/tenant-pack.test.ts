import assert from 'node:assert/strict';
import { it } from 'node:test';
import { connect, migrateToLatest } from '@tierkit/db';
import { provisionTenant } from './provision.js';
import type { PolicyVersion } from '@tierkit/db';
import { TenantPacks, versionsInForce } from './tenant-pack.js';

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

it('peek answers from memory only while the last check holds: never before a get, and not once the interval has passed', async () => {
  const { db, close } = connect({ url: ':memory:' });
  try {
    await migrateToLatest(db);
    await provisionTenant(db, { id: 't1', name: 'T1' });
    let clock = 0;
    const packs = new TenantPacks(1000, () => clock);
    const period = '2025-10';
    assert.equal(packs.peek('t1', period), undefined, 'nothing checked yet: the fast path must ask get');
    const first = await packs.get(db, 't1', period);
    clock = 999;
    assert.equal(packs.peek('t1', period), first, 'within the interval: the pack get gave');
    // Retired by another process: only a get after the interval can see it, so peek must stop answering then.
    const retired = first.pack.schemes.at(-1)?.key ?? '';
    await db.updateTable('policies').set({ status: 'retired' }).where('tenant_id', '=', 't1').where('scheme', '=', retired).execute();
    clock = 1000;
    assert.equal(packs.peek('t1', period), undefined, 'past the interval: the fast path takes get, which checks again');
    const second = await packs.get(db, 't1', period);
    assert.ok(!second.schemes.has(retired));
    assert.equal(packs.peek('t1', period), second);
    packs.invalidate('t1');
    assert.equal(packs.peek('t1', period), undefined, 'invalidated (a version approved here): get reads it again');
  } finally {
    await close();
  }
});

it('the version in force for a month is the latest approved on or before its first day; provisioned ones cover every earlier month', () => {
  const v = (version: number, effectiveFrom: string, decidedAt: string | null = '2025-01-01T00:00:00Z') =>
    ({ id: `s:v${version}`, scheme: 's', version, status: 'active', document: {}, effectiveFrom, decidedAt }) as unknown as PolicyVersion;
  const provisioned = v(1, '2025-06-15T08:00:00.000Z', null);
  const january = v(2, '2027-01-01');
  const midDecember = v(3, '2026-12-15');
  const inForce = (period: string, list: PolicyVersion[]) => versionsInForce(list, period).map((x) => x.version);
  assert.deepEqual(inForce('2020-01', [provisioned, january]), [1], 'provisioned: from the beginning, even before it was stored');
  assert.deepEqual(inForce('2026-12', [provisioned, january]), [1], 'January’s version does not judge December');
  assert.deepEqual(inForce('2027-01', [provisioned, january]), [2]);
  assert.deepEqual(inForce('2026-12', [provisioned, midDecember]), [1], 'a mid-month date first judges the next month');
  assert.deepEqual(inForce('2027-01', [provisioned, midDecember]), [3]);
  assert.deepEqual(inForce('2026-11', [january]), [], 'an approved version decides nothing before its date');
});
