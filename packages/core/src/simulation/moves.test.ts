import assert from 'node:assert/strict';
import { it } from 'node:test';
import { simulationMoves } from '../index.js';

const rank = new Map([
  ['standard', 0],
  ['gold', 1],
  ['platinum', 2],
]);

it('sorts cells into up, down, first levels and unchanged, each subject once', () => {
  const m = simulationMoves(
    [
      { from: 'none', to: 'gold', count: 4 },
      { from: 'standard', to: 'gold', count: 3 },
      { from: 'platinum', to: 'gold', count: 2 },
      { from: 'gold', to: 'gold', count: 5 },
      // A level the draft removed: ranked lowest, so a move down from gold.
      { from: 'gold', to: 'retired', count: 1 },
    ],
    rank,
  );
  assert.deepEqual(m, { total: 15, upgraded: 3, downgraded: 3, assigned: 4, unchanged: 5 });
});

it('no cells: all zero', () => {
  assert.deepEqual(simulationMoves([], rank), { total: 0, upgraded: 0, downgraded: 0, assigned: 0, unchanged: 0 });
});
