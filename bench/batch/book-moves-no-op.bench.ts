// What a bulk move that names customers already in its book costs on PostgreSQL, before and after its
// lock pass stopped rewriting their book rows (assignManagers, packages/db/src/repositories/staff.ts).
// One database of N customers, every one already in RM1's book; the same "move them all to RM1" is
// run by the old lock statement (`ON CONFLICT DO UPDATE SET staff_id = staff_id`, a new row version per
// customer) and by the current `assignManagers` (`… WHERE false`, then a read of the rows it locked),
// round after round in alternating order, each in its own transaction, the table vacuumed before each.
// Reported per side: CPU seconds of this process plus the PostgreSQL server's processes (other load
// on the machine stretches both sides alike), WAL bytes written, and row versions written. Asserts
// nothing. Run: node --import tsx bench/batch/book-moves-no-op.bench.ts [--subjects 20000] [--rounds 6]
import { assignManagers, connect, insertSubjects, insertTenant, migrateToLatest, upsertStaff, type SubjectInput } from '@tierkit/db';
import { defaultPolicyPack } from '@tierkit/core';
import { sql } from 'kysely';
import { startPostgres } from '../../tests/support/postgres.js';
import { postmasterPid, treeCpu } from './proc-cpu.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('subjects', 20_000);
const ROUNDS = arg('rounds', 6);
const AT = '2025-11-15T04:00:00.000Z';
const BATCH = 1000;
const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const pg = await startPostgres();
const db = connect({ url: await pg.createDatabase('book_moves_no_op', { migrated: true }), poolSize: 1 });
try {
  await migrateToLatest(db.db);
  await insertTenant(db.db, { id: 'bench', name: 'bench', metrics: defaultPolicyPack.metrics, now: AT });
  await upsertStaff(db.db, 'bench', { id: 'RM1', name: 'RM1', role: 'officer', scope: 'book' }, AT);
  const ids: string[] = [];
  for (let i = 0; i < N; i += 10_000) {
    const batch: SubjectInput[] = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      const id = `c${String(j).padStart(8, '0')}`;
      ids.push(`bench/${id}`);
      batch.push({ id, externalId: id.toUpperCase(), kind: 'customer', displayName: '客户', attributes: {} });
    }
    await db.db.transaction().execute((trx) => insertSubjects(trx, 'bench', batch, AT));
  }
  const subjectIds = (await db.db.selectFrom('subjects').select('id').where('tenant_id', '=', 'bench').orderBy('id').execute()).map(
    (r) => r.id,
  );
  const assignments = subjectIds.map((subjectId) => ({ subjectId, staffId: 'RM1' }));
  await db.db.transaction().execute((trx) => assignManagers(trx, 'bench', assignments, 'bench', () => AT));

  // The lock pass as it was: every existing row rewritten with its own book.
  const oldLockPass = async () =>
    db.db.transaction().execute(async (trx) => {
      for (let i = 0; i < subjectIds.length; i += BATCH)
        await trx
          .insertInto('subject_managers')
          .values(
            subjectIds
              .slice(i, i + BATCH)
              .map((id) => ({ tenant_id: 'bench', subject_id: id, staff_id: 'RM1', assigned_at: AT, assigned_by: 'bench' })),
          )
          .onConflict((oc) => oc.columns(['tenant_id', 'subject_id']).doUpdateSet({ staff_id: sql.ref('subject_managers.staff_id') }))
          .returning(['subject_id', 'staff_id', sql<boolean>`(xmax = 0)`.as('inserted')])
          .execute();
    });
  const current = async () => db.db.transaction().execute((trx) => assignManagers(trx, 'bench', assignments, 'bench', () => AT));

  const postmaster = postmasterPid(pg.dataDir);
  const walLsn = async () =>
    (await sql<{ lsn: string }>`SELECT pg_current_wal_insert_lsn()::text AS lsn`.execute(db.db)).rows[0]?.lsn ?? '0/0';
  const walBytes = async (from: string) =>
    Number(
      (await sql<{ n: string }>`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), ${from}::pg_lsn)::text AS n`.execute(db.db)).rows[0]
        ?.n ?? 0,
    );
  const rowVersions = async () => {
    // Statistics arrive asynchronously; flush this backend's before reading them.
    await sql`SELECT pg_stat_force_next_flush()`.execute(db.db);
    const r = await sql<{
      n: string;
    }>`SELECT (n_tup_upd + n_tup_ins)::text AS n FROM pg_stat_user_tables WHERE relname = 'subject_managers'`.execute(db.db);
    return Number(r.rows[0]?.n ?? 0);
  };
  const totals = { old: { cpu: 0, wal: 0, versions: 0 }, current: { cpu: 0, wal: 0, versions: 0 } };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['old', 'current'] as const) : (['current', 'old'] as const);
    for (const side of order) {
      await sql`VACUUM subject_managers`.execute(db.db);
      const versionsBefore = await rowVersions();
      const lsn = await walLsn();
      const cpu = ownCpu() + treeCpu(postmaster);
      await (side === 'old' ? oldLockPass() : current());
      totals[side].cpu += ownCpu() + treeCpu(postmaster) - cpu;
      totals[side].wal += await walBytes(lsn);
      totals[side].versions += (await rowVersions()) - versionsBefore;
    }
  }
  const per = (side: 'old' | 'current') => ({
    cpuSeconds: (totals[side].cpu / ROUNDS).toFixed(3),
    walKiB: Math.round(totals[side].wal / ROUNDS / 1024),
    rowVersions: Math.round(totals[side].versions / ROUNDS),
  });
  console.log(`${N} customers already in the named book, ${ROUNDS} rounds each, per round:`);
  console.log('old lock pass (DO UPDATE)      ', per('old'));
  console.log('assignManagers (DO UPDATE WHERE false + read)', per('current'));
  console.log(`CPU ratio current/old: ${(totals.current.cpu / totals.old.cpu).toFixed(2)}`);
} finally {
  await db.close();
  await pg.stop();
}
