import type { Kysely } from 'kysely';

/*
 * Teams of books, and an override's evidence.
 *
 * A branch team lead oversees a few relationship managers: their credential was either one book (their
 * own) or the whole bank. A team is a set of books the bank defines (`teams`, `team_books`: a book is
 * the staff id of the RM who holds it); its lead, a book-scoped staff member, reads the team's books
 * besides their own (packages/api/README.md, "Teams"). A book may be in several teams. Removing a staff
 * member (or the tenant) takes their book out of its teams; a team whose lead goes keeps its books.
 *
 * `overrides.reason_category` and `overrides.evidence`: what an RM filing an override says it rests on
 * (a category from a fixed list, a document number or link), shown to the approver and bound by the
 * approval's content hash; null on requests filed without them, and on every request from before.
 *
 * Undoing drops the teams (a release before them reads one book per lead) but keeps the two override
 * columns, as the closings' migrations keep theirs: evidence an approver saw is part of the record.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('teams')
    .ifNotExists()
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('lead_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('teams_pk', ['tenant_id', 'id'])
    .execute();
  // Authentication reads the teams a lead leads on every token it verifies (cached for seconds).
  await db.schema.createIndex('teams_lead_idx').ifNotExists().on('teams').columns(['tenant_id', 'lead_id']).execute();
  await db.schema
    .createTable('team_books')
    .ifNotExists()
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_books_pk', ['tenant_id', 'team_id', 'staff_id'])
    .addForeignKeyConstraint('team_books_team_fk', ['tenant_id', 'team_id'], 'teams', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('team_books_staff_fk', ['tenant_id', 'staff_id'], 'staff', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  // A lead's per-book counts read the month's moves of one scheme (repositories/book-levels.ts).
  await db.schema
    .createIndex('tier_events_tenant_scheme_at_idx')
    .ifNotExists()
    .on('tier_events')
    .columns(['tenant_id', 'scheme', 'at'])
    .execute();
  const overrides = (await db.introspection.getTables()).find((t) => t.name === 'overrides');
  if (!overrides?.columns.some((c) => c.name === 'reason_category'))
    await db.schema.alterTable('overrides').addColumn('reason_category', 'text').execute();
  if (!overrides?.columns.some((c) => c.name === 'evidence'))
    await db.schema.alterTable('overrides').addColumn('evidence', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tier_events_tenant_scheme_at_idx').ifExists().execute();
  await db.schema.dropTable('team_books').ifExists().execute();
  await db.schema.dropTable('teams').ifExists().execute();
}
