// What the per-row `subjects.version` triggers cost a re-tier's writes (migration
// 2026-12-05T00-00-20-subject-version-explicit), measured without the noise of a shared machine: two
// SQLite books of N subjects, one with the old triggers restored, get the same re-tier chunks
// (assignment upserts and tier events of 1,000 subjects), chunk by chunk in alternating order, each in
// its own transaction. The old book relies on the triggers (two `UPDATE subjects` per subject); the
// new one bumps once per chunk (storeReevaluations). This process's CPU time per side is summed, so
// other load on the machine stretches both sides alike. Asserts nothing.
// Run: node --import tsx bench/batch/subject-version.bench.ts [--subjects 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPolicyPack } from '@tierkit/core';
import { connect, insertSubjects, insertTenant, migrateToLatest, storeReevaluations, type Db, type SubjectInput } from '@tierkit/db';
import { writeAssignments, type StoredAssignment } from '../../packages/db/src/repositories/assignments.js';
import { writeTierEvents, type NewTierEventInput } from '../../packages/db/src/repositories/tier-events.js';
import { createRowTriggers } from '../../packages/db/src/migrations/2026-12-02T00-00-02-subject-version.js';
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

async function book(file: string, triggers: boolean): Promise<Db> {
  const db = connect({ url: file });
  await migrateToLatest(db.db);
  if (triggers) await createRowTriggers(db.db);
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

const dir = mkdtempSync(join(tmpdir(), 'tierkit-version-bench-'));
try {
  const old = await book(join(dir, 'triggers.db'), true);
  const now = await book(join(dir, 'explicit.db'), false);
  const cpu = { triggers: 0, explicit: 0 };
  const sides = [
    [
      'triggers',
      (rows: StoredAssignment[], events: NewTierEventInput[]) =>
        old.db.transaction().execute(async (trx) => {
          await writeAssignments(trx, 'bench', rows);
          await writeTierEvents(trx, 'bench', events);
        }),
    ],
    [
      'explicit',
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
  console.log(`  writes with the per-row triggers   CPU ${(cpu.triggers / 1000).toFixed(2)} s   (sum of versions ${await version(old)})`);
  console.log(`  writes with one bump per chunk     CPU ${(cpu.explicit / 1000).toFixed(2)} s   (sum of versions ${await version(now)})`);
  console.log(
    `  explicit ÷ triggers ${(cpu.explicit / cpu.triggers).toFixed(2)}; load: ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  await old.close();
  await now.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
