// Card-tier decisions over 1,000,000 generated subjects: a hand-written loop, the compiled `decide`,
// and the full `evaluate` (explanation, progress, retention), interleaved over several rounds in the
// same run; prints per-round and median ratios. Prints, never asserts.
import { compilePack, defaultPolicyPack, monthsBack } from '@tierkit/core';
import type { SubjectFacts } from '@tierkit/core';
// Deterministic PRNG (mulberry32), so every run benchmarks the same population.
import { rng } from '../../tests/support/book.js';

const N = 1_000_000;
const ASOF = '2024-06';
const MONTHS = ['2024-06', '2024-05', '2024-04', '2024-03', '2024-02', '2024-01'];

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

const YEAR = monthsBack('2024-06', 12);

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
      if (v !== undefined) {
        income = v;
        break;
      }
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

/** Milliseconds one pass over subjects [from, to) takes; `sink` keeps results alive so no work is optimised away. */
let sink = 0;
function timed(run: (from: number, to: number) => number, from: number, to: number): number {
  const t0 = performance.now();
  sink += run(from, to);
  return performance.now() - t0;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const subjects = population();
const tier = compilePack(defaultPolicyPack).scheme('retail-tier');
if (!tier) throw new Error('retail-tier missing from the default pack');

// Both must agree before their speeds mean anything.
let mismatches = 0;
for (let i = 0; i < 20_000; i++) if (handWritten(subjects[i]!) !== tier.decide(subjects[i]!)) mismatches++;
console.log(`subjects: ${N.toLocaleString('en')}, decisions agreeing (first 20,000): ${20_000 - mismatches}`);

// One loop per contender (not a shared higher-order loop) so that no call site goes megamorphic.
const runA = (from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) if (handWritten(subjects[i]!) !== 'standard') n++;
  return n;
};
const runB = (from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) if (tier.decide(subjects[i]!) !== 'standard') n++;
  return n;
};
const runC = (from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) if (tier.evaluate(subjects[i]!).level !== 'standard') n++;
  return n;
};

/*
 * The machine is shared and noisy (absolute speed varies several-fold between runs, other jobs take
 * the cores in bursts), so the contenders are interleaved: each round walks the same 1,000,000
 * subjects in blocks of 50,000 and runs a, b, c on every block in turn, summing each one's time. A
 * burst of load then lands on all three alike; each round gives ratios of passes taken moments
 * apart, and the median over the rounds is the figure to read.
 */
const ROUNDS = 7;
const BLOCK = 50_000;
runA(0, N);
runB(0, N);
runC(0, N); // warm-up: let every path reach optimised code before timing
const rows: { a: number; b: number; c: number }[] = [];
const started = performance.now();
for (let r = 0; r < ROUNDS; r++) {
  const row = { a: 0, b: 0, c: 0 };
  for (let from = 0; from < N; from += BLOCK) {
    const to = Math.min(N, from + BLOCK);
    row.a += timed(runA, from, to);
    row.b += timed(runB, from, to);
    row.c += timed(runC, from, to);
  }
  rows.push(row);
  if (performance.now() - started > 40_000) break; // stay well inside a minute on a very slow machine
}
const rate = (ms: number) => (N / (ms / 1000) / 1e6).toFixed(2).padStart(6);
console.log('round  (a) hand-written  (b) compiled decide  (c) evaluate+explanation+progress   b/a    c/a');
rows.forEach((x, i) => {
  console.log(
    `${String(i + 1).padStart(5)}  ${rate(x.a)} M/s      ${rate(x.b)} M/s           ${rate(x.c)} M/s                   ${(x.a / x.b).toFixed(2)}   ${(x.a / x.c).toFixed(2)}`,
  );
});
const ba = rows.map((x) => x.a / x.b);
const ca = rows.map((x) => x.a / x.c);
console.log(
  `median (a) ${rate(median(rows.map((x) => x.a)))} M/s, (b) ${rate(median(rows.map((x) => x.b)))} M/s, (c) ${rate(median(rows.map((x) => x.c)))} M/s`,
);
console.log(
  `median ratio b/a: ${median(ba).toFixed(2)} (min ${Math.min(...ba).toFixed(2)}, max ${Math.max(...ba).toFixed(2)}; target ≥ 0.5)`,
);
console.log(
  `median ratio c/a: ${median(ca).toFixed(2)} (min ${Math.min(...ca).toFixed(2)}, max ${Math.max(...ca).toFixed(2)}; target ≥ 0.1)`,
);
console.log(`(checksum ${sink}, ${rows.length} rounds in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
