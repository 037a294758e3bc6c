import { CompiledQuery, sql, type OnConflictBuilder } from 'kysely';
import type { MetricObservation } from '@tierkit/core';
import type { Database, NewMetric } from '../schema.js';
import { rangeTenant, chunks, isPostgres, type Executor } from './executor.js';
import { nextWriteSeq, writeSeqOf } from './write-seq.js';

/** Per metric, per period (`YYYY-MM`), one integer: the shape `SubjectFacts.values` has. */
export type MetricValues = Record<string, Record<string, number>>;

/**
 * Who an upsert records as the writer of the values it inserts or changes of some metrics (those
 * feeding a scheme with sign-off levels: what the four-eyes check of a sign-off reads, {@link signOffInputWriters}),
 * in the rows themselves; and, for a batch, whom it tells of each such value written.
 */
export interface InputWriter {
  /** The `Principal.actor` recorded. */
  readonly actor: string;
  readonly metrics: ReadonlySet<string>;
  /**
   * Told the metric of each value of `metrics` written, and whether it replaced a stored value (an
   * import counts them for its audit record): {@link upsertMetricRows} only.
   */
  readonly onWritten?: (metric: string, replaced: boolean) => void;
}

/** A changed row's writer: the one bound, or (bound null: a metric feeding no sign-off) the one it had. */
const keptWriter = sql<string | null>`COALESCE(excluded.written_by, metrics.written_by)`;

/**
 * Insert or replace observations of one subject (same metric and period → the new value wins), and
 * record the months of the rows that changed as written at `writtenAt` ({@link recordMetricWrites}).
 * A value sent again unchanged is no new data: it neither writes nor restarts a month's settle wait
 * (a feed that re-sends a rolling window every night would otherwise never let a month settle).
 * With `writer`, the values of its metrics the write changes are recorded as its actor's.
 * Returns the metric and month of each value it inserted or changed: what its caller's audit record
 * says changed. Not what a read beforehand saw: on PostgreSQL a row another write inserted after that
 * read (not yet committed, so not locked by it) is found by the upsert, which leaves it as it is when
 * the value is the same.
 */
export async function upsertMetrics(
  db: Executor,
  tenantId: string,
  subjectId: string,
  observations: readonly MetricObservation[],
  writtenAt: string = new Date().toISOString(),
  writer?: InputWriter,
): Promise<{ period: string; metric: string }[]> {
  const changed: { period: string; metric: string }[] = [];
  for (const batch of chunks(observations)) {
    // The writer in the upsert itself: a second statement updating the row just written would, on
    // PostgreSQL, check its foreign key again (a row of this transaction's) and share-lock the customer.
    const rows = batch.map((o) => ({
      tenant_id: tenantId,
      subject_id: subjectId,
      metric: o.metric,
      period: o.period,
      value: o.value,
      ...(writer && { written_by: writer.metrics.has(o.metric) ? writer.actor : null }),
    }));
    changed.push(
      ...(await db
        .insertInto('metrics')
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns(['subject_id', 'metric', 'period'])
            .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), ...(writer && { written_by: keptWriter }) }))
            .where((eb) => eb('metrics.value', '<>', eb.ref('excluded.value'))),
        )
        .returning(['period', 'metric'])
        .execute()),
    );
  }
  // The months after the rows, as an import records them (before it commits): every writer locks
  // metrics rows first, then metric_periods, so an import and a write of the same row cannot deadlock.
  await recordMetricWrites(db, tenantId, changed, writtenAt);
  return changed;
}

const METRIC_COLUMNS = ['tenant_id', 'subject_id', 'metric', 'period', 'value'] as const;

/**
 * The rows with their keys in METRIC_COLUMNS order: the statement is compiled from the rows' own key
 * order, and the values are bound in METRIC_COLUMNS order, so a row built as `{ ...m, period }` would
 * otherwise store its month in the value column.
 */
function inColumnOrder(rows: readonly NewMetric[]): NewMetric[] {
  return rows.map((r) => ({ tenant_id: r.tenant_id, subject_id: r.subject_id, metric: r.metric, period: r.period, value: r.value }));
}
const BULK_ROWS = 2000;

/**
 * Bulk insert for seeding and imports (rows must be new), recorded as written at `writtenAt`. The multi-row statement is compiled once
 * per batch size and re-executed with new parameters: with a million rows, building the query
 * object each time costs more than SQLite spends inserting.
 */
