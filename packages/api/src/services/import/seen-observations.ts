/**
 * The observations (subject, metric, month) a metrics file has given so far, with the value and line
 * of the first kept row that gave each, held in typed arrays rather than a Map of strings: a key is one
 * number (subject index × metric index × month), its value and line sit beside it in an open-addressing
 * table. 20 bytes a slot, at most three quarters of the slots used, doubled when full: a
 * 1,000,000-observation file holds 40 MiB, where a Map keyed by `subject\0metric\0month` strings held
 * several times that.
 *
 * Bounded ({@link SEEN_OBSERVATIONS}, {@link SEEN_SUBJECTS}): `add` refuses past the bound and the
 * import stages what is held in SQL (duplicates.ts). At the bound the table is 2^21 slots, 40 MiB, and
 * 60 MiB while its last doubling copies it; the subjects' index adds a Map of up to 200,000 ids.
 */

/** Observations held in memory before an import moves them to its staging table: 2^21 slots at most. */
export const SEEN_OBSERVATIONS = 1_500_000;
/** Distinct subjects held: the subject-id cache's bound (run-import.ts, SUBJECT_ID_CACHE). */
export const SEEN_SUBJECTS = 200_000;

// Key layout, within 2^53: subject index × 2^27 + metric index × 2^17 + month (year × 12 + month − 1 < 2^17).
const METRICS = 1 << 10;
const MONTH_SPAN = 1 << 17;
const EMPTY = -1;

/** `YYYY-MM` (as checkMetricRow gives it) as year × 12 + month − 1, from its digits: no substring per call. */
const monthNumber = (p: string): number =>
  ((p.charCodeAt(0) - 48) * 1000 + (p.charCodeAt(1) - 48) * 100 + (p.charCodeAt(2) - 48) * 10 + p.charCodeAt(3) - 48) * 12 +
  (p.charCodeAt(5) - 48) * 10 +
  p.charCodeAt(6) -
  49;

export class SeenObservations {
  private readonly limit: number;
  private readonly subjects = new Map<string, number>();
  private readonly metrics = new Map<string, number>();
  private keys: Float64Array;
  private values: Float64Array;
  private lines: Uint32Array;
  private used = 0;

  constructor(limit = SEEN_OBSERVATIONS) {
    this.limit = limit;
    const slots = 1 << 12;
    this.keys = new Float64Array(slots).fill(EMPTY);
    this.values = new Float64Array(slots);
    this.lines = new Uint32Array(slots);
  }

  /** How many observations are held. */
  get size(): number {
    return this.used;
  }

  /** Whether `more` observations more, of these subjects and metrics, would surely stay within the bound. */
  fits(more: number, subjects: ReadonlySet<string>, metrics: ReadonlySet<string>): boolean {
    if (this.used + more > this.limit) return false;
    let fresh = 0;
    for (const s of subjects) if (!this.subjects.has(s)) fresh += 1;
    if (this.subjects.size + fresh > SEEN_SUBJECTS) return false;
    fresh = 0;
    for (const m of metrics) if (!this.metrics.has(m)) fresh += 1;
    return this.metrics.size + fresh <= METRICS;
  }

  /** The first kept value and line of an observation, or undefined. */
  get(subjectId: string, metric: string, period: string): { value: number; line: number } | undefined {
    const key = this.key(subjectId, metric, period, false);
    if (key === undefined) return undefined;
    const slot = this.find(key);
    return this.keys[slot] === key ? { value: this.values[slot] as number, line: this.lines[slot] as number } : undefined;
  }

  /**
   * Hold an observation's first value unless one is held; false when it would pass the bound (more
   * than {@link SEEN_SUBJECTS} subjects or 2^10 metrics, or the limit), holding nothing new.
   */
  add(subjectId: string, metric: string, period: string, value: number, line: number): boolean {
    const key = this.key(subjectId, metric, period, true);
    if (key === undefined) return false;
    let slot = this.find(key);
    if (this.keys[slot] === key) return true;
    if (this.used >= this.limit) return false;
    if ((this.used + 1) * 4 > this.keys.length * 3) {
      this.grow();
      slot = this.find(key);
    }
    this.keys[slot] = key;
    this.values[slot] = value;
    this.lines[slot] = line;
    this.used += 1;
    return true;
  }

  /** Every observation held, for staging in SQL once the file outgrows the bound. */
  *entries(): Generator<{ subjectId: string; metric: string; period: string; value: number; line: number }> {
    const subjects: string[] = [];
    for (const [s, i] of this.subjects) subjects[i] = s;
    const metrics: string[] = [];
    for (const [m, i] of this.metrics) metrics[i] = m;
    for (let slot = 0; slot < this.keys.length; slot++) {
      const key = this.keys[slot] as number;
      if (key === EMPTY) continue;
      const month = key % MONTH_SPAN;
      const rest = (key - month) / MONTH_SPAN;
      const metric = rest % METRICS;
      const subject = (rest - metric) / METRICS;
      const mm = (month % 12) + 1;
      yield {
        subjectId: subjects[subject] as string,
        metric: metrics[metric] as string,
        period: `${String((month - mm + 1) / 12).padStart(4, '0')}-${String(mm).padStart(2, '0')}`,
        value: this.values[slot] as number,
        line: this.lines[slot] as number,
      };
    }
  }

  private key(subjectId: string, metric: string, period: string, intern: boolean): number | undefined {
    let s = this.subjects.get(subjectId);
    if (s === undefined) {
      if (!intern || this.subjects.size >= SEEN_SUBJECTS) return undefined;
      s = this.subjects.size;
      this.subjects.set(subjectId, s);
    }
    let m = this.metrics.get(metric);
    if (m === undefined) {
      if (!intern || this.metrics.size >= METRICS) return undefined;
      m = this.metrics.size;
      this.metrics.set(metric, m);
    }
    return (s * METRICS + m) * MONTH_SPAN + monthNumber(period);
  }

  /** The key's slot, or the empty slot where it would go (linear probing). */
  private find(key: number): number {
    const mask = this.keys.length - 1;
    // The key's two 32-bit halves mixed (MurmurHash3's finaliser): the subject index sits in the high
    // bits, which a multiplication alone would leave out of the slot.
    const lo = key % 4294967296;
    let h = lo ^ Math.imul((key - lo) / 4294967296, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    let slot = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const k = this.keys[slot] as number;
      if (k === key || k === EMPTY) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const [keys, values, lines] = [this.keys, this.values, this.lines];
    this.keys = new Float64Array(keys.length * 2).fill(EMPTY);
    this.values = new Float64Array(keys.length * 2);
    this.lines = new Uint32Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      if (k === EMPTY) continue;
      const slot = this.find(k);
      this.keys[slot] = k;
      this.values[slot] = values[i] as number;
      this.lines[slot] = lines[i] as number;
    }
  }
}
