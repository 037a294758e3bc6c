// A staff tiers first ask's statements alone, on a seeded SQLite file, alternating: the subject
// (findSubjectForRead) and then its assignments (listAssignmentsJson), against both in one statement
// (findSubjectForTiers), for one scheme (a front page). CPU per customer; asserts nothing.
// Seed the file first with read-cpu.bench.ts --db FILE.
// Run: node --import tsx bench/api/tiers-statements.bench.ts --db /tmp/read-cpu.db [--customers 2000] [--rounds 6]
import SQLite from 'better-sqlite3';
import { connect, findSubjectForRead, findSubjectForTiers, listAssignmentsJson } from '@tierkit/db';

const opt = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
};
const file = opt('db');
const CUSTOMERS = Number(opt('customers', '2000'));
const ROUNDS = Number(opt('rounds', '6'));
const raw = new SQLite(file, { readonly: true });
const ids = (
  raw.prepare("SELECT external_id FROM subjects WHERE tenant_id = 'demo' AND kind = 'customer'").all() as { external_id: string }[]
).map((r) => r.external_id);
raw.close();
const { db, close } = connect({ url: file });
const FRONT = new Set(['retail-tier']);
const sides = {
  'two statements, one scheme': async (id: string) => {
    const read = await findSubjectForRead(db, 'demo', id);
    if (read) await listAssignmentsJson(db, 'demo', read.subject.id, FRONT);
  },
  'one statement, one scheme': async (id: string) => {
    await findSubjectForTiers(db, 'demo', id, 'retail-tier');
  },
} as const;
const runs = new Map<string, number[]>();
let offset = 0;
for (let round = -1; round < ROUNDS; round++) {
  for (const [name, read] of Object.entries(sides)) {
    const start = process.cpuUsage();
    for (let i = 0; i < CUSTOMERS; i++) await read(ids[(offset + i) % ids.length] ?? '');
    const used = process.cpuUsage(start);
    offset += CUSTOMERS;
    if (round >= 0) runs.set(name, [...(runs.get(name) ?? []), (used.user + used.system) / CUSTOMERS]);
  }
}
console.log(`CPU per customer, ${CUSTOMERS} customers × ${ROUNDS} alternating rounds; median (min–max)`);
for (const [name, xs] of runs) {
  const s = [...xs].sort((a, b) => a - b);
  console.log(
    `  ${name.padEnd(32)} ${(s[Math.floor(s.length / 2)] ?? 0).toFixed(1).padStart(7)} µs (${(s[0] ?? 0).toFixed(1)}–${(s[s.length - 1] ?? 0).toFixed(1)})`,
  );
}
await close();
