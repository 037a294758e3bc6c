import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { insertJob, insertTenant, recordMetricWrites, type Db } from '@tierkit/db';
import { CompiledQuery, sql } from 'kysely';
import { allDialects } from '../support/databases.js';
import { watchStatements } from '../support/watched-statements.js';

/*
 * Every recorded metric write asks whether a whole-book re-tier of its month was queued since the
 * month's record (recordMetricWrites, packages/db/src/repositories/metrics.ts), "since" in the database's
 * write order (write_seq). That runs on nearly every `PUT …/metrics` of an API-fed bank, so it must read
 * the jobs queued since by an index, not every job the tenant ever had.
 */

const NOW = '2025-12-02T00:00:00.000Z';
const JOBS = 400;

for (const harness of allDialects()) {
  describe(`the jobs a metric write looks at (${harness.dialect})`, () => {
    let db: Db;
    before(async () => {
      db = await harness.open();
      await insertTenant(db.db, { id: 'bank-w', name: 'bank-w', metrics: [], now: NOW });
      for (let i = 0; i < JOBS; i++)
        await insertJob(db.db, {
          id: `job-${String(i).padStart(4, '0')}`,
          tenantId: 'bank-w',
          kind: 'retier',
          params: { period: '2025-01', schemes: null },
          requestedBy: 'ops',
          chunks: [],
          now: new Date(Date.parse(NOW) - (JOBS - i) * 3_600_000).toISOString(),
        });
      await recordMetricWrites(db.db, 'bank-w', [{ period: '2025-11', metric: 'avg_daily_balance' }], NOW);
      if (harness.dialect === 'postgres') await sql`ANALYZE jobs`.execute(db.db);
    });
    after(() => harness.stopAll());

    it('reads the jobs queued since the month was recorded by an index on the write order', async () => {
      const { watched, compiled } = watchStatements(db);
      // Moments after the month's record: the write looks for a job since before it rewrites the record.
      await recordMetricWrites(watched, 'bank-w', [{ period: '2025-11', metric: 'avg_daily_balance' }], '2025-12-02T00:00:01.000Z');
      const jobsQuery = compiled()
        .filter((q) => /from "jobs"/.test(q.sql))
        .at(-1);
      assert.ok(jobsQuery, 'the write looked for jobs since');
      const plan =
        harness.dialect === 'sqlite'
          ? (
              await db.db.executeQuery<{ detail: string }>(
                CompiledQuery.raw(`EXPLAIN QUERY PLAN ${jobsQuery.sql}`, [...jobsQuery.parameters]),
              )
            ).rows
              .map((r) => r.detail)
              .join(' | ')
          : await db.db.transaction().execute(async (trx) => {
              // A small table is read whole whatever its indexes: ask which index the planner can use.
              await sql`SET LOCAL enable_seqscan = off`.execute(trx);
              const rows = await trx.executeQuery<Record<string, string>>(
                CompiledQuery.raw(`EXPLAIN ${jobsQuery.sql}`, [...jobsQuery.parameters]),
              );
              return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
            });
      // A range of the write order, not the tenant's every job (`tenant_id=?` alone, or a filter on it).
      assert.match(
        plan,
        harness.dialect === 'sqlite'
          ? /jobs_tenant_write_seq_idx \(tenant_id=\? AND write_seq>\?\)/
          : /Index Cond: \(\(tenant_id = '[^']+'::text\) AND \(write_seq > '\d+'::bigint\)\)/,
        plan,
      );
    });
  });
}
