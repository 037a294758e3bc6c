// How `GET /v1/audit?person=` reads a large trail on PostgreSQL: the person's credentials merged one
// index range each (repositories/audit.ts, `listAuditRecords`), against one `actor IN (…)` query, which
// must read every record of every credential to sort them. A trail of --records records (default
// 600,000), of which one integration key of the person's holds most, a few thousand are their staff
// token's, the rest other people's. Prints each plan (EXPLAIN ANALYZE) and its execution time; asserts nothing.
// Run: node --import tsx bench/api/audit-person-plan.bench.ts [--records 600000] [--sparse]
import { insertTenant, listAuditRecords, migrateToLatest, upsertStaff, connect } from '@tierkit/db';
import { CompiledQuery, sql } from 'kysely';
import { startPostgres } from '../../tests/support/postgres.js';

const opt = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const RECORDS = Number(opt('records', '600000'));
// --sparse: the person's credentials hold 2% of the trail (a staff member among many), not 84% (an integration key's).
const SPARSE = process.argv.includes('--sparse');
const NOW = '2026-12-01T00:00:00.000Z';

const pg = await startPostgres();
try {
  const opened = connect({ url: await pg.createDatabase('audit_person_plan'), statementTimeoutMs: 600_000 });
  const db = opened.db;
  await migrateToLatest(db);
  await insertTenant(db, { id: 'bank', name: 'Bank', metrics: [], now: NOW });
  await upsertStaff(db, 'bank', { id: 'W001', name: '王敏', role: 'officer', scope: 'tenant' }, NOW);
  for (const [id, label] of [
    ['key_monthly', '月度导入'],
    ['key_spare', '备用'],
  ] as const)
    await sql`INSERT INTO api_keys (id, tenant_id, secret_hash, prefix, role, label, created_at, revoked_at, staff_id)
      VALUES (${id}, 'bank', ${`hash-${id}`}, ${id.slice(0, 8)}, 'officer', ${label}, ${NOW}, NULL, 'W001')`.execute(db);
  // 80% the monthly import key's, 1% the spare key's, 3% her staff token's, the rest 20 others' keys.
  await sql`INSERT INTO audit_records (chain, seq, at, request_id, phase, actor, credential, method, route, target, status, problem, unmasked, detail, personal_digest, prev_hash, hash)
    SELECT 'bank', n, to_char(timestamp '2024-01-01' + n * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"'), 'req-' || n,
      'result',
      CASE WHEN n % ${SPARSE ? 1000 : 100} < ${SPARSE ? 15 : 80} THEN 'key:key_monthly'
           WHEN n % ${SPARSE ? 1000 : 100} = ${SPARSE ? 15 : 80} THEN 'key:key_spare'
           WHEN n % ${SPARSE ? 1000 : 100} < ${SPARSE ? 20 : 84} THEN 'staff:W001' ELSE 'key:key_other' || (n % 20) END,
      'key', 'POST', '/v1/imports', '{}', 201, NULL, 0, NULL, NULL, 'prev', 'hash-' || n
    FROM generate_series(1, ${RECORDS}) AS n`.execute(db);
  await sql`ANALYZE audit_records`.execute(db);
  const explain = async (label: string, run: (d: typeof db) => Promise<unknown>) => {
    const seen: CompiledQuery[] = [];
    // Kysely hands plugins the node, not the SQL: compile the last statement the same way again.
    const traced = db.withPlugin({
      transformQuery(args) {
        seen.push(db.getExecutor().compileQuery(args.node, args.queryId));
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    await run(traced);
    const last = seen.at(-1);
    if (!last) throw new Error('no statement');
    const plan = await db.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${last.sql}`, [...last.parameters]),
    );
    console.log(`\n== ${label}`);
    for (const r of plan.rows) console.log(r['QUERY PLAN']);
  };
  console.log(
    `${RECORDS} records; load: ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await explain('person=W001, newest 51 (merged per credential)', (d) => listAuditRecords(d, 'bank', { person: 'W001' }, 51));
  await explain('person=W001, page before seq 300000', (d) => listAuditRecords(d, 'bank', { person: 'W001', beforeSeq: 300_000 }, 51));
  await explain('actor IN (her three credentials), newest 51 (one query)', (d) =>
    d
      .selectFrom('audit_records')
      .selectAll()
      .where('chain', '=', 'bank')
      .where('actor', 'in', ['staff:W001', 'key:key_monthly', 'key:key_spare'])
      .orderBy('seq', 'desc')
      .limit(51)
      .execute(),
  );
  await explain('person=W001 and method=GET (none match: each range read to its end)', (d) =>
    listAuditRecords(d, 'bank', { person: 'W001', method: 'GET' }, 51),
  );
  await opened.close();
} finally {
  await pg.stop();
}
