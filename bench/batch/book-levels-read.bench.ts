// What the tenant-wide per-book counts (GET /v1/books/levels without a book, countBookLevels) cost
// with the (tenant_id, scheme, at) index on tier_events and without it, paired: two copies of one
// SQLite book of N customers in 100 books, each with a first level recorded in the first month (a
// first re-tier: N events) and a move for one customer in fifty in each of the eleven months after.
// The counts of the first month (every event of it) and of the last (a monthly re-tier's moves) are
// read alternately from each copy, this process's CPU per read. Asserts that both copies count the same.
// Run: node --import tsx bench/batch/book-levels-read.bench.ts [--subjects 1000000] [--rounds 3]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { defaultPolicyPack } from '@tierkit/core';
import { connect, countBookLevels, insertTenant, migrateToLatest } from '@tierkit/db';
import { CompiledQuery, type KyselyPlugin, sql } from 'kysely';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('subjects', 1_000_000);
const ROUNDS = arg('rounds', 3);
const TENANT = 'bench';
const SCHEME = 'retail-tier';
const AT = '2025-01-15T04:00:00.000Z';
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const month = (m: number) => `2025-${String(m).padStart(2, '0')}`;
const windowOf = (m: number) => ({
  from: `${month(m)}-01T00:00:00.000Z`,
  to: m === 12 ? '2026-01-01T00:00:00.000Z' : `${month(m + 1)}-01T00:00:00.000Z`,
});

const dir = mkdtempSync(join(tmpdir(), 'tierkit-book-levels-bench-'));
try {
  const file = join(dir, 'with.db');
  const db = connect({ url: file });
  await migrateToLatest(db.db);
  await insertTenant(db.db, { id: TENANT, name: TENANT, metrics: defaultPolicyPack.metrics, now: AT });
  await db.close();
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  const t = performance.now();
  const staff = raw.prepare(
    `INSERT INTO staff (tenant_id, id, name, role, scope, created_at, updated_at) VALUES ('${TENANT}', ?, ?, 'officer', 'book', '${AT}', '${AT}')`,
  );
  const subject = raw.prepare(
    `INSERT INTO subjects (id, tenant_id, external_id, kind, display_name, attributes, created_at, updated_at) VALUES (?, '${TENANT}', ?, 'customer', '客户', '{}', '${AT}', '${AT}')`,
  );
  const manager = raw.prepare(
    `INSERT INTO subject_managers (tenant_id, subject_id, staff_id, assigned_at, assigned_by) VALUES ('${TENANT}', ?, ?, '${AT}', 'bench')`,
  );
  const assignment = raw.prepare(
    `INSERT INTO assignments (tenant_id, subject_id, scheme, level, rank, periods_below, base_level, base_periods_below, explanation, approval_required, policy_version, period, evaluated_at) VALUES ('${TENANT}', ?, '${SCHEME}', ?, 1, 0, NULL, 0, '{}', 0, 1, '2025-11', '${AT}')`,
  );
  const event = raw.prepare(
    `INSERT INTO tier_events (id, tenant_id, subject_id, scheme, from_level, to_level, at, reason, rule_id, note, actor, approved_by, policy_version, period) VALUES (?, '${TENANT}', ?, '${SCHEME}', ?, ?, ?, 'rule', NULL, NULL, 'job:bench', NULL, 1, ?)`,
  );
  const levels = ['standard', 'silver', 'gold', 'platinum'];
  let e = 0;
  raw.transaction(() => {
    for (let b = 0; b < 100; b++) staff.run(`RM${b}`, `RM${b}`);
  })();
  for (let i = 0; i < N; i += 50_000)
    raw.transaction(() => {
      for (let j = i; j < Math.min(N, i + 50_000); j++) {
        const id = `c${String(j).padStart(8, '0')}`;
        subject.run(id, id.toUpperCase());
        manager.run(id, `RM${j % 100}`);
        assignment.run(id, levels[j % 4]);
        event.run(`e${String(++e).padStart(12, '0')}`, id, null, levels[j % 4], AT, '2024-12');
      }
    })();
  for (let m = 2; m <= 12; m++)
    raw.transaction(() => {
      for (let j = m; j < N; j += 50) {
        const id = `c${String(j).padStart(8, '0')}`;
        event.run(
          `e${String(++e).padStart(12, '0')}`,
          id,
          levels[j % 4],
          levels[(j + 1) % 4],
          `${month(m)}-15T04:00:00.000Z`,
          month(m - 1),
        );
      }
    })();
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.exec('ANALYZE');
  raw.close();
  console.log(
    `${N.toLocaleString('en')} customers, ${e.toLocaleString('en')} events, built in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const without = join(dir, 'without.db');
  copyFileSync(file, without);
  const sides = [
    { name: 'with tier_events_tenant_scheme_at_idx', db: connect({ url: file }) },
    { name: 'without it', db: connect({ url: without }) },
  ];
  await sql`DROP INDEX tier_events_tenant_scheme_at_idx`.execute(sides[1]!.db.db);
  await sql`ANALYZE`.execute(sides[1]!.db.db);
  for (const side of sides) {
    const seen: CompiledQuery[] = [];
    const noting: KyselyPlugin = {
      transformQuery({ node, queryId }) {
        seen.push(side.db.db.getExecutor().compileQuery(node, queryId));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    await countBookLevels(side.db.db.withPlugin(noting), TENANT, SCHEME, undefined, windowOf(12));
    const moves = seen.at(-1) as CompiledQuery;
    const plan = await side.db.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`EXPLAIN QUERY PLAN ${moves.sql}`, [...moves.parameters]),
    );
    console.log(`  ${side.name}, the moves' plan: ${plan.rows.map((r) => r.detail).join(' | ')}`);
  }
  const cpu: Record<string, number[]> = {};
  console.log(`load before the reads: ${load()}`);
  for (let r = 0; r < ROUNDS; r++)
    for (const m of [1, 12])
      for (const side of r % 2 ? [...sides].reverse() : sides) {
        const c = cpuMs();
        const counts = await countBookLevels(side.db.db, TENANT, SCHEME, undefined, windowOf(m));
        const used = cpuMs() - c;
        const key = `${m === 1 ? 'first month (a first re-tier)' : 'last month (a monthly re-tier)'}: ${side.name}`;
        (cpu[key] ??= []).push(used);
        const moves = counts.moves.reduce((s, x) => s + x.count, 0);
        cpu[`${key} moves`] ??= [moves];
      }
  for (const [key, list] of Object.entries(cpu))
    if (!key.endsWith(' moves'))
      console.log(
        `  ${key.padEnd(80)} CPU ${list.map((x) => (x / 1000).toFixed(2)).join(' / ')} s (${cpu[`${key} moves`]?.[0]} moves counted)`,
      );
  console.log(`load after: ${load()}`);
  for (const side of sides) await side.db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
