import { sql, type Kysely } from 'kysely';

/*
 * Retention of closed customers' personal data (docs/operations.md, "Retention and erasure"):
 *
 * - `tenants.retention_years`: how many whole years after a customer's closing their personal data is
 *   kept. 5 by default and never less — the PRC AML rules keep customer identification records for at
 *   least five years after the relationship ends; past it PIPL art. 47 asks for deletion.
 * - `subjects.erased_at`: when `tierkit retention run` erased the customer (ISO UTC); null otherwise.
 *   The row itself stays, blank, so counts of closed customers and the tier history keep their subject.
 * - `subjects.legal_hold`: why the customer must not be erased yet (a court order, an investigation),
 *   as the operator gave it; null: no hold.
 *
 * Undoing this drops the setting (a release before it keeps everything) but keeps the two subject
 * columns, as the closings' migrations keep theirs: dropping `legal_hold` would let this release, run
 * again, erase a customer under hold, and dropping `erased_at` would show erased customers as blank
 * customers rather than say they were erased.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const tables = await db.introspection.getTables();
  const has = (table: string, column: string) => tables.find((t) => t.name === table)?.columns.some((c) => c.name === column) ?? false;
  if (!has('tenants', 'retention_years'))
    await db.schema
      .alterTable('tenants')
      .addColumn('retention_years', 'integer', (c) => c.notNull().defaultTo(5))
      .execute();
  if (!has('subjects', 'erased_at')) await db.schema.alterTable('subjects').addColumn('erased_at', 'text').execute();
  if (!has('subjects', 'legal_hold')) await db.schema.alterTable('subjects').addColumn('legal_hold', 'text').execute();
  // What a run walks: a tenant's closed customers not yet erased, in the id order it erases them in,
  // a chunk after the last (erasableSubjectIds). Ordered by closing date instead, each chunk had to read
  // and sort every closed customer left: a run over a million grew with the square of them. Partial, so
  // the open book is never read and an erased customer leaves the index.
  await db.schema
    .createIndex('subjects_tenant_erasable_idx')
    .ifNotExists()
    .on('subjects')
    .columns(['tenant_id', 'id'])
    .where(sql.ref('closed_at'), 'is not', null)
    .where(sql.ref('erased_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('subjects_tenant_erasable_idx').ifExists().execute();
  await db.schema.alterTable('tenants').dropColumn('retention_years').execute();
}
