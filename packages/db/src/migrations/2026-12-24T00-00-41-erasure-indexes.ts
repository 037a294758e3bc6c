import { sql, type Kysely } from 'kysely';

/*
 * Two partial indexes for the erasure's reads (docs/operations.md, "Retention and erasure"):
 * - the erased customers by id, what `tierkit retention rescrub` pages through a chunk at a time: without
 *   it each chunk read and sorted every subject of the tenant to find the next 500 erased;
 * - the live customers by name, what an erasure looks a name's widenings up in (张三丰 for 张三): without
 *   it each statement of 500 candidate names read the tenant's whole book.
 * Partial on `erased_at` so each holds only the rows its read wants. Both dialects take the same form.
 */
export const ERASED_SUBJECTS_INDEX = 'subjects_erased_tenant_id_idx';
export const LIVE_NAMES_INDEX = 'subjects_live_tenant_name_idx';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex(ERASED_SUBJECTS_INDEX)
    .ifNotExists()
    .on('subjects')
    .columns(['tenant_id', 'id'])
    .where(sql.ref('erased_at'), 'is not', null)
    .execute();
  await db.schema
    .createIndex(LIVE_NAMES_INDEX)
    .ifNotExists()
    .on('subjects')
    .columns(['tenant_id', 'display_name'])
    .where(sql.ref('erased_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex(LIVE_NAMES_INDEX).ifExists().execute();
  await db.schema.dropIndex(ERASED_SUBJECTS_INDEX).ifExists().execute();
}
