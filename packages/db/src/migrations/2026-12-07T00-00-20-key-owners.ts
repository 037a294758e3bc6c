import type { Kysely } from 'kysely';

/*
 * Who an API key belongs to: a staff member of its tenant, or nobody (`NULL`, as every key created
 * before). Four eyes compares people, not credentials: a key its owner holds counts as that staff
 * member, so one person's two keys, or their key and their console session, cannot both request and
 * approve. An owner is set when the key is created and never changed (to hand a key to someone else,
 * create theirs and revoke this one), so what a stored `key:<id>` meant stays what it means.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('staff_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('staff_id').execute();
}