export async function insertMetrics(db: Executor, rows: readonly NewMetric[], writtenAt: string = new Date().toISOString()): Promise<void> {
  const compiled = new Map<number, string>();
  for (const batch of chunks(rows, BULK_ROWS)) {
    let text = compiled.get(batch.length);
    if (text === undefined) {
      text = db.insertInto('metrics').values(inColumnOrder(batch)).compile().sql;
      compiled.set(batch.length, text);
    }
    const parameters: unknown[] = [];
    for (const r of batch) for (const c of METRIC_COLUMNS) parameters.push(r[c]);
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
  // After the rows, as every writer here does (upsertMetrics): rows, then months, never the reverse.
  await recordRowWrites(db, rows, writtenAt);
}

/** Every observation of a subject with `from ≤ period ≤ to` (both `YYYY-MM`, inclusive). */
export async function loadMetricValues(db: Executor, tenantId: string, subjectId: string, from: string, to: string): Promise<MetricValues> {
  const rows = await db
    .selectFrom('metrics')
    .select(['metric', 'period', 'value'])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', subjectId)
    .where('period', '>=', from)
    .where('period', '<=', to)
    .execute();
  const values: MetricValues = {};
  for (const r of rows) (values[r.metric] ??= {})[r.period] = Number(r.value);
  return values;
}

/**
 * The latest period with any observation for the subject (of one of `metrics`, when given), or
 * undefined when it has none.
 */
export async function latestMetricPeriod(
  db: Executor,
  tenantId: string,
  subjectId: string,
  metrics?: readonly string[],
): Promise<string | undefined> {
  let query = db
    .selectFrom('metrics')
    .select((eb) => eb.fn.max('period').as('latest'))
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', subjectId);
  if (metrics !== undefined) {
    if (metrics.length === 0) return undefined;
    query = query.where('metric', 'in', metrics);
  }
  const row = await query.executeTakeFirst();
  return row?.latest ?? undefined;
}

/**
 * The months `metric` has values in for the tenant, oldest first (from metric_periods: a month once
 * written stays listed). What a change of the metric's unit would silently re-read.
 */
export async function metricPeriodsWritten(db: Executor, tenantId: string, metric: string): Promise<string[]> {
  const rows = await db
    .selectFrom('metric_periods')
    .select('period')
    .where('tenant_id', '=', tenantId)
    .where('metric', '=', metric)
    .orderBy('period')
    .execute();
  return rows.map((r) => r.period);
}

/** Sum of each named metric over `from ≤ period ≤ to` (quota usage). Metrics without rows are absent. */
export async function sumMetrics(
  db: Executor,
  tenantId: string,
  subjectId: string,
  metrics: readonly string[],
  from: string,
  to: string,
): Promise<Record<string, number>> {
  if (metrics.length === 0) return {};
  const rows = await db
    .selectFrom('metrics')
    .select((eb) => ['metric', eb.fn.sum<number>('value').as('total')])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', subjectId)
    .where('metric', 'in', [...metrics])
    .where('period', '>=', from)
    .where('period', '<=', to)
    .groupBy('metric')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.metric, Number(r.total)]));
}

/** One sum to compute: `metric` over `from ≤ period ≤ to`, returned under `key`. */
export interface MetricWindow {
  readonly key: string;
  readonly metric: string;
  readonly from: string;
}

/**
 * Several sums over windows that all end at `to` (quota usage: the same metric may be counted per
 * month and per year), in one query: the months of the widest window are read once, grouped by
 * metric and month, and each window adds up its own months. Every window gets a total (0 without rows).
 */
export async function sumMetricWindows(
  db: Executor,
  tenantId: string,
  subjectId: string,
  windows: readonly MetricWindow[],
  to: string,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (windows.length === 0) return out;
  // Months are 'YYYY-MM' strings: the earliest sorts first.
  let from = to;
  for (const w of windows) if (w.from < from) from = w.from;
  const rows = await db
    .selectFrom('metrics')
    .select((eb) => ['metric', 'period', eb.fn.sum<number>('value').as('total')])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', subjectId)
    .where('metric', 'in', [...new Set(windows.map((w) => w.metric))])
    .where('period', '>=', from)
    .where('period', '<=', to)
    .groupBy(['metric', 'period'])
    .execute();
  for (const w of windows) out[w.key] = 0;
  for (const r of rows) {
    for (const w of windows) if (w.metric === r.metric && r.period >= w.from) out[w.key] = (out[w.key] ?? 0) + Number(r.total);
  }
  return out;
}

