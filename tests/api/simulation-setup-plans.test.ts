import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs, enqueueRetier } from '@tierkit/api';
import { isPostgres, latestDataPeriodUpTo, latestEvaluatedPeriods } from '@tierkit/db';
import { CompiledQuery, type KyselyPlugin } from 'kysely';
import { loadBook } from '../support/book.js';
import { NOW, forEachDialect } from '../support/api-fixture.js';

/*
 * The request that queues a policy simulation job (`POST …/simulations`) decides the month first: the
 * latest month the scheme's levels judge and the latest month with data. At 100,000 customers those
 * two reads took 11 s and 14 s, each reading the whole book: the 202 took a minute. Each must be a
 * seek, whatever the book's size — checked here by the plans of the statements they send.
 */

forEachDialect('what a simulation is set up from is read by seeks', (f) => {
  before(async () => {
    await loadBook(f.db.db, 'bank-a', 60, ['2025-08', '2025-09', '2025-10'], NOW.toISOString());
    await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-10', now: NOW });
    await drainJobs({ db: f.db.db, now: () => NOW });
  });

  /** The statements `run` sends, and what it returns. */
  async function sent<T>(run: (db: typeof f.db.db) => Promise<T>): Promise<{ value: T; statements: CompiledQuery[] }> {
    const statements: CompiledQuery[] = [];
    const noting: KyselyPlugin = {
      transformQuery({ node, queryId }) {
        statements.push(f.db.db.getExecutor().compileQuery(node, queryId));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    return { value: await run(f.db.db.withPlugin(noting)), statements };
  }

  /** Each statement's plan as run: PostgreSQL with sequential scans off (a 60-customer table is read whole otherwise) and the rows each step gave. */
  async function plans(statements: readonly CompiledQuery[]): Promise<string[]> {
    const out: string[] = [];
    for (const q of statements) {
      if (isPostgres(f.db.db)) {
        out.push(
          await f.db.db.connection().execute(async (conn) => {
            await conn.executeQuery(CompiledQuery.raw('SET enable_seqscan = off'));
            try {
              const r = await conn.executeQuery<Record<string, string>>(
                CompiledQuery.raw(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${q.sql}`, [...q.parameters]),
              );
              return r.rows.map((row) => row['QUERY PLAN']).join('\n');
            } finally {
              await conn.executeQuery(CompiledQuery.raw('RESET enable_seqscan'));
            }
          }),
        );
      } else {
        const r = await f.db.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]));
        out.push(r.rows.map((row) => row.detail).join(' | '));
      }
    }
    return out;
  }

  it('the latest month each scheme judges: one index seek per scheme, one row read', async () => {
    const { value, statements } = await sent((db) => latestEvaluatedPeriods(db, 'bank-a', ['retail-tier', 'aml-test', 'no-such']));
    assert.deepEqual(Object.fromEntries(value), { 'retail-tier': '2025-10', 'aml-test': '2025-10' });
    for (const plan of await plans(statements)) {
      if (isPostgres(f.db.db))
        assert.match(
          plan,
          /Index Only Scan Backward using assignments_tenant_scheme_period_idx on assignments \(actual rows=[01](\.00)? /,
          plan,
        );
      else
        assert.match(
          plan,
          /^SEARCH assignments USING COVERING INDEX assignments_tenant_scheme_period_idx \(tenant_id=\? AND scheme=\?\)$/,
          plan,
        );
    }
  });

  it('the latest month with data: from the months the tenant has (metric_periods), not its observations', async () => {
    const { value, statements } = await sent((db) =>
      latestDataPeriodUpTo(db, 'bank-a', ['avg_daily_balance', 'aml_customer_risk'], '2025-09'),
    );
    assert.equal(value, '2025-09');
    assert.equal(statements.length, 1);
    const [plan = ''] = await plans(statements);
    assert.match(plan, /metric_periods/, plan);
    assert.doesNotMatch(plan, /\bmetrics\b|SCAN/, plan);
  });
});
