import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';
import { INSERT_BATCH_ROWS, isPostgres, type Executor } from './executor.js';
import { dropStaging, temporaryTable } from './staging.js';

/**
 * A metrics import's observations as first given in the file — subject, metric, month, value and the
 * line — staged in a temporary table of the importing transaction (staging.ts) as the file is read,
 * so a later row giving the same observation another value is found however far down the file, in
 * pages rather than the process's heap (a file of a million rows).
 */
type StagingTables = {
  import_metric_keys: {
    subject_id: string;
    metric: string;
    period: string;
    value: string;
    line: number;
  };
};

type Staging = Kysely<Database & StagingTables>;
const staging = (db: Executor) => db.withTables<StagingTables>() as unknown as Staging;

const STAGING = 'import_metric_keys';

/** An observation of a metrics file: the first row that gave it. */
export interface StagedObservation {
  readonly subjectId: string;
  readonly metric: string;
  readonly period: string;
  readonly value: number;
  readonly line: number;
}

/** Create the staging table in `trx` (an open transaction: it lives and dies with it). */
export async function createMetricKeyStaging(trx: Executor): Promise<void> {
  // SQLite's temporary tables get a 2 MiB page cache by default; a million-row file's keys spill
  // past it and every probe reads the temp file. 64 MiB for the import's connection.
  if (!isPostgres(trx)) await sql`PRAGMA temp.cache_size = -65536`.execute(trx);
  await temporaryTable(trx, STAGING)
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    // As text: compared for equality only, and a bigint column reads back as a string on PostgreSQL.
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_metric_keys_pk', ['subject_id', 'metric', 'period'])
    .execute();
}

/** Drop the staging table before the commit (SQLite keeps a temporary table for the connection's life). */
export async function dropMetricKeyStaging(trx: Executor): Promise<void> {
  await dropStaging(trx, [STAGING]);
}

/** The key of an observation, `subject\0metric\0period`. */
export const observationKey = (subjectId: string, metric: string, period: string): string => `${subjectId}\u0000${metric}\u0000${period}`;

/**
 * The staged observations with these keys (a batch's repeats of earlier batches'), by observationKey:
 * an index range per subject.
 */
export async function stagedObservations(
  trx: Executor,
  subjectIds: readonly string[],
): Promise<Map<string, { readonly value: string; readonly line: number }>> {
  const found = new Map<string, { value: string; line: number }>();
  const ids = [...new Set(subjectIds)];
  for (let i = 0; i < ids.length; i += INSERT_BATCH_ROWS) {
    const rows = await staging(trx)
      .selectFrom(STAGING)
      .select(['subject_id', 'metric', 'period', 'value', 'line'])
      .where('subject_id', 'in', ids.slice(i, i + INSERT_BATCH_ROWS))
      .execute();
    for (const r of rows) found.set(observationKey(r.subject_id, r.metric, r.period), { value: r.value, line: Number(r.line) });
  }
  return found;
}

/**
 * Stage a batch's observations (each once: its first row in the batch) and return the keys staged
 * now; a key not returned was staged by an earlier batch, the only ones the caller need read back.
 * One INSERT … ON CONFLICT DO NOTHING RETURNING per chunk: reading every batch's keys back first made
 * a metrics import ~4.9× a raw insert (BENCHMARKS.md, import).
 */
export async function stageObservations(trx: Executor, rows: readonly StagedObservation[]): Promise<Set<string>> {
  const staged = new Set<string>();
  for (let i = 0; i < rows.length; i += INSERT_BATCH_ROWS) {
    const chunk = rows.slice(i, i + INSERT_BATCH_ROWS);
    const back = await staging(trx)
      .insertInto(STAGING)
      .values(chunk.map((r) => ({ subject_id: r.subjectId, metric: r.metric, period: r.period, value: String(r.value), line: r.line })))
      .onConflict((oc) => oc.columns(['subject_id', 'metric', 'period']).doNothing())
      .returning(['subject_id', 'metric', 'period'])
      .execute();
    for (const r of back) staged.add(observationKey(r.subject_id, r.metric, r.period));
  }
  return staged;
}

/** Unstage observations staged by a batch for rows it then rejected. */
export async function unstageObservations(trx: Executor, rows: readonly StagedObservation[]): Promise<void> {
  for (const r of rows) {
    await staging(trx)
      .deleteFrom(STAGING)
      .where('subject_id', '=', r.subjectId)
      .where('metric', '=', r.metric)
      .where('period', '=', r.period)
      .execute();
  }
}
