import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TokenBuckets } from './rate-limit.js';

it('a bucket gives its burst, then asks to wait, and refills at its rate', () => {
  const b = new TokenBuckets(3, 2, 100);
  assert.deepEqual([b.take('k', 0), b.take('k', 0), b.take('k', 0)], [0, 0, 0]);
  assert.equal(b.take('k', 0), 1, 'half a second to the next token, rounded up to whole seconds');
  assert.equal(b.take('k', 500), 0, 'two tokens a second');
  assert.equal(b.check('k', 500), 1, 'check does not take');
  assert.equal(b.take('k', 10_000) + b.take('k', 10_000) + b.take('k', 10_000), 0, 'refills up to the burst');
  assert.equal(b.take('k', 10_000), 1, 'and no further');
});

it('memory stays bounded: the least recently seen caller is forgotten first', () => {
  const b = new TokenBuckets(1, 1, 3);
  for (let i = 0; i < 1000; i++) b.take(`caller-${i}`, 0);
  assert.equal(b.size, 3);
  b.take('a', 0);
  b.take('b', 0);
  b.take('c', 0);
  b.take('a', 0); // a is seen again, so b is now the stalest
  b.take('d', 0);
  assert.equal(b.check('a', 0), 1, 'a is still tracked (empty)');
  assert.equal(b.check('b', 0), 0, 'b was forgotten');
});

it('refuses limits that cannot work', () => {
  assert.throws(() => new TokenBuckets(0, 1, 1), RangeError);
  assert.throws(() => new TokenBuckets(1, 0, 1), RangeError);
});