const UPSERT_ROWS = 2000;

/**
 * The full-batch upsert's SQL by dialect (Kysely's adapter, shared by a database and its
 * transactions): an import calls this once per batch, and building a 2,000-row Kysely query each
 * time costs more than SQLite spends running it. Shorter batches (a call's last) are compiled per
 * call on SQLite, so what is kept stays one text per dialect — two with the variant that records
 * writers. PostgreSQL's text binds one array per column (upsertSqlUnnest), the same for any size.
 */
const fullBatchUpsert = new WeakMap<object, string>();
const fullBatchUpsertWriting = new WeakMap<object, string>();

/**
 * Whether each returned row replaced a stored value rather than inserting one, told by the upsert
 * itself so that nothing is read for it: on PostgreSQL a row version an `ON CONFLICT DO UPDATE` wrote
 * carries the writing transaction in `xmax`, an inserted one 0; on SQLite an inserted row takes a rowid
 * above the table's largest before the statement (metrics has rowids, and never nears the last one,
 * past which SQLite would pick them at random), an updated row keeps its own.
 */
const replacedColumn = (db: Executor) =>
  (isPostgres(db) ? sql<number | boolean>`(xmax::text <> '0')` : sql<number | boolean>`rowid`).as('stored');

function upsertSql(db: Executor, batch: readonly NewMetric[], writing: boolean): string {
  // Bound in this order (upsertMetricRows): the columns of inColumnOrder, then the writer.
  const values = writing
    ? batch.map((r) => ({
        tenant_id: r.tenant_id,
        subject_id: r.subject_id,
        metric: r.metric,
        period: r.period,
        value: r.value,
        written_by: null,
      }))
    : inColumnOrder(batch);
  const q = db
    .insertInto('metrics')
    .values(values)
    .onConflict((oc) => onValueChanged(oc, writing))
    .returning(['tenant_id', 'period', 'metric']);
  return (writing ? q.returning(replacedColumn(db)) : q).compile().sql;
}

/** Both upserts' conflict rule: a stored value is replaced only when it differs (the writer kept with it). */
function onValueChanged(oc: OnConflictBuilder<Database, 'metrics'>, writing: boolean) {
  return oc
    .columns(['subject_id', 'metric', 'period'])
    .doUpdateSet((eb) => (writing ? { value: eb.ref('excluded.value'), written_by: keptWriter } : { value: eb.ref('excluded.value') }))
    .where((eb) => eb('metrics.value', '<>', eb.ref('excluded.value')));
}

/**
 * The upsert on PostgreSQL: the rows come as one array per column, bound in the order of
 * upsertMetricRows (METRIC_COLUMNS, then the writer), expanded by unnest. The server then parses and
 * plans a statement of 5 or 6 parameters per batch, not a multi-row VALUES list of 10,000 (12,000),
 * which cost the server a third more CPU for an import of a million rows (BENCHMARKS.md, import bench,
 * session 42). What it writes and returns is the same.
 */
function upsertSqlUnnest(db: Executor, writing: boolean): string {
  // Placeholders only: the text is kept and run with each batch's arrays.
  const none: never[] = [];
  const q = db
    .insertInto('metrics')
    .columns(writing ? [...METRIC_COLUMNS, 'written_by'] : [...METRIC_COLUMNS])
    .expression(
      writing
        ? sql`select * from unnest(${none}::text[], ${none}::text[], ${none}::text[], ${none}::text[], ${none}::bigint[], ${none}::text[])`
        : sql`select * from unnest(${none}::text[], ${none}::text[], ${none}::text[], ${none}::text[], ${none}::bigint[])`,
    )
    .onConflict((oc) => onValueChanged(oc, writing))
    .returning(['tenant_id', 'period', 'metric']);
  return (writing ? q.returning(replacedColumn(db)) : q).compile().sql;
}

/**
 * Insert or replace observations of any subjects, leaving a stored row with the same value untouched
 * (so loading the same data twice writes nothing, and an unchanged value keeps its writer). Rows must
 * not repeat a subject, metric and period (PostgreSQL refuses to update one row twice in a statement).
 * Returns the period of every row it inserted or changed; their months are recorded as written at
 * `writtenAt` (rows left untouched are not). A long transaction passes null and `changedKeys`, and
 * records them itself just before it commits: a month's record, once written, is locked until the
 * transaction ends. With `writer`, the values of its metrics are recorded as its actor's.
 */
