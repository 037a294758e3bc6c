import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { executeInBatches, INSERT_BATCH_ROWS, type Executor } from './executor.js';
import { dropStaging, temporaryTable } from './staging.js';
import { assignManagers, managersOf, type ManagerAssignment } from './staff.js';

/**
 * A managers import's file, staged in temporary tables of the importing transaction (staging.ts): one
 * row per subject of the file (the book it ends in), then one per move made.
 */
type StagingTables = {
  import_book_targets: { subject_id: string; external_id: string; staff_id: string | null };
  import_book_moves: { subject_id: string; external_id: string; from_staff: string | null; to_staff: string | null; at: string };
};

type Staging = Kysely<Database & StagingTables>;
const staging = (db: Executor) => db.withTables<StagingTables>() as unknown as Staging;

/** One subject of a managers file: its internal and external id, and the book it ends in (null: none). */
export interface StagedBook {
  readonly subjectId: string;
  readonly externalId: string;
  readonly staffId: string | null;
}

/** A move made from a staged file, with the subject's external id for its audit record. */
export interface StagedMove {
  readonly subjectId: string;
  readonly externalId: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly at: string;
}

/** Create the staging tables in `trx` (an open transaction: they live and die with it). */
export async function createBookStaging(trx: Executor): Promise<void> {
  await temporaryTable(trx, 'import_book_targets')
    .addColumn('subject_id', 'text', (c) => c.primaryKey())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text')
    .execute();
  await temporaryTable(trx, 'import_book_moves')
    .addColumn('subject_id', 'text', (c) => c.primaryKey())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('from_staff', 'text')
    .addColumn('to_staff', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
}

/** Drop the staging tables before the commit (SQLite keeps a temporary table for the connection's life). */
export async function dropBookStaging(trx: Executor): Promise<void> {
  await dropStaging(trx, ['import_book_moves', 'import_book_targets']);
}

/**
 * Stage the books of a batch of a file's rows. A subject named again ends in the book its later row
 * names (the rule of a managers file): within `rows` the later wins, and over an earlier batch too.
 */
export async function stageBooks(trx: Executor, rows: readonly StagedBook[]): Promise<void> {
  // One statement may not touch a row twice (PostgreSQL refuses ON CONFLICT … DO UPDATE doing so).
  const latest = new Map<string, StagedBook>();
  for (const r of rows) latest.set(r.subjectId, r);
  const values = [...latest.values()].map((r) => ({ subject_id: r.subjectId, external_id: r.externalId, staff_id: r.staffId }));
  // Compiled once per batch length and re-run: a million-row file is two thousand of these statements.
  await executeInBatches(
    trx,
    values,
    INSERT_BATCH_ROWS,
    (batch) =>
      staging(trx)
        .insertInto('import_book_targets')
        .values([...batch])
        .onConflict((oc) =>
          oc
            .column('subject_id')
            .doUpdateSet((eb) => ({ staff_id: eb.ref('excluded.staff_id'), external_id: eb.ref('excluded.external_id') })),
        ),
    'import_book_targets.stage',
  );
}

/** Subjects staged and moved by `moveStagedBooks`. */
export interface StagedMoveCount {
  readonly staged: number;
  readonly moved: number;
}

/** Staged subjects moved per `assignManagers` call: its working set (plans, locks, moves) is this many. */
export const STAGED_MOVE_PAGE = 5000;

/**
 * Move every staged subject into the book its file names, page by page in ascending subject id, each
 * page through `assignManagers` (a subject already in that book is left alone, its row not locked).
 * Every page's subject ids are above the last page's, so over the whole transaction the book rows are
 * locked in one global order — subject id — as a single call would lock them: a bulk move of the same
 * customers (which locks its own in that order) queues behind the import or the import behind it,
 * never each behind the other. With `keepMoves` the moves are staged for `stagedMoves` (the audit,
 * written last); without it nothing reads them, so they are not written.
 */
export async function moveStagedBooks(
  trx: Executor,
  tenantId: string,
  actor: string,
  clock: () => string,
  options: { readonly keepMoves: boolean; readonly pageRows?: number },
): Promise<StagedMoveCount> {
  const pageRows = options.pageRows ?? STAGED_MOVE_PAGE;
  if (!Number.isInteger(pageRows) || pageRows < 1) throw new Error(`moveStagedBooks: pageRows must be a positive integer, not ${pageRows}`);
  const db = staging(trx);
  let staged = 0;
  let moved = 0;
  let after: string | null = null;
  for (;;) {
    let q = db.selectFrom('import_book_targets').select(['subject_id', 'external_id', 'staff_id']);
    if (after !== null) q = q.where('subject_id', '>', after);
    const page = await q.orderBy('subject_id').limit(pageRows).execute();
    if (!page.length) break;
    after = page[page.length - 1]?.subject_id ?? null;
    staged += page.length;
    const current = await managersOf(
      trx,
      tenantId,
      page.map((r) => r.subject_id),
    );
    const changed: ManagerAssignment[] = [];
    const externalIds = new Map<string, string>();
    for (const r of page)
      if ((current.get(r.subject_id) ?? null) !== r.staff_id) {
        changed.push({ subjectId: r.subject_id, staffId: r.staff_id });
        externalIds.set(r.subject_id, r.external_id);
      }
    if (!changed.length) continue;
    // Counted from the moves made, read under the book rows' locks: another move may have landed since `current`.
    const made = await assignManagers(trx, tenantId, changed, actor, clock);
    moved += made.length;
    if (!options.keepMoves) continue;
    const rows = made.map((m) => ({
      subject_id: m.subjectId,
      external_id: externalIds.get(m.subjectId) ?? m.subjectId,
      from_staff: m.from,
      to_staff: m.to,
      at: m.at,
    }));
    await executeInBatches(
      trx,
      rows,
      INSERT_BATCH_ROWS,
      (batch) => db.insertInto('import_book_moves').values([...batch]),
      'import_book_moves.stage',
    );
  }
  return { staged, moved };
}

/** The moves `moveStagedBooks` made (with `keepMoves`; none without), in ascending subject id, `pageRows` at a time. */
export async function* stagedMoves(trx: Executor, pageRows: number): AsyncGenerator<StagedMove[]> {
  const db = staging(trx);
  let after: string | null = null;
  for (;;) {
    let q = db.selectFrom('import_book_moves').select(['subject_id', 'external_id', 'from_staff', 'to_staff', 'at']);
    if (after !== null) q = q.where('subject_id', '>', after);
    const page = await q.orderBy('subject_id').limit(pageRows).execute();
    if (!page.length) return;
    after = page[page.length - 1]?.subject_id ?? null;
    yield page.map((r) => ({ subjectId: r.subject_id, externalId: r.external_id, from: r.from_staff, to: r.to_staff, at: r.at }));
  }
}
