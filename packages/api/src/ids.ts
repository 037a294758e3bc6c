import { randomBytes } from 'node:crypto';

let lastMs = 0;
/** `lastMs` as an id starts: a re-tier chunk draws its thousand event ids at one instant. */
let lastPrefix = '0'.padStart(9, '0');
let seq = 0;
// Random bytes drawn a few kilobytes at a time, hex-encoded once per draw: one system call per id
// costs more than the rest of writing a tier event when a re-tier job writes a million of them, and
// one hex conversion per id was the largest part of what was left (BENCHMARKS.md, session 36).
const POOL_BYTES = 4096;
let pool = '';
let poolAt = 0;

function randomHex(bytes: number): string {
  const chars = bytes * 2;
  if (poolAt + chars > pool.length) {
    pool = randomBytes(POOL_BYTES).toString('hex');
    poolAt = 0;
  }
  poolAt += chars;
  return pool.slice(poolAt - chars, poolAt);
}

/**
 * A unique id that sorts by creation order within this process (time, then a counter), so events
 * written in one transaction with the same timestamp still list newest first by id.
 */
export function sortableId(now: Date = new Date()): string {
  const ms = now.getTime();
  if (ms === lastMs) seq += 1;
  else {
    lastMs = ms;
    lastPrefix = sortableIdFloor(ms);
    seq = 0;
  }
  return `${lastPrefix}${seq.toString(36).padStart(4, '0')}${randomHex(6)}`;
}

/**
 * The least id {@link sortableId} draws at `ms` or later (and more than any drawn before): a time's
 * bound on ids, so a read of a span's events can walk the primary key rather than the whole table.
 */
export function sortableIdFloor(ms: number): string {
  return Math.max(0, Math.floor(ms)).toString(36).padStart(9, '0');
}
