import type { Kysely } from 'kysely';

/*
 * Staff members and their books. Which staff member manages which customers is the bank's data (it
 * imports and changes it); a staff member whose scope is `book` (a relationship manager) reads only
 * the subjects managed by them. A subject has at most one manager, so the relation is keyed by the
 * subject; a manager must be a staff member of the same tenant.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staff')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('staff_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('subject_managers')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id').onDelete('cascade'))
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addColumn('assigned_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('subject_managers_pk', ['tenant_id', 'subject_id'])
    .addForeignKeyConstraint('subject_managers_staff_fk', ['tenant_id', 'staff_id'], 'staff', ['tenant_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  // A book in subject order: the RM's list pages through it, the matrix counts it.
  await db.schema
    .createIndex('subject_managers_book_idx')
    .on('subject_managers')
    .columns(['tenant_id', 'staff_id', 'subject_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('subject_managers').ifExists().execute();
  await db.schema.dropTable('staff').ifExists().execute();
}
