import { sql, type Kysely } from 'kysely';

/*
 * Requests that grant a staff member power — a new approver or admin, a role raised, a book widened to
 * the tenant — wait here for a second admin (four eyes on staff powers: packages/api/README.md, "Staff
 * and books"). `from_*` is the member as the maker saw them (null role and scope: a new member), `to_*`
 * what the grant gives; an approval applies only while the member still holds `from`.
 *
 * One pending grant per member (a partial unique index): a second one would decide against a `from`
 * the first changes. Undoing this drops the table: a release before this one applies grants at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staff_grants')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('from_role', 'text')
    .addColumn('from_scope', 'text')
    .addColumn('from_disabled_at', 'text')
    .addColumn('to_role', 'text', (c) => c.notNull())
    .addColumn('to_scope', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema
    .createIndex('staff_grants_pending_member_idx')
    .ifNotExists()
    .unique()
    .on('staff_grants')
    .columns(['tenant_id', 'staff_id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('staff_grants_queue_idx')
    .ifNotExists()
    .on('staff_grants')
    .columns(['tenant_id', 'status', 'requested_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('staff_grants').ifExists().execute();
}
