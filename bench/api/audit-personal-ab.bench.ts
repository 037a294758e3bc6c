// What splitting an audit record's personal fields off costs an audited write, in one process,
// alternating round by round (a neighbour's load falls on both sides alike), CPU by process.cpuUsage:
//   a: the two records of a closing (intent, result with its reason) appended as before the split —
//      appendAuditRecord sealed with the hash, no side row;
//   b: the same two through appendAudit — split, digest, side row (what every writer does now).
// Both on one SQLite file, each into its own chain. For scale, it then times whole audited HTTP writes
// (PUT /v1/subjects/{id}) on the app. Asserts nothing.
// Run: node --import tsx bench/api/audit-personal-ab.bench.ts [--writes 2000] [--rounds 8]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendAudit, createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { appendAuditRecord, auditHash, connect, migrateToLatest, type AuditFields } from '@tierkit/db';
import { testPack } from '../../tests/support/test-pack.js';

const opt = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const WRITES = Number(opt('writes', '2000'));
const ROUNDS = Number(opt('rounds', '8'));
const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-audit-personal-'));
try {
  const opened = connect({ url: join(dir, 'bench.db') });
  const db = opened.db;
  await migrateToLatest(db);
  const records = (n: number): AuditFields[] => {
    const base = {
      at: new Date().toISOString(),
      request_id: `bench-${n}`,
      actor: 'key:key_bench',
      credential: 'key',
      method: 'POST',
      route: '/v1/subjects/{id}/close',
      target: JSON.stringify({ id: `C${String(n).padStart(6, '0')}` }),
      problem: null,
      unmasked: 0,
    };
    return [
      { ...base, phase: 'intent', status: null },
      { ...base, phase: 'result', status: 200, detail: JSON.stringify({ closedAt: base.at, reason: '客户主动销户，资金已转出' }) },
    ];
  };
  const before = async (chain: string, fields: AuditFields) => {
    await appendAuditRecord(db, chain, fields, (seq, prevHash) => auditHash({ chain, seq, prev_hash: prevHash, ...fields }));
  };
  const sides = [
    { name: 'a: before (no split)', chain: 'bench-a', append: before },
    { name: 'b: split + side row', chain: 'bench-b', append: (chain: string, f: AuditFields) => appendAudit(db, chain, f) },
  ];
  const totals = new Map<string, number[]>(sides.map((s) => [s.name, []]));
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 ? [...sides].reverse() : sides) {
      const start = process.cpuUsage();
      for (let i = 0; i < WRITES; i++) for (const r of records(n++)) await side.append(side.chain, r);
      const used = process.cpuUsage(start);
      totals.get(side.name)?.push((used.user + used.system) / WRITES);
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  for (const [name, xs] of totals)
    console.log(`${name}: ${median(xs).toFixed(1)} µs CPU per audited write (2 records), median of ${xs.length} rounds of ${WRITES}`);

  // A whole audited write for scale: what the records' share is of it.
  await provisionTenant(db, { id: 'bank', name: 'bank', pack: testPack(), now: new Date() });
  const { secret } = await createApiKey(db, { tenantId: 'bank', role: 'admin', label: 'bench' });
  const app = createApp({ db, logError: () => undefined });
  const put = (i: number) =>
    app.fetch(
      new Request(`http://bench/v1/subjects/H${i}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: 'customer', displayName: '王小明' }),
      }),
    );
  for (let i = 0; i < 200; i++) await put(i);
  const start = process.cpuUsage();
  const HTTP = 1000;
  for (let i = 0; i < HTTP; i++) {
    const res = await put(1000 + i);
    if (res.status >= 300) throw new Error(`status ${res.status}: ${await res.text()}`);
  }
  const used = process.cpuUsage(start);
  console.log(`PUT /v1/subjects/{id} over HTTP (b): ${((used.user + used.system) / HTTP).toFixed(1)} µs CPU per request`);
  await opened.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
