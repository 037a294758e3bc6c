import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MIN_SHARE, ShareBalance } from './share-balance.js';

it('the thread takes less (steps of SHARE_STEP, 0.02) after the writer waited for it, more after it sat idle, within its bounds', () => {
  const b = new ShareBalance(0.8);
  b.observe(3.5);
  assert.equal(b.share, 0.78, 'the writer waited: it takes more');
  b.observe(-0.2);
  b.observe(-7);
  assert.equal(b.share, 0.82, 'the thread sat idle twice: it takes more');
  b.observe(0);
  assert.equal(b.share, 0.82, 'neither waited: no move');
  for (let i = 0; i < 100; i++) b.observe(-1);
  assert.equal(b.share, 1);
  for (let i = 0; i < 100; i++) b.observe(1);
  assert.equal(b.share, MIN_SHARE);
  // Many small steps each way leave no drift of binary fractions behind.
  const c = new ShareBalance(0.7);
  for (let i = 0; i < 7; i++) c.observe(-1);
  for (let i = 0; i < 7; i++) c.observe(1);
  assert.equal(c.share, 0.7);
});
