/**
 * `asOf` and the months before it, newest first: `['2024-06', '2024-05', …]`. Windows end at `asOf`.
 * Throws on a malformed period: a caller bug, not a data problem.
 */
export function monthsBack(asOf: string, count: number): string[] {
  const m = /^(\d{4})-(\d{2})$/.exec(asOf);
  if (!m) throw new RangeError(`asOf must be a YYYY-MM period, got "${asOf}"`);
  let y = Number(m[1]);
  let mo = Number(m[2]);
  if (mo < 1 || mo > 12) throw new RangeError(`asOf must be a YYYY-MM period, got "${asOf}"`);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(`${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}`);
    mo -= 1;
    if (mo === 0) {
      mo = 12;
      y -= 1;
    }
  }
  return out;
}

/** How many `asOf` months {@link MonthKeys} holds before it starts over. */
const MONTH_KEYS_HELD = 16;

/**
 * Caches the month keys of the `asOf` months seen: a batch evaluates millions of subjects for one
 * month, and a monthly re-tier evaluates each subject at two (its stored month again, from the state
 * before it, then the new one), which a cache of the last month alone missed every time.
 */
export class MonthKeys {
  private readonly held = new Map<string, string[]>();
  private readonly count: number;
  constructor(count: number) {
    this.count = Math.max(1, count);
  }
  get(asOf: string): readonly string[] {
    let keys = this.held.get(asOf);
    if (keys === undefined) {
      keys = monthsBack(asOf, this.count);
      if (this.held.size >= MONTH_KEYS_HELD) this.held.clear();
      this.held.set(asOf, keys);
    }
    return keys;
  }
}
