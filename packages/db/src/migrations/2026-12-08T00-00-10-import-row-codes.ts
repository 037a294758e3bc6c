import type { Kysely } from 'kysely';

/*
 * An import's row errors get the stable `code` and `params` (JSON) the API's other field errors carry,
 * for a host to word them in its own language. Rows stored before keep both NULL: read back with
 * their English message only.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_errors').addColumn('code', 'text').execute();
  await db.schema.alterTable('import_errors').addColumn('params', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_errors').dropColumn('params').execute();
  await db.schema.alterTable('import_errors').dropColumn('code').execute();
}
