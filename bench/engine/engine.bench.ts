// Card-tier decisions over 1,000,000 generated subjects: a hand-written loop, the compiled `decide`,
// and the full `evaluate` (explanation, progress, retention), in the same run. Prints, never asserts.
import { compilePack, defaultPolicyPack } from '@tierkit/core';
import type { SubjectFacts } from '@tierkit/core';

const N = 1_000_000;
const ASOF = '2024-06';
const MONTHS = ['2024-06', '2024-05', '2024-04', '2024-03', '2024-02', '2024-01'];

/** Deterministic PRNG (mulberry32), so every run benchmarks the same population. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function population(): SubjectFacts[] {
  const r = rng(42);
  const out: SubjectFacts[] = new Array(N);
  for (let i = 0; i < N; i++) {
    // Log-normal-ish balances: most customers hold little, a few hold a lot (fen).
    const base = Math.floor(Math.exp(r() * 12 + 6)) * 100;
    const balance: Record<string, number> = {};
    for (const m of MONTHS) if (r() > 0.05) balance[m] = Math.floor(base * (0.8 + r() * 0.4));
    const values: Record<string, Record<string, number>> = { avg_daily_balance: balance };
    if (r() < 0.3) values.household_income = { '2024-01': Math.floor(r() * 400_000_000) };
    if (r() < 0.05) values.premium_card = { '2023-09': 1 };
    out[i] = { asOf: ASOF, values };
  }
  return out;
}

const YEAR = ['2024-06', '2024-05', '2024-04', '2024-03', '2024-02', '2024-01', '2023-12', '2023-11', '2023-10', '2023-09', '2023-08', '2023-07'];

/** The same decisions written by hand: the baseline a compiled policy is measured against. */
function handWritten(f: SubjectFacts): string {
  const b = f.values.avg_daily_balance;
  let sum = 0;
  if (b) {
    const v0 = b['2024-06'];
    const v1 = b['2024-05'];
    const v2 = b['2024-04'];
    if (v0 !== undefined) sum += v0;
    if (v1 !== undefined) sum += v1;
    if (v2 !== undefined) sum += v2;
  }
  const avg = Math.floor(sum / 3);
  let income = 0;
  const inc = f.values.household_income;
  if (inc) {
    for (const k of YEAR) {
      const v = inc[k];
      if (v !== undefined) { income = v; break; }
    }
  }
  const cardValues = f.values.premium_card;
  let card = 0;
  if (cardValues) {
    let best = '';
    for (const p in cardValues) if (p <= ASOF && p > best) best = p;
    card = best ? (cardValues[best] ?? 0) : 0;
  }
  if (avg >= 150_000_000 || income >= 300_000_000) return 'diamond';
  if (avg >= 30_000_000 || income >= 80_000_000) return 'platinum';
  if (avg >= 5_000_000 || income >= 20_000_000 || card >= 1) return 'gold';
  return 'standard';
}

/** Best of three timed passes after a warm-up, so a GC pause in one pass does not decide the ratio. */
function time(label: string, run: () => number): number {
  run();
  let best = Number.POSITIVE_INFINITY;
  let checksum = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    checksum = run();
    best = Math.min(best, performance.now() - t0);
  }
  const rate = N / (best / 1000);
  console.log(`${label.padEnd(40)} ${(rate / 1e6).toFixed(2).padStart(7)} M/s  (${best.toFixed(0)} ms per 1M, checksum ${checksum})`);
  return rate;
}

const subjects = population();
const tier = compilePack(defaultPolicyPack).scheme('retail-tier');
if (!tier) throw new Error('retail-tier missing from the default pack');

// Both must agree before their speeds mean anything.
let mismatches = 0;
for (let i = 0; i < 20_000; i++) if (handWritten(subjects[i]!) !== tier.decide(subjects[i]!)) mismatches++;
console.log(`subjects: ${N.toLocaleString('en')}, decisions agreeing (first 20,000): ${20_000 - mismatches}`);

// One loop per contender (not a shared higher-order loop) so that no call site goes megamorphic.
const a = time('(a) hand-written loop', () => {
  let n = 0;
  for (let i = 0; i < N; i++) if (handWritten(subjects[i]!) !== 'standard') n++;
  return n;
});
const b = time('(b) compiled decide', () => {
  let n = 0;
  for (let i = 0; i < N; i++) if (tier.decide(subjects[i]!) !== 'standard') n++;
  return n;
});
const c = time('(c) evaluate + explanation + progress', () => {
  let n = 0;
  for (let i = 0; i < N; i++) if (tier.evaluate(subjects[i]!).level !== 'standard') n++;
  return n;
});
console.log(`ratio b/a: ${(b / a).toFixed(2)} (target ≥ 0.5)`);
console.log(`ratio c/a: ${(c / a).toFixed(2)} (target ≥ 0.1)`);
