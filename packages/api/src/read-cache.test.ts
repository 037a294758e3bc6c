import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ReadCache } from './read-cache.js';

const NOW = 1_000_000;
/** A body of `bytes` bytes of JSON that holds until `until`. */
const body = (bytes: number, until: number) => async () => ({ json: JSON.stringify('x'.repeat(bytes - 2)), until });

it('a body built already past its `until` is never kept, so it pushes out no body that still holds', async () => {
  // Room for one 1,000-byte body and its key, not two.
  const cache = new ReadCache(1_500);
  for (let i = 0; i < 2; i++) await cache.build('live', NOW, body(1_000, Number.POSITIVE_INFINITY));
  assert.ok(cache.kept('live', NOW), 'a body asked for twice that holds is kept');
  // A read built unsettled holds until its own instant: asked for twice, it would have replaced the live one.
  for (let i = 0; i < 2; i++) await cache.build('dead', NOW, body(1_000, NOW));
  assert.ok(cache.kept('live', NOW), 'the body that holds is still kept');
  assert.equal(cache.kept('dead', NOW - 1), undefined, 'nothing was kept of the one that no longer held');
});

it('a body that holds past the read is kept until then, not after', async () => {
  const cache = new ReadCache();
  for (let i = 0; i < 2; i++) await cache.build('k', NOW, body(100, NOW + 1));
  assert.ok(cache.kept('k', NOW));
  assert.equal(cache.kept('k', NOW + 1), undefined);
});
