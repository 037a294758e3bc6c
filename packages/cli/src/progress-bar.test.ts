import assert from 'node:assert/strict';
import { it } from 'node:test';
import { etaText } from './progress-bar.js';

it('a progress bar says no time left until it has a rate, then the time left at that rate', () => {
  // The first frame, before anything was done: cli-progress's own ETA read "NFs" there.
  assert.equal(etaText(0, 1000, 0), '—');
  assert.equal(etaText(0, 1000, 3), '—');
  assert.equal(etaText(10, 1000, 0), '—');
  assert.equal(etaText(500, 1000, 10), '10s');
  assert.equal(etaText(100, 1000, 20), '3m0s');
  assert.equal(etaText(10, 1000, 100), '2h45m');
  assert.equal(etaText(1000, 1000, 10), '0s');
});
