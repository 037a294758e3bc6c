import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { executeInBatches, INSERT_BATCH_ROWS, type Executor } from './executor.js';
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

/**
 * The observations staged already for these subjects (a batch's), by `subject\0metric\0period`:
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
    for (const r of rows) found.set(`${r.subject_id}\u0000${r.metric}\u0000${r.period}`, { value: r.value, line: Number(r.line) });
  }
  return found;
}

/** Stage a batch's observations; one already staged keeps its first row. */
export async function stageObservations(trx: Executor, rows: readonly StagedObservation[]): Promise<void> {
  const values = rows.map((r) => ({ subject_id: r.subjectId, metric: r.metric, period: r.period, value: String(r.value), line: r.line }));
  // The caller stages each observation once (its first row); ON CONFLICT guards a batch's repeat of an earlier one.
  await executeInBatches(
    trx,
    values,
    INSERT_BATCH_ROWS,
    (batch) =>
      staging(trx)
        .insertInto(STAGING)
        .values([...batch])
        .onConflict((oc) => oc.columns(['subject_id', 'metric', 'period']).doNothing()),
    'import_metric_keys.stage',
  );
}
