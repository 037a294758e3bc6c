import type { ImportRowError, ImportStatus, ImportTally, ProblemParam } from '@tierkit/core';
import { sql } from 'kysely';
import type { ImportRow } from '../schema.js';
import { chunks, isPostgres, parseJson, type Executor } from './executor.js';

/** An import's outcome so far (`running` until it finishes). */
export type { ImportStatus };

/**
 * An import as repositories hand it out: what the API sends (core's `ImportTally`, one home shared
 * with the admin kit), with the tenant, the stored kind and the error count as stored.
 */
export interface ImportRecord extends ImportTally {
  readonly tenantId: string;
  readonly kind: string;
  readonly errors: number;
}

/** One row error of an import. */
export type ImportErrorEntry = ImportRowError;

/** The outcome written when an import finishes. */
export type ImportOutcome = Pick<
  ImportRecord,
  'sha256' | 'bytes' | 'rows' | 'rejectedRows' | 'errors' | 'written' | 'unchanged' | 'periods' | 'retiered' | 'detail'
> & {
  readonly status: Exclude<ImportStatus, 'running'>;
  readonly finishedAt: string;
};

function toImport(row: ImportRow): ImportRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    status: row.status as ImportStatus,
    options: parseJson<Record<string, unknown>>(row.options),
    fileName: row.file_name,
    sha256: row.sha256,
    // int8 comes back from PostgreSQL as a string.
    bytes: Number(row.bytes),
    rows: Number(row.rows),
    rejectedRows: Number(row.rejected_rows),
    errors: Number(row.errors),
    written: Number(row.written),
    unchanged: Number(row.unchanged),
    periods: parseJson<string[]>(row.periods),
    retiered: row.retiered === null ? [] : parseJson<ImportRecord['retiered']>(row.retiered),
    detail: row.detail,
    createdBy: row.created_by,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/** Record a new import as running. */
export async function createImport(
  db: Executor,
  input: {
    readonly id: string;
    readonly tenantId: string;
    readonly kind: string;
    readonly options: Readonly<Record<string, unknown>>;
    readonly fileName: string | null;
    readonly createdBy: string;
    readonly createdAt: string;
    /** The process running it, `host pid`: see {@link listRunningImports}. */
    readonly owner?: string;
    /** It records its importer per risk-input value it changes (`metrics.written_by`): see {@link metricImportersOf}. */
    readonly valueWriters?: boolean;
  },
): Promise<void> {
  await db
    .insertInto('imports')
    .values({
      id: input.id,
      tenant_id: input.tenantId,
      kind: input.kind,
      status: 'running',
      options: JSON.stringify(input.options),
      file_name: input.fileName,
      sha256: null,
      bytes: 0,
      rows: 0,
      rejected_rows: 0,
      errors: 0,
      written: 0,
      unchanged: 0,
      periods: '[]',
      created_by: input.createdBy,
      created_at: input.createdAt,
      finished_at: null,
      detail: null,
      owner: input.owner ?? null,
      value_writers: input.valueWriters ? 1 : null,
    })
    .execute();
}