export async function upsertMetricRows(
  db: Executor,
  rows: readonly NewMetric[],
  writtenAt: string | null = new Date().toISOString(),
  changedKeys?: Map<string, { readonly period: string; readonly metric: string }>,
  writer?: InputWriter,
): Promise<string[]> {
  const adapter = db.getExecutor().adapter;
  const kept = writer ? fullBatchUpsertWriting : fullBatchUpsert;
  const postgres = isPostgres(db);
  const changed: string[] = [];
  for (const batch of chunks(rows, UPSERT_ROWS)) {
    // PostgreSQL's text is the same for any batch size.
    const whole = postgres || batch.length === UPSERT_ROWS;
    let text = whole ? kept.get(adapter) : undefined;
    if (text === undefined) {
      text = postgres ? upsertSqlUnnest(db, writer !== undefined) : upsertSql(db, batch, writer !== undefined);
      if (whole) kept.set(adapter, text);
    }
    // SQLite: the largest rowid before the statement (one seek to the table's last row): a row at or below it was there.
    const before =
      writer && !postgres
        ? Number(
            (await db.executeQuery<{ top: number | null }>(CompiledQuery.raw('SELECT max(rowid) AS top FROM metrics'))).rows[0]?.top ?? 0,
          )
        : 0;
    const parameters: unknown[] = [];
    if (postgres) {
      const [tenants, subjects, metrics, periods, values, writers] = [[], [], [], [], [], []] as [
        string[],
        string[],
        string[],
        string[],
        number[],
        (string | null)[],
      ];
      for (const r of batch) {
        tenants.push(r.tenant_id);
        subjects.push(r.subject_id);
        metrics.push(r.metric);
        periods.push(r.period);
        values.push(r.value);
        if (writer) writers.push(writer.metrics.has(r.metric) ? writer.actor : null);
      }
      parameters.push(tenants, subjects, metrics, periods, values, ...(writer ? [writers] : []));
    } else if (writer) {
      const { actor, metrics } = writer;
      for (const r of batch) parameters.push(r.tenant_id, r.subject_id, r.metric, r.period, r.value, metrics.has(r.metric) ? actor : null);
    } else for (const r of batch) for (const c of METRIC_COLUMNS) parameters.push(r[c]);
    const result = await db.executeQuery<{ tenant_id: string; period: string; metric: string; stored?: number | boolean }>(
      CompiledQuery.raw(text, parameters),
    );
    for (const r of result.rows) {
      changed.push(r.period);
      if (writer?.metrics.has(r.metric)) writer.onWritten?.(r.metric, postgres ? r.stored === true : Number(r.stored) <= before);
      changedKeys?.set(`${r.period}\u0000${r.metric}`, { period: r.period, metric: r.metric });
    }
    if (writtenAt !== null) await recordRowWrites(db, result.rows, writtenAt);
  }
  return changed;
}

/**
 * A month's record of a metric is rewritten at most this often: an API-fed bank writes the same
 * tenant, month and metric from many requests at once, and on PostgreSQL each rewrite locks the row
 * until its transaction commits. So `last_written_at` may be up to this much older than the last write —
 * but never older than a job queued before the write (recordMetricWrites).
 */
export const METRIC_WRITE_RESOLUTION_MS = 60_000;

/**
 * Record that `entries` (month and metric) of the tenant were written at `writtenAt`: the month's
 * first write is kept, its last moved forward (at most once per {@link METRIC_WRITE_RESOLUTION_MS}).
 * Every metrics write of this module calls it, in the write's transaction.
 */
