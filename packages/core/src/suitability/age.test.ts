import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ageOn, checkSuitability, civilDate, parseCivilDate } from '../index.js';

const day = (s: string) => {
  const d = parseCivilDate(s);
  assert.ok(d, s);
  return d;
};

describe("a customer's age for suitability", () => {
  it('reads only real days written YYYY-MM-DD', () => {
    assert.deepEqual(parseCivilDate('1960-02-29'), { year: 1960, month: 2, day: 29 });
    for (const bad of ['1961-02-29', '1960-13-01', '1960-00-10', '1960-2-3', '19600203', '1960-02-03T00:00', '', ' 1960-02-03'])
      assert.equal(parseCivilDate(bad), undefined, bad);
    assert.equal(civilDate(day('0999-01-05')), '0999-01-05');
  });

  it('counts full years, a year more on the birthday itself', () => {
    assert.equal(ageOn(day('1961-12-04'), day('2026-12-03')), 64);
    assert.equal(ageOn(day('1961-12-04'), day('2026-12-04')), 65);
    assert.equal(ageOn(day('1961-11-30'), day('2026-12-01')), 65);
    assert.equal(ageOn(day('1961-12-31'), day('2026-01-01')), 64);
  });

  it('someone born on 29 February turns a year older on 1 March in a common year', () => {
    assert.equal(ageOn(day('1960-02-29'), day('2025-02-28')), 64);
    assert.equal(ageOn(day('1960-02-29'), day('2025-03-01')), 65);
    assert.equal(ageOn(day('1960-02-29'), day('2024-02-29')), 64);
  });

  it('tells the adviser when age cannot be weighed, without blocking the sale', () => {
    const base = { product: 'R2', tolerance: 'C3', assessedAt: '2026-06-01T00:00:00Z', at: '2026-12-01T00:00:00Z' } as const;
    const unknown = checkSuitability({ ...base, age: null });
    assert.deepEqual([unknown.suitable, unknown.reasons.map((r) => [r.code, r.blocking])], [true, [['age-unknown', false]]]);
    assert.deepEqual(checkSuitability({ ...base, age: 64 }).reasons, []);
    assert.deepEqual(
      checkSuitability({ ...base, age: 65 }).reasons.map((r) => r.code),
      ['age-65-plus'],
    );
    // Absent: the caller does not consider age at all (as before age was read).
    assert.deepEqual(checkSuitability(base).reasons, []);
  });
});
