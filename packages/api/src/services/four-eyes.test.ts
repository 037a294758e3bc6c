import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProblemError } from '../problem.js';
import { canonicalJson, contentHash, requireDistinctApprover, requireSameContent } from './four-eyes.js';

test('the same content hashes the same whatever the key order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
  assert.equal(contentHash({ level: 'gold', mode: 'fixed' }), contentHash({ mode: 'fixed', level: 'gold' }));
  assert.notEqual(contentHash({ levels: ['a', 'b'] }), contentHash({ levels: ['b', 'a'] }));
  assert.match(contentHash({}), /^sha256:[0-9a-f]{64}$/);
});

test('a requester may not approve their own request, and an approval binds to its content', () => {
  assert.throws(
    () => requireDistinctApprover('key:k1', 'key:k1'),
    (e) => e instanceof ProblemError && e.kind === 'four-eyes',
  );
  requireDistinctApprover('key:k1', 'key:k2');
  const hash = contentHash({ level: 'gold' });
  requireSameContent(hash, hash);
  assert.throws(
    () => requireSameContent(hash, contentHash({ level: 'platinum' })),
    (e) => e instanceof ProblemError && e.kind === 'content-changed',
  );
});
