import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;

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
  return `${ms.toString(36).padStart(9, '0')}${seq.toString(36).padStart(4, '0')}${randomBytes(6).toString('hex')}`;
}
