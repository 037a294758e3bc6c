import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;
// Random bytes drawn a few kilobytes at a time: one system call per id costs more than the rest of
// writing a tier event when a re-tier job writes a million of them.
let pool = Buffer.alloc(0);
let poolAt = 0;

function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += bytes;
  return pool.toString('hex', poolAt - bytes, poolAt);
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
    seq = 0;
  }
  return `${ms.toString(36).padStart(9, '0')}${seq.toString(36).padStart(4, '0')}${randomHex(6)}`;
}