export async function recordMetricWrites(
  db: Executor,
  tenantId: string,
  entries: Iterable<{ readonly period: string; readonly metric: string }>,
  writtenAt: string,
): Promise<void> {
  const keys = new Map<string, { period: string; metric: string }>();
  for (const e of entries) keys.set(`${e.period}\u0000${e.metric}`, { period: e.period, metric: e.metric });
  if (keys.size === 0) return;
  const stale = new Date(Date.parse(writtenAt) - METRIC_WRITE_RESOLUTION_MS).toISOString();
  // Read first (no lock): most writes find their month recorded moments ago and write nothing here.
  const periods = [...new Set([...keys.values()].map((k) => k.period))];
  const recent: { key: string; at: string; seq: number }[] = [];
  for (const r of await db
    .selectFrom('metric_periods')
    .select(['period', 'metric', 'last_written_at', 'last_write_seq'])
    .where('tenant_id', '=', tenantId)
    .where('period', 'in', periods)
    .execute()) {
    if (r.last_written_at > stale)
      recent.push({ key: `${r.period}\u0000${r.metric}`, at: r.last_written_at, seq: writeSeqOf(r.last_write_seq) ?? 0 });
  }
  // Unless a whole-book re-tier of one of these months was queued since: the monthly schedule tells a
  // month's corrections from data its re-tier read by this record being later than the job
  // (schedule.ts, afterJob), so the first write after such a job is always recorded. A job for some
  // schemes or subjects, or the system's (policy activation), covers no month and does not count.
  // A policy simulation counts whatever it covers: the approver is told when the book's data changed
  // after the simulation they look at (simulation-staleness.ts), which only a write recorded after it shows.
  // "Since" in the database's write order (write_seq), not by the two hosts' clocks; jobs and records
  // from before it was kept, by their times. This runs on nearly every write: two index ranges, a
  // handful of rows (jobs_tenant_write_seq_idx; jobs_tenant_created_idx) — one OR of the two would
  // read every job of the tenant.
  // biome-ignore lint/complexity/useMathMinMax: ISO-8601 strings, compared as text; Math.min would make them NaN
  const oldest = recent.reduce((min, r) => (r.at < min ? r.at : min), writtenAt);
  const oldestSeq = Math.min(...recent.map((r) => r.seq));
  const months = new Set(periods);
  const columns = ['kind', 'schedule_key', 'requested_by', 'params'] as const;
  const jobSince =
    recent.length > 0 &&
    (
      await db
        .selectFrom('jobs')
        .select(columns)
        .where('tenant_id', '=', tenantId)
        .where('write_seq', '>', oldestSeq)
        .unionAll(
          db
            .selectFrom('jobs')
            .select(columns)
            .where('tenant_id', '=', tenantId)
            .where('created_at', '>=', oldest)
            .where('write_seq', 'is', null),
        )
        .execute()
    ).some((j) => {
      if (j.kind === 'simulate') return true;
      if (j.schedule_key !== null) return j.schedule_key.startsWith('monthly:') && months.has(j.schedule_key.slice(8, 15));
      if (j.requested_by === 'schedule' || j.requested_by.startsWith('policy:')) return false;
      const p = JSON.parse(j.params) as { period?: string | null; schemes?: unknown; filter?: Record<string, unknown> | null };
      return p.period != null && months.has(p.period) && p.schemes == null && Object.keys(p.filter ?? {}).length === 0;
    });
  if (!jobSince) for (const r of recent) keys.delete(r.key);
  if (keys.size === 0) return;
  // Always the same order: two writers locking the same months in different orders could deadlock.
  const ordered = [...keys.values()].sort((a, b) => a.period.localeCompare(b.period) || a.metric.localeCompare(b.metric));
  const seq = await nextWriteSeq(db);
  await db
    .insertInto('metric_periods')
    .values(
      ordered.map((k) => ({
        tenant_id: tenantId,
        period: k.period,
        metric: k.metric,
        first_written_at: writtenAt,
        last_written_at: writtenAt,
        last_write_seq: seq,
      })),
    )
    .onConflict((oc) =>
      // Each only forward: two writers may commit out of order, and a host whose clock is behind
      // another's still moves the write order (what tells a correction), if not the time.
      oc.columns(['tenant_id', 'period', 'metric']).doUpdateSet({
        last_written_at: sql<string>`CASE WHEN metric_periods.last_written_at < excluded.last_written_at THEN excluded.last_written_at ELSE metric_periods.last_written_at END`,
        last_write_seq: sql<number>`CASE WHEN metric_periods.last_write_seq IS NULL OR metric_periods.last_write_seq < excluded.last_write_seq THEN excluded.last_write_seq ELSE metric_periods.last_write_seq END`,
      }),
    )
    .execute();
}

/** {@link recordMetricWrites} for rows of any tenants. */
async function recordRowWrites(
  db: Executor,
  rows: readonly { readonly tenant_id: string; readonly period: string; readonly metric: string }[],
  writtenAt: string,
): Promise<void> {
  const byTenant = new Map<string, Map<string, { period: string; metric: string }>>();
  for (const r of rows) {
    let keys = byTenant.get(r.tenant_id);
    if (!keys) byTenant.set(r.tenant_id, (keys = new Map()));
    keys.set(`${r.period}\u0000${r.metric}`, r);
  }
  for (const [tenantId, keys] of byTenant) await recordMetricWrites(db, tenantId, keys.values(), writtenAt);
}