/** Write an import's outcome. */
export async function finishImport(db: Executor, tenantId: string, id: string, o: ImportOutcome): Promise<void> {
  await db
    .updateTable('imports')
    .set({
      status: o.status,
      sha256: o.sha256,
      bytes: o.bytes,
      rows: o.rows,
      rejected_rows: o.rejectedRows,
      errors: o.errors,
      written: o.written,
      unchanged: o.unchanged,
      periods: JSON.stringify(o.periods),
      retiered: JSON.stringify(o.retiered),
      detail: o.detail,
      finished_at: o.finishedAt,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Remove an import and its errors (an upload refused as a whole leaves nothing behind). */
export async function deleteImport(db: Executor, tenantId: string, id: string): Promise<void> {
  await db
    .deleteFrom('import_errors')
    .where('import_id', 'in', db.selectFrom('imports').select('id').where('tenant_id', '=', tenantId).where('id', '=', id))
    .execute();
  await db.deleteFrom('imports').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Append row errors numbered from `firstSeq`. */
export async function insertImportErrors(
  db: Executor,
  importId: string,
  firstSeq: number,
  errors: readonly ImportErrorEntry[],
): Promise<void> {
  let seq = firstSeq;
  for (const batch of chunks(errors)) {
    await db
      .insertInto('import_errors')
      .values(
        batch.map((e) => ({
          import_id: importId,
          seq: seq++,
          line: e.line,
          column_name: e.column,
          message: e.message,
          code: e.code ?? null,
          params: e.params ? JSON.stringify(e.params) : null,
        })),
      )
      .execute();
  }
}

/** One import of the tenant, or undefined. */
export async function findImport(db: Executor, tenantId: string, id: string): Promise<ImportRecord | undefined> {
  const row = await db.selectFrom('imports').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row ? toImport(row) : undefined;
}

/**
 * Who loaded metrics of `period` by an import that recorded no writer per value, up to `at`: the actors
 * of the tenant's metrics imports from before the upgrade that records them (`value_writers` null), or
 * given no sign-off metrics, that changed values of that month. Nothing tells which customers' values
 * such an import loaded, so its importer stays barred from every sign-off reading the month; an import
 * since names its importer per value in `metrics.written_by` and is not listed here (docs/domain.md
 * §4, "Lowering a sign-off level").
 */
export async function metricImportersOf(db: Executor, tenantId: string, period: string, at: string): Promise<string[]> {
  const rows = await db
    .selectFrom('imports')
    .select(['created_by', 'periods'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'metrics')
    .where('created_at', '<=', at)
    .where('value_writers', 'is', null)
    // Whatever its status: `periods` lists only the months it changed (a failed one, none). A JSON
    // array of `YYYY-MM`, so no LIKE wildcard can occur; parsed below to be exact.
    .where('periods', 'like', `%"${period}"%`)
    .execute();
  return [...new Set(rows.filter((r) => parseJson<string[]>(r.periods).includes(period)).map((r) => r.created_by))];
}

/** The tenant's imports, newest first, after (older than) `beforeId` when given. */
export async function listImports(db: Executor, tenantId: string, limit: number, beforeId?: string): Promise<ImportRecord[]> {
  let q = db.selectFrom('imports').selectAll().where('tenant_id', '=', tenantId);
  if (beforeId !== undefined) q = q.where('id', '<', beforeId);
  return (await q.orderBy('id', 'desc').limit(limit).execute()).map(toImport);
}

/** Row errors of an import in file order, those numbered after `afterSeq` when given. */
export async function listImportErrors(
  db: Executor,
  importId: string,
  limit: number,
  afterSeq?: number,
): Promise<(ImportErrorEntry & { readonly seq: number })[]> {
  let q = db
    .selectFrom('import_errors')
    .select(['seq', 'line', 'column_name', 'message', 'code', 'params'])
    .where('import_id', '=', importId);
  if (afterSeq !== undefined) q = q.where('seq', '>', afterSeq);
  const rows = await q.orderBy('seq').limit(limit).execute();
  // A row stored before codes has neither: it reads as its message alone.
  return rows.map((r) => ({
    seq: Number(r.seq),
    line: Number(r.line),
    column: r.column_name,
    message: r.message,
    ...(r.code === null ? {} : { code: r.code }),
    ...(r.params === null ? {} : { params: parseJson<Record<string, ProblemParam>>(r.params) }),
  }));
}

/** An import still marked running: who runs it (`host pid`, null if not recorded) and since when. */
export interface RunningImport {
  readonly id: string;
  readonly tenantId: string;
  readonly owner: string | null;
  readonly createdAt: string;
  /** The file's name as it was sent (null when none was given): what an operator knows the import by. */
  readonly fileName: string | null;
}

/** Imports still marked running, of one tenant or of all. */
export async function listRunningImports(db: Executor, tenantId?: string): Promise<RunningImport[]> {
  let q = db.selectFrom('imports').select(['id', 'tenant_id', 'owner', 'created_at', 'file_name']).where('status', '=', 'running');
  if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, owner: r.owner, createdAt: r.created_at, fileName: r.file_name }));
}

/** Mark a running import failed with the reason; false when it is no longer running (it finished meanwhile). */
export async function failRunningImport(db: Executor, tenantId: string, id: string, detail: string, finishedAt: string): Promise<boolean> {
  const r = await db
    .updateTable('imports')
    .set({ status: 'failed', detail, finished_at: finishedAt })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

const lockKey = (id: string) => sql`hashtextextended(${`tierkit-import:${id}`}, 0)`;

/**
 * On PostgreSQL, take the transaction-scoped advisory lock that says this import is running: the
 * server releases it when the transaction ends or its connection dies with the process, on whatever
 * machine. Nothing on SQLite (one machine: the owner's process id is checked instead).
 */
export async function lockRunningImport(trx: Executor, id: string): Promise<void> {
  if (!isPostgres(trx)) return;
  await sql`SELECT pg_advisory_xact_lock(${lockKey(id)})`.execute(trx);
}

/** On PostgreSQL, whether no session holds a running import's lock (its process is gone); undefined on SQLite. */
export async function runningImportUnlocked(db: Executor, id: string): Promise<boolean | undefined> {
  if (!isPostgres(db)) return undefined;
  // Taken and released at once: a transaction-scoped try-lock ends with its transaction.
  return db.transaction().execute(async (trx) => {
    const r = await sql<{ free: boolean }>`SELECT pg_try_advisory_xact_lock(${lockKey(id)}) AS free`.execute(trx);
    return r.rows[0]?.free === true;
  });
}
