import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SeenObservations } from './seen-observations.js';

it('holds each observation first given, across the table doubling, and lists them back as given', () => {
  const seen = new SeenObservations(100_000);
  const months = ['0001-01', '1999-12', '2025-01', '2025-12', '9999-12'];
  const given = new Map<string, { value: number; line: number }>();
  let line = 2;
  // Far more than the first table's 4,096 slots: several doublings, and keys of dense subject indexes.
  for (let s = 0; s < 5000; s++)
    for (const [m, period] of months.entries()) {
      const metric = m % 2 ? 'avg_daily_balance' : 'transaction_count';
      const value = s % 7 === 0 ? -(10 ** 14) + s : s * 10 + m;
      assert.equal(seen.add(`subj-${s}`, metric, period, value, line), true);
      // A second value for the same key is not held: the first stays.
      assert.equal(seen.add(`subj-${s}`, metric, period, value + 1, line + 1), true);
      given.set(`subj-${s}|${metric}|${period}`, { value, line });
      line += 2;
    }
  assert.equal(seen.size, 25_000);
  assert.deepEqual(seen.get('subj-4999', 'avg_daily_balance', '1999-12'), given.get('subj-4999|avg_daily_balance|1999-12'));
  assert.equal(seen.get('subj-4999', 'avg_daily_balance', '2025-01'), undefined);
  assert.equal(seen.get('subj-5000', 'transaction_count', '0001-01'), undefined);
  const listed = new Map([...seen.entries()].map((o) => [`${o.subjectId}|${o.metric}|${o.period}`, { value: o.value, line: o.line }]));
  assert.deepEqual(listed, given);
});

it('refuses past its bound, holding nothing new, and tells beforehand whether a batch fits', () => {
  const seen = new SeenObservations(3);
  for (const p of ['2025-01', '2025-02', '2025-03']) assert.equal(seen.add('a', 'm', p, 1, 2), true);
  assert.equal(seen.fits(0, new Set(['a']), new Set(['m'])), true);
  assert.equal(seen.fits(1, new Set(['a']), new Set(['m'])), false);
  assert.equal(seen.add('a', 'm', '2025-04', 1, 3), false);
  assert.equal(seen.add('a', 'm', '2025-01', 9, 4), true);
  assert.deepEqual([seen.size, seen.get('a', 'm', '2025-04'), seen.get('a', 'm', '2025-01')], [3, undefined, { value: 1, line: 2 }]);
});
