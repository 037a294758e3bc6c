import { sql, type Kysely } from 'kysely';

/*
 * When an approved override's expiry was acted on: the subject re-evaluated by the rules once the
 * override stopped deciding. Nothing writes at the instant an override expires, so reads and a
 * periodic sweep do it (packages/api override-expiry.ts) and mark it here, once. Overrides whose
 * scheme was already evaluated after their expiry (a re-tier since) start marked.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('overrides').addColumn('expiry_settled_at', 'text').execute();
  await sql`UPDATE overrides SET expiry_settled_at = expires_at
    WHERE status = 'approved' AND expires_at IS NOT NULL AND EXISTS (
      SELECT 1 FROM assignments a
      WHERE a.subject_id = overrides.subject_id AND a.scheme = overrides.scheme AND a.evaluated_at >= overrides.expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('overrides').dropColumn('expiry_settled_at').execute();
}
