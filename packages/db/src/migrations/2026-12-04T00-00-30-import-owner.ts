import type { Kysely } from 'kysely';

/*
 * Which process runs an import (`host pid`). An import is one transaction: when its process dies the
 * database rolls the rows back, but the import's own row, written before, stayed `running` forever.
 * Knowing the owner lets the next import or a server's start tell a dead import from a live one.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('imports').addColumn('owner', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('imports').dropColumn('owner').execute();
}
