import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ErasureMatcher } from './erasure-match.js';

it('builds a matcher for 200,000 numbers (a window far past the stack a spread of them as arguments takes)', () => {
  const numbers = Array.from({ length: 200_000 }, (_, i) => `C${String(i).padStart(7, '0')}`);
  const matcher = new ErasureMatcher({ numbers, names: [] });
  assert.deepEqual([...matcher.numbersQuoted('{"samples":["C0199999","X1","C00000001"]}')], ['C0199999']);
});