/** What a tenant's data holds for one month: how many metrics have any, and when the last was written. */
export interface MonthData {
  readonly metrics: readonly string[];
  readonly firstWrittenAt: string;
  /** Up to {@link METRIC_WRITE_RESOLUTION_MS} before the last write. */
  readonly lastWrittenAt: string;
  /** The last write's place in the database's write order (write_seq); null: written before it was kept. */
  readonly lastWriteSeq: number | null;
}

/**
 * The tenant's data for `period` (of `metrics` when given), or undefined when it has none; with
 * `through`, of `period` or any month before it (metrics read as the latest observation, however old).
 * Key lookups on metric_periods, whatever the book's size.
 */
export async function monthData(
  db: Executor,
  tenantId: string,
  period: string,
  metrics?: readonly string[],
  through = false,
): Promise<MonthData | undefined> {
  if (metrics !== undefined && metrics.length === 0) return undefined;
  let query = db
    .selectFrom('metric_periods')
    .select(['metric', 'first_written_at', 'last_written_at', 'last_write_seq'])
    .where('tenant_id', '=', tenantId)
    .where('period', through ? '<=' : '=', period);
  if (metrics !== undefined) query = query.where('metric', 'in', [...metrics]);
  const rows = await query.orderBy('metric').execute();
  if (rows.length === 0) return undefined;
  let first = '';
  let last = '';
  let lastSeq: number | null = null;
  for (const r of rows) {
    if (first === '' || r.first_written_at < first) first = r.first_written_at;
    if (r.last_written_at > last) last = r.last_written_at;
    const seq = writeSeqOf(r.last_write_seq);
    if (seq !== null && (lastSeq === null || seq > lastSeq)) lastSeq = seq;
  }
  return { metrics: [...new Set(rows.map((r) => r.metric))], firstWrittenAt: first, lastWrittenAt: last, lastWriteSeq: lastSeq };
}

/**
 * The latest month up to `upTo` (`YYYY-MM`) in which the tenant has data of any of `metrics` (none:
 * null): the month of figures a policy simulation reads (services/policy-simulation.ts in the API).
 */
export async function latestDataPeriodUpTo(
  db: Executor,
  tenantId: string,
  metrics: readonly string[],
  upTo: string,
): Promise<string | null> {
  if (metrics.length === 0) return null;
  // From the months each metric has (metric_periods, as monthData), not the observations: no index of
  // metrics leads with the tenant and metric, so a max over them read the whole book (14 s cold at
  // 100,000 customers) in the request that queues a simulation job.
  const row = await db
    .selectFrom('metric_periods')
    .select((eb) => eb.fn.max('period').as('latest'))
    .where('tenant_id', '=', tenantId)
    .where('metric', 'in', [...metrics])
    .where('period', '<=', upTo)
    .executeTakeFirst();
  return typeof row?.latest === 'string' ? row.latest : null;
}

/** The latest month of each metric the subject has data for. */
export async function latestPeriodByMetric(db: Executor, tenantId: string, subjectId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('metrics')
    .select((eb) => ['metric', eb.fn.max('period').as('latest')])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', subjectId)
    .groupBy('metric')
    .execute();
  return new Map(rows.map((r) => [r.metric, r.latest]));
}

/**
 * Observations with `from ≤ period ≤ to` of every subject with an id in `first … last` (a job
 * chunk), by subject: one range scan instead of a query per subject.
 */
export async function loadMetricValuesInRange(
  db: Executor,
  tenantId: string,
  first: string,
  last: string,
  from: string,
  to: string,
  metrics?: readonly string[],
): Promise<Map<string, MetricValues>> {
  let q = db
    .selectFrom('metrics')
    .select(['subject_id', 'metric', 'period', 'value'])
    .where(rangeTenant(tenantId))
    .where('subject_id', '>=', first)
    .where('subject_id', '<=', last)
    .where('period', '>=', from)
    .where('period', '<=', to);
  // A policy simulation reads only what its schemes read (services/policy-simulation.ts): a bank's
  // book carries many metrics no simulated scheme looks at.
  if (metrics) q = metrics.length ? q.where('metric', 'in', [...metrics]) : q.where(sql<boolean>`1 = 0`);
  const rows = await q.execute();
  const out = new Map<string, MetricValues>();
  for (const r of rows) {
    let values = out.get(r.subject_id);
    if (!values) out.set(r.subject_id, (values = {}));
    (values[r.metric] ??= {})[r.period] = Number(r.value);
  }
  return out;
}

