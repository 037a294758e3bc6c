import { sql, type Kysely } from 'kysely';

/*
 * The level a subject was shown before its current period was evaluated. It is not the engine's
 * carried state (`base_level`): in a month an override decides, the earned level carried forward
 * and the level the customer saw can differ, and `previousLevel` / `changed` must report the latter.
 * Existing rows start from `base_level`, which is what they reported until now.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('assignments').addColumn('previous_level', 'text').execute();
  await sql`UPDATE assignments SET previous_level = base_level`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('assignments').dropColumn('previous_level').execute();
}
