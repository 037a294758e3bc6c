import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MonthKeys, monthsBack } from './months.js';

it('month keys answer for any month asked, alternating or many, as monthsBack does', () => {
  const keys = new MonthKeys(3);
  // A monthly re-tier asks for the stored month, then the new one, subject after subject.
  for (let i = 0; i < 4; i++) {
    assert.deepEqual(keys.get('2025-10'), ['2025-10', '2025-09', '2025-08']);
    assert.deepEqual(keys.get('2025-11'), ['2025-11', '2025-10', '2025-09']);
  }
  assert.equal(keys.get('2025-11'), keys.get('2025-11'), 'kept, not built again');
  // More months than it holds: it starts over and still answers each right.
  const months = monthsBack('2026-12', 40);
  for (const m of [...months, ...months]) assert.deepEqual(keys.get(m), monthsBack(m, 3));
  assert.deepEqual(new MonthKeys(0).get('2025-01'), ['2025-01'], 'at least the month itself');
});
