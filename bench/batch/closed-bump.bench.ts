// What re-checking `closed_at` costs a re-tier's writes: since a customer may be closed while their chunk
// is re-tiered, storeReevaluations bumps the versions first, only of subjects not closed, with RETURNING
// to learn which (bumpOpenSubjectVersions), where it bumped last and blindly (bumpSubjectVersions). Two
// SQLite books of N subjects get the same re-tier chunks (assignment upserts and tier events of 1,000
// subjects), chunk by chunk in alternating order, each in its own transaction: one written as before the
// check, one by storeReevaluations. This process's CPU time per side is summed, so other load on the
// machine stretches both sides alike. Asserts nothing but that both books end with the same versions.
// Run: node --import tsx bench/batch/closed-bump.bench.ts [--subjects 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPolicyPack } from '@tierkit/core';
import {
  bumpSubjectVersions,
  connect,
  insertSubjects,
  insertTenant,
  migrateToLatest,
  storeReevaluations,
  type Db,
  type SubjectInput,
} from '@tierkit/db';
import { writeAssignments, type StoredAssignment } from '../../packages/db/src/repositories/assignments.js';
import { writeTierEvents, type NewTierEventInput } from '../../packages/db/src/repositories/tier-events.js';
import { assignment, AT, event } from './reevaluation-rows.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('subjects', 100_000);
const CHUNK = 1000;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function book(file: string): Promise<Db> {
  const db = connect({ url: file });
  await migrateToLatest(db.db);
  await insertTenant(db.db, { id: 'bench', name: 'bench', metrics: defaultPolicyPack.metrics, now: AT });
  for (let i = 0; i < N; i += 10_000) {
    const batch: SubjectInput[] = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      const id = `c${String(j).padStart(8, '0')}`;
      batch.push({ id, externalId: id.toUpperCase(), kind: 'customer', displayName: '客户', attributes: {} });
    }
    await db.db.transaction().execute((trx) => insertSubjects(trx, 'bench', batch, AT));
  }
  return db;
}

const dir = mkdtempSync(join(tmpdir(), 'tierkit-closed-bump-bench-'));
try {
  const old = await book(join(dir, 'unchecked.db'));
  const now = await book(join(dir, 'checked.db'));
  const cpu = { unchecked: 0, checked: 0 };
  const sides = [
    [
      'unchecked',
      (rows: StoredAssignment[], events: NewTierEventInput[]) =>
        old.db.transaction().execute(async (trx) => {
          await writeAssignments(trx, 'bench', rows);
          await writeTierEvents(trx, 'bench', events);
          await bumpSubjectVersions(trx, new Set(rows.map((r) => r.subjectId)));
        }),
    ],
    [
      'checked',
      (rows: StoredAssignment[], events: NewTierEventInput[]) =>
        now.db.transaction().execute((trx) => storeReevaluations(trx, 'bench', rows, events)),
    ],
  ] as const;
  console.log(
    `${N.toLocaleString('en')} subjects, chunks of ${CHUNK}, load: ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  for (let i = 0; i < N; i += CHUNK) {
    const rows: StoredAssignment[] = [];
    const events: NewTierEventInput[] = [];
    for (let j = i; j < Math.min(N, i + CHUNK); j++) {
      const id = `c${String(j).padStart(8, '0')}`;
      rows.push(assignment(id, j));
      events.push(event(id, j));
    }
    // Alternate which side goes first, so neither always meets a warmer cache.
    const order = (i / CHUNK) % 2 === 0 ? sides : ([sides[1], sides[0]] as const);
    for (const [name, write] of order) {
      const c = cpuMs();
      await write(rows, events);
      cpu[name] += cpuMs() - c;
    }
  }
  const version = async (db: Db) =>
    (
      await db.db
        .selectFrom('subjects')
        .select((eb) => eb.fn.sum<number>('version').as('v'))
        .executeTakeFirstOrThrow()
    ).v;
  const [vOld, vNew] = [await version(old), await version(now)];
  if (String(vOld) !== String(vNew)) throw new Error(`versions differ: ${vOld} vs ${vNew}`);
  console.log(`  bump last, every subject            CPU ${(cpu.unchecked / 1000).toFixed(2)} s`);
  console.log(`  bump first, open subjects only      CPU ${(cpu.checked / 1000).toFixed(2)} s`);
  console.log(
    `  checked ÷ unchecked ${(cpu.checked / cpu.unchecked).toFixed(2)}; load: ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  await old.close();
  await now.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