/**
 * Which of `ids` (a tenant's subjects) have any data from `from` to `to`: what a read narrowed to
 * some metrics ({@link loadMetricValuesInRange}) cannot tell of a subject with none of those — a
 * re-tier evaluates a subject with any data, so a simulation of it must too.
 */
export async function subjectsWithDataIn(
  db: Executor,
  tenantId: string,
  ids: readonly string[],
  from: string,
  to: string,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const batch of chunks([...ids])) {
    const rows = await db
      .selectFrom('metrics')
      .select('subject_id')
      .distinct()
      .where(rangeTenant(tenantId))
      .where('subject_id', 'in', batch)
      .where('period', '>=', from)
      .where('period', '<=', to)
      .execute();
    for (const r of rows) out.add(r.subject_id);
  }
  return out;
}

/**
 * Add to `bySubject` each subject's latest observation of each of `metrics` before `before`, for the
 * subjects of `kind` with ids in `first … last` (or those of `ids`): what a policy input with no window (`window: null`,
 * the latest observation however old — a product's risk class rated years ago) reads besides the
 * months loaded from `before` on. One statement per metric, one index seek per subject (the metrics
 * key is subject, metric, period); subjects with no such observation are left as they are.
 */
export async function addLatestObservationsBefore(
  db: Executor,
  tenantId: string,
  subjects: { readonly first: string; readonly last: string; readonly kind: string } | { readonly ids: readonly string[] },
  metrics: Iterable<string>,
  before: string,
  bySubject: Map<string, MetricValues>,
): Promise<void> {
  if ('ids' in subjects && subjects.ids.length === 0) return;
  // SQLite would carry the subjects' id range over to the metrics and scan all of theirs; `+s.id`
  // stops it, so each subject is a seek by (subject, metric, period). PostgreSQL has no unary + on text.
  const subjectId = isPostgres(db) ? sql`s.id` : sql`+s.id`;
  for (const metric of metrics) {
    const { rows } = await sql<{ subject_id: string; period: string; value: number | string }>`
      SELECT m.subject_id, m.period, m.value FROM subjects s
      JOIN metrics m ON m.subject_id = ${subjectId} AND m.metric = ${metric} AND m.period = (
        SELECT max(p.period) FROM metrics p WHERE p.subject_id = s.id AND p.metric = ${metric} AND p.period < ${before})
      WHERE ${rangeTenant(tenantId, 's.tenant_id')} AND ${
        'ids' in subjects
          ? sql`s.id IN (${sql.join(subjects.ids)})`
          : sql`s.id >= ${subjects.first} AND s.id <= ${subjects.last} AND s.kind = ${subjects.kind}`
      }`.execute(db);
    for (const r of rows) {
      let values = bySubject.get(r.subject_id);
      if (!values) bySubject.set(r.subject_id, (values = {}));
      (values[metric] ??= {})[r.period] = Number(r.value);
    }
  }
}

/**
 * The stored values of one subject's `(metric, period)` pairs — what a write is about to replace, for
 * the audit trail — keyed `metric period`. On PostgreSQL the rows stay locked until the transaction
 * ends, so no other write can change them between this read and the caller's upsert; SQLite has one
 * writer at a time.
 */
