import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sortableId } from './ids.js';

/* A re-tier chunk draws its thousand event ids at one instant: they must still sort as drawn and stay unique. */

describe('sortable ids', () => {
  it('sort in the order drawn at one instant and across instants, past a refill of the random pool, each unique', () => {
    const at = new Date('2026-12-06T04:00:00.000Z');
    const ids = [
      ...Array.from({ length: 2000 }, () => sortableId(at)),
      ...Array.from({ length: 10 }, () => sortableId(new Date(at.getTime() + 1))),
    ];
    for (const id of ids) assert.match(id, /^[0-9a-z]{13}[0-9a-f]{12}$/);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(new Set(ids.map((id) => id.slice(13))).size, ids.length, 'random tails repeat');
    assert.equal(ids[0]?.slice(0, 9), at.getTime().toString(36).padStart(9, '0'));
  });
});
