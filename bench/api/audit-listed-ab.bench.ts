// What splitting the customer numbers a record's detail lists (`audit_listed`) costs the record of a list
// read, in one process, alternating round by round (a neighbour's load falls on both sides alike), CPU by
// process.cpuUsage:
//   a: a list read's record (`{ subjects: [...], count }`) appended as before — the numbers in the record;
//   b: the same through appendAudit — a salted digest per entry in the record, one `audit_listed` row each.
// For lists of 50 and 500 customers, on one SQLite file, each side into its own chain. Asserts nothing.
// Run: node --import tsx bench/api/audit-listed-ab.bench.ts [--records 200] [--rounds 6]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendAudit } from '@tierkit/api';
import { appendAuditRecord, auditHash, connect, migrateToLatest, type AuditFields } from '@tierkit/db';

const opt = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const RECORDS = Number(opt('records', '200'));
const ROUNDS = Number(opt('rounds', '6'));
const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-audit-listed-'));
try {
  const opened = connect({ url: join(dir, 'bench.db') });
  const db = opened.db;
  await migrateToLatest(db);
  const record = (n: number, size: number): AuditFields => {
    const subjects = Array.from({ length: size }, (_, i) => `C${String((n * size + i) % 1_000_000).padStart(6, '0')}`);
    return {
      at: new Date().toISOString(),
      request_id: `bench-${n}`,
      phase: 'result',
      actor: 'key:key_bench',
      credential: 'key',
      method: 'GET',
      route: '/v1/subjects',
      target: '{}',
      status: 200,
      problem: null,
      unmasked: 1,
      detail: JSON.stringify({ subjects, count: size }),
    };
  };
  const before = async (chain: string, fields: AuditFields) => {
    await appendAuditRecord(db, chain, fields, (seq, prevHash) => auditHash({ chain, seq, prev_hash: prevHash, ...fields }));
  };
  const sides = [
    { name: 'a: before (numbers in the record)', chain: 'bench-a', append: before },
    {
      name: 'b: digest per entry + audit_listed rows',
      chain: 'bench-b',
      append: (chain: string, f: AuditFields) => appendAudit(db, chain, f),
    },
  ];
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  let n = 0;
  for (const size of [50, 500]) {
    const count = size === 500 ? Math.max(1, Math.floor(RECORDS / 5)) : RECORDS;
    const totals = new Map<string, number[]>(sides.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const start = process.cpuUsage();
        for (let i = 0; i < count; i++) await side.append(side.chain, record(n++, size));
        const used = process.cpuUsage(start);
        totals.get(side.name)?.push((used.user + used.system) / count);
      }
    }
    for (const [name, xs] of totals)
      console.log(`list of ${size}: ${name}: ${median(xs).toFixed(1)} µs CPU per record, median of ${xs.length} rounds of ${count}`);
  }
  await opened.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
