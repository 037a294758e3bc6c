import { type Kysely, sql } from 'kysely';

/*
 * Every move of a subject between books, kept: `subject_managers` holds only whose book a subject is
 * in now, so once a customer was moved nobody could say whose book it was in when a request was
 * filed or a level changed — a compliance officer's first question after a complaint. One row per
 * change (a subject put in a book, moved, or taken out of every book), written in the transaction
 * of the move itself by every path that moves subjects. Moves made before this migration were not
 * recorded; each subject's current manager is written as one row dated when it was assigned
 * (`recorded` 0, ordered before any move made at the same instant), so the history starts from what is known.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('book_moves')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id').onDelete('cascade'))
    .addColumn('from_staff', 'text')
    .addColumn('to_staff', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    // 0: the assignment this migration found, not a move it saw made.
    .addColumn('recorded', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('book_moves_subject_idx').on('book_moves').columns(['tenant_id', 'subject_id', 'at', 'id']).execute();
  await sql`
    INSERT INTO book_moves (id, tenant_id, subject_id, from_staff, to_staff, at, actor, recorded)
    SELECT assigned_at || '.000000000000.' || subject_id, tenant_id, subject_id, NULL, staff_id, assigned_at, assigned_by, 0
    FROM subject_managers`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('book_moves').ifExists().execute();
}