export async function metricValuesForUpdate(
  db: Executor,
  tenantId: string,
  subjectId: string,
  keys: readonly { readonly metric: string; readonly period: string }[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (!keys.length) return found;
  const wanted = new Set(keys.map((k) => `${k.metric} ${k.period}`));
  let q = db
    .selectFrom('metrics')
    .select(['metric', 'period', 'value'])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', subjectId)
    .where('metric', 'in', [...new Set(keys.map((k) => k.metric))])
    .where('period', 'in', [...new Set(keys.map((k) => k.period))]);
  if (isPostgres(db)) q = q.forUpdate();
  for (const r of await q.execute()) {
    const key = `${r.metric} ${r.period}`;
    if (wanted.has(key)) found.set(key, Number(r.value));
  }
  return found;
}

/**
 * The stored months of one subject's metrics that `reads` read: per read, the latest month with a value
 * in `from … to` (`latest`: a plain latest-value read, or a `last` window — an AML assessment stands
 * until the next), or every month with a value there. `from` null: no lower bound.
 */
export async function monthsRead(
  db: Executor,
  tenantId: string,
  subjectId: string,
  reads: readonly { readonly metric: string; readonly from: string | null; readonly to: string; readonly latest: boolean }[],
): Promise<{ metric: string; period: string }[]> {
  const out = new Map<string, { metric: string; period: string }>();
  for (const r of reads) {
    let q = db
      .selectFrom('metrics')
      .select('period')
      .where('tenant_id', '=', tenantId)
      .where('subject_id', '=', subjectId)
      .where('metric', '=', r.metric)
      .where('period', '<=', r.to);
    if (r.from !== null) q = q.where('period', '>=', r.from);
    const rows = r.latest ? await q.orderBy('period', 'desc').limit(1).execute() : await q.execute();
    for (const row of rows) out.set(`${r.metric} ${row.period}`, { metric: r.metric, period: row.period });
  }
  return [...out.values()];
}

/*
 * The writers are read from the value's row and from `sign_off_input_writers`, the table the release
 * before kept them in (kept for one release: migration 2026-12-25T00-00-70-metric-writers). During a
 * rolling deploy an instance still on that release records its writes' writers there only, leaving the
 * column naming an earlier writer, so either may be the later one; both are barred, the fail-safe side —
 * a person who no longer wrote the value is barred a while longer, never one who did let through. Until
 * the table is dropped, a writer recorded there before the upgrade stays barred from that value even
 * after another person's write replaced it.
 */

/** Who last wrote, through the API's metric write or a metrics import, each of one subject's stored values `keys`. */
export async function signOffInputWriters(
  db: Executor,
  tenantId: string,
  subjectId: string,
  keys: readonly { readonly metric: string; readonly period: string }[],
): Promise<string[]> {
  const out = new Set<string>();
  for (const metric of new Set(keys.map((k) => k.metric))) {
    const periods = keys.filter((k) => k.metric === metric).map((k) => k.period);
    const rows = await db
      .selectFrom('metrics')
      .select('written_by')
      .where('tenant_id', '=', tenantId)
      .where('subject_id', '=', subjectId)
      .where('metric', '=', metric)
      .where('period', 'in', periods)
      .where('written_by', 'is not', null)
      .union(
        db
          .selectFrom('sign_off_input_writers')
          .select('written_by')
          .where('tenant_id', '=', tenantId)
          .where('subject_id', '=', subjectId)
          .where('metric', '=', metric)
          .where('period', 'in', periods),
      )
      .execute();
    for (const r of rows) if (r.written_by !== null) out.add(r.written_by);
  }
  return [...out];
}

/**
 * {@link signOffInputWriters} of many subjects' values at once (`keys`), in one query: each key with who
 * last wrote it (two, when the row and the old table name different people). Asked by the approvals
 * queue for a page's lowering requests, which read it item by item per metric.
 */
export async function signOffInputWritersOfMany(
  db: Executor,
  tenantId: string,
  keys: readonly { readonly subjectId: string; readonly metric: string; readonly period: string }[],
): Promise<{ subjectId: string; metric: string; period: string; writtenBy: string }[]> {
  if (keys.length === 0) return [];
  const wanted = new Set(keys.map((k) => JSON.stringify([k.subjectId, k.metric, k.period])));
  // The three lists cover every key and a few pairings of none, dropped below: a page's keys are hundreds at most.
  const subjects = [...new Set(keys.map((k) => k.subjectId))];
  const metrics = [...new Set(keys.map((k) => k.metric))];
  const periods = [...new Set(keys.map((k) => k.period))];
  const rows = await db
    .selectFrom('metrics')
    .select(['subject_id', 'metric', 'period', 'written_by'])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', subjects)
    .where('metric', 'in', metrics)
    .where('period', 'in', periods)
    .where('written_by', 'is not', null)
    .union(
      db
        .selectFrom('sign_off_input_writers')
        .select(['subject_id', 'metric', 'period', 'written_by'])
        .where('tenant_id', '=', tenantId)
        .where('subject_id', 'in', subjects)
        .where('metric', 'in', metrics)
        .where('period', 'in', periods),
    )
    .execute();
  const out: { subjectId: string; metric: string; period: string; writtenBy: string }[] = [];
  for (const r of rows)
    if (r.written_by !== null && wanted.has(JSON.stringify([r.subject_id, r.metric, r.period])))
      out.push({ subjectId: r.subject_id, metric: r.metric, period: r.period, writtenBy: r.written_by });
  return out;
}
