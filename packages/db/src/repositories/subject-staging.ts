import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ClosingWrite } from './subjects.js';
import { executeInBatches, INSERT_BATCH_ROWS, type Executor } from './executor.js';
import { dropStaging, temporaryTable } from './staging.js';

/**
 * A subjects import's changes to customers that already exist, staged in a temporary table of the
 * importing transaction (staging.ts) as the file is read, and applied once it is read in ascending
 * subject id: one row per customer and batch of the file that names them (`seq`, the batch's number),
 * so a customer named in three batches is changed three times, in file order, as if each batch had
 * written them when it was read.
 */
type StagingTables = {
  import_subject_changes: {
    subject_id: string;
    seq: number;
    line: number;
    external_id: string;
    display_name: string;
    attributes: string;
    closed_at: string | null;
    closed_reason: string | null;
    left_at: string | null;
    closed_late: number | null;
  };
};

type Staging = Kysely<Database & StagingTables>;
const staging = (db: Executor) => db.withTables<StagingTables>() as unknown as Staging;

/** One row of a subjects file for a customer that exists: what it names them and closes them with. */
export interface StagedSubjectChange {
  readonly subjectId: string;
  /** The batch of the file the row is in: a customer's changes are applied in this order. */
  readonly seq: number;
  /** The row's line in the file. */
  readonly line: number;
  readonly externalId: string;
  readonly displayName: string;
  /** The attributes the row names (the others the customer has are kept). */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** `late`: the row said the closing was learnt late (closedLate), for the closing's audit record. */
  readonly closed?: ClosingWrite & { readonly late?: boolean };
}

const STAGING = 'import_subject_changes';

/** Create the staging table in `trx` (an open transaction: it lives and dies with it). */
export async function createSubjectStaging(trx: Executor): Promise<void> {
  await temporaryTable(trx, STAGING)
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('closed_reason', 'text')
    .addColumn('left_at', 'text')
    .addColumn('closed_late', 'integer')
    .addPrimaryKeyConstraint('import_subject_changes_pk', ['subject_id', 'seq'])
    .execute();
}

/** Drop the staging table before the commit (SQLite keeps a temporary table for the connection's life). */
export async function dropSubjectStaging(trx: Executor): Promise<void> {
  await dropStaging(trx, [STAGING]);
}

/** Stage one batch's changes; a batch names each customer once (its caller keeps a customer's last row). */
export async function stageSubjectChanges(trx: Executor, rows: readonly StagedSubjectChange[]): Promise<void> {
  const values = rows.map((r) => ({
    subject_id: r.subjectId,
    seq: r.seq,
    line: r.line,
    external_id: r.externalId,
    display_name: r.displayName,
    attributes: JSON.stringify(r.attributes),
    closed_at: r.closed?.at ?? null,
    closed_reason: r.closed?.reason ?? null,
    left_at: r.closed?.leftAt ?? null,
    closed_late: r.closed?.late ? 1 : null,
  }));
  // Compiled once per batch length and re-run: a million-row file is two thousand of these statements.
  await executeInBatches(
    trx,
    values,
    INSERT_BATCH_ROWS,
    (batch) =>
      staging(trx)
        .insertInto(STAGING)
        .values([...batch]),
    'import_subject_changes.stage',
  );
}

/**
 * The staged changes in ascending subject id, and a customer's in the order of the file's batches,
 * in pages of whole customers: `pageRows` rows, and then the rest of the last customer's (at most one
 * per batch of the file). A customer's changes are not split across pages: split over two, the
 * second page's read could see a write committed since the first's and lose what the earlier rows
 * said (packages/api, applyStagedSubjects).
 */
export async function* stagedSubjectChanges(trx: Executor, pageRows: number): AsyncGenerator<StagedSubjectChange[]> {
  if (!Number.isInteger(pageRows) || pageRows < 1)
    throw new Error(`stagedSubjectChanges: pageRows must be a positive integer, not ${pageRows}`);
  const db = staging(trx);
  let after: string | null = null;
  for (;;) {
    let q = db.selectFrom(STAGING).selectAll();
    if (after !== null) q = q.where('subject_id', '>', after);
    const page = await q.orderBy('subject_id').orderBy('seq').limit(pageRows).execute();
    const last = page[page.length - 1];
    if (!last) return;
    // A full page may have cut its last customer's changes short: the rest, from the primary key's index.
    if (page.length === pageRows)
      page.push(
        ...(await db
          .selectFrom(STAGING)
          .selectAll()
          .where('subject_id', '=', last.subject_id)
          .where('seq', '>', last.seq)
          .orderBy('seq')
          .execute()),
      );
    after = last.subject_id;
    yield page.map((r) => ({
      subjectId: r.subject_id,
      seq: Number(r.seq),
      line: Number(r.line),
      externalId: r.external_id,
      displayName: r.display_name,
      attributes: JSON.parse(r.attributes) as Record<string, unknown>,
      ...(r.closed_at === null
        ? {}
        : { closed: { at: r.closed_at, reason: r.closed_reason, leftAt: r.left_at, late: Number(r.closed_late) === 1 } }),
    }));
  }
}
