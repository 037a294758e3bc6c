// serializeAssignment, the stored form of each row a re-tier writes, against its form before session
// 37 (`{ ...a, explanation: JSON.stringify(…) }`), on the rows a first re-tier of retier.bench.ts's
// book gives (read back as objects), and JSON.stringify of the three JSON columns alone beside them:
// CPU per row in alternating rounds in one process, the first rounds not counted. Checks first that
// both forms give the same rows, property for property and in the same order. Asserts nothing else.
// Run: node --import tsx bench/batch/serialize-assignment.bench.ts [--subjects 2000] [--rounds 40]
import { deepStrictEqual } from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { defaultPolicyPack } from '@tierkit/core';
import { drainJobs, enqueueRetier, provisionTenant } from '@tierkit/api';
import {
  connect,
  listAssignments,
  migrateToLatest,
  serializeAssignment,
  type StoredAssignment,
  type StoredAssignmentJson,
} from '@tierkit/db';
import { graceLeftOf, nextGapOf } from '../../packages/db/src/repositories/assignments.js';
import { writeRetierBook } from './retier-book.js';

const opt = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = opt('subjects', 2000);
const ROUNDS = opt('rounds', 40);
const NOW = new Date('2025-11-15T04:00:00.000Z');
const TENANT = 'bench';

/** serializeAssignment as it was before session 37. */
const spread = (a: StoredAssignment): StoredAssignmentJson => ({
  ...a,
  nextGap: nextGapOf(a.progress),
  graceLeft: graceLeftOf(a.periodsBelow, a.retention),
  explanation: JSON.stringify(a.explanation),
  progress: a.progress === null ? null : JSON.stringify(a.progress),
  retention: a.retention === null ? null : JSON.stringify(a.retention),
});
const stringifyOnly = (a: StoredAssignment) =>
  JSON.stringify(a.explanation).length +
  (a.progress === null ? 0 : JSON.stringify(a.progress).length) +
  (a.retention === null ? 0 : JSON.stringify(a.retention).length);

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-serialize-'));
try {
  const file = join(dir, 'book.db');
  const db = connect({ url: file });
  await migrateToLatest(db.db);
  const pack = { metrics: defaultPolicyPack.metrics, schemes: defaultPolicyPack.schemes.filter((s) => s.key === 'retail-tier') };
  await provisionTenant(db.db, { id: TENANT, name: TENANT, pack, now: NOW });
  const raw = new SQLite(file);
  // The same book as retier.bench.ts generates (same seed and shape).
  writeRetierBook(raw, TENANT, N, ['2025-08', '2025-09', '2025-10'], NOW);
  raw.close();
  await enqueueRetier(db.db, { tenantId: TENANT, period: '2025-10', now: NOW });
  await drainJobs({ db: db.db, now: () => NOW, pipeline: false });
  const rows: StoredAssignment[] = [];
  for (let i = 0; i < N; i++) rows.push(...(await listAssignments(db.db, TENANT, `c${String(i).padStart(8, '0')}`)));
  await db.close();
  for (const a of rows) {
    const [x, y] = [serializeAssignment(a), spread(a)];
    deepStrictEqual(x, y);
    deepStrictEqual(Object.keys(x), Object.keys(y));
  }

  const subjects: [string, (a: StoredAssignment) => unknown][] = [
    ['serializeAssignment (now)', serializeAssignment],
    ['spread form (before)', spread],
    ['JSON.stringify ×3 alone', stringifyOnly],
  ];
  const cpu = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  const spent = new Map<string, number>();
  const load = loadavg()[0];
  for (let round = 0; round < ROUNDS; round++) {
    const order = subjects.map((_, i) => subjects[(i + round) % subjects.length] as (typeof subjects)[number]);
    for (const [name, fn] of order) {
      const c = cpu();
      for (const a of rows) fn(a);
      if (round >= 4) spent.set(name, (spent.get(name) ?? 0) + cpu() - c);
    }
  }
  console.log(
    `${rows.length.toLocaleString('en')} rows, ${ROUNDS} rounds (first 4 not counted); load ${load?.toFixed(1)} → ${loadavg()[0]?.toFixed(1)}`,
  );
  const per = (name: string) => ((spent.get(name) ?? 0) * 1000) / ((ROUNDS - 4) * rows.length);
  for (const [name] of subjects) console.log(`  ${name.padEnd(28)} ${per(name).toFixed(0).padStart(6)} ns a row`);
  console.log(`  now ÷ before ${(per(subjects[0]?.[0] ?? '') / per(subjects[1]?.[0] ?? '')).toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
