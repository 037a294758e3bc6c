// What GET /v1/audit/verify costs in reading the server's anchors file: the whole file read and parsed
// at each verify (a fresh AnchorsIndex per call, as the first reader did) against one shared index read
// on (apps/server's anchorsForApi), after ANCHORS_APPENDED new lines between verifies. Also prints the
// memory the shared index holds for the whole file. The two sides
// alternate verify by verify; this process's CPU time is summed per side, so other load on the machine
// stretches both alike. Asserts only that both sides read the same anchors.
// Run: node --expose-gc --import tsx bench/api/audit-anchors-verify.bench.ts [--lines 1000000] [--tenants 1000] [--verifies 5]
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnchorsIndex } from '@tierkit/ops';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const LINES = arg('lines', 1_000_000);
const TENANTS = arg('tenants', 1000);
const VERIFIES = arg('verifies', 5);
const ANCHORS_APPENDED = 100;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const heapMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  // The hashes are kept in Buffers, outside the JS heap.
  return (m.heapUsed + m.arrayBuffers) / 1e6;
};

const hash = `sha256:${'ab'.repeat(32)}`;
const line = (i: number) =>
  JSON.stringify({ tenant: `t${i % TENANTS}`, seq: Math.floor(i / TENANTS) + 1, hash, at: new Date(1.7e12 + i * 1000).toISOString() });

const dir = mkdtempSync(join(tmpdir(), 'tierkit-anchors-bench-'));
try {
  const file = join(dir, 'anchors.jsonl');
  writeFileSync(file, '');
  for (let i = 0; i < LINES; i += 10_000)
    appendFileSync(file, `${Array.from({ length: Math.min(10_000, LINES - i) }, (_, k) => line(i + k)).join('\n')}\n`);
  let next = LINES;

  const before = heapMb();
  const shared = new AnchorsIndex(file);
  let t = cpuMs();
  await shared.read('t7');
  const firstRead = cpuMs() - t;
  const held = heapMb() - before;

  let whole = 0;
  let on = 0;
  for (let v = 0; v < VERIFIES; v++) {
    appendFileSync(file, `${Array.from({ length: ANCHORS_APPENDED }, () => line(next++)).join('\n')}\n`);
    t = cpuMs();
    const a = await new AnchorsIndex(file).read('t7');
    whole += cpuMs() - t;
    t = cpuMs();
    const b = await shared.read('t7');
    on += cpuMs() - t;
    if (a.anchors.length !== b.anchors.length) throw new Error('the two sides read different anchors');
  }
  console.log(
    `${LINES} lines, ${TENANTS} tenants: first read of the shared index ${firstRead.toFixed(0)} ms CPU, holding ${held.toFixed(1)} MB (heap and buffers) (${((held * 1e6) / LINES).toFixed(0)} B an anchor)`,
  );
  console.log(
    `per verify after ${ANCHORS_APPENDED} lines appended: whole file ${(whole / VERIFIES).toFixed(1)} ms CPU, read on ${(on / VERIFIES).toFixed(2)} ms CPU: ${(whole / on).toFixed(0)}× less`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
