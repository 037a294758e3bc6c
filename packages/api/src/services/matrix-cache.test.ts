import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TenantResultCache } from './matrix-cache.js';

it('concurrent requests share one load; results live for the TTL; invalidation is per tenant', async () => {
  let clock = 0;
  const cache = new TenantResultCache<number>(5000, () => clock);
  let loads = 0;
  const load = async () => ++loads;
  assert.deepEqual(await Promise.all(Array.from({ length: 50 }, () => cache.get('t1', 'm', load))), Array(50).fill(1));
  assert.equal(loads, 1);
  assert.equal(await cache.get('t2', 'm', load), 2, 'another tenant has its own result');
  clock = 4999;
  assert.equal(await cache.get('t1', 'm', load), 1);
  cache.invalidate('t1');
  assert.equal(await cache.get('t1', 'm', load), 3, 'a write drops the tenant’s results');
  assert.equal(await cache.get('t2', 'm', load), 2, 'and only that tenant’s');
  clock = 10_000;
  assert.equal(await cache.get('t2', 'm', load), 4, 'expired');
});

it('a failed load is not kept; a TTL of 0 turns sharing off', async () => {
  const cache = new TenantResultCache<number>(5000, () => 0);
  await assert.rejects(cache.get('t', 'm', () => Promise.reject(new Error('db down'))));
  assert.equal(await cache.get('t', 'm', async () => 7), 7);
  const off = new TenantResultCache<number>(0, () => 0);
  let n = 0;
  await off.get('t', 'm', async () => ++n);
  await off.get('t', 'm', async () => ++n);
  assert.equal(n, 2);
  // Still kept for a caller that checks it holds (the data version): not shared, not forgotten.
  assert.equal(off.settled('t', 'm'), 2);
});
