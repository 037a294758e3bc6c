import { PostgresAdapter, sql, type Kysely } from 'kysely';

/*
 * Customer numbers listed in an audit record's `detail` — the customers a list read returned, a
 * restricted read's, a book move's — made erasable entry by entry (docs/operations.md, "Customer numbers
 * in a record's lists"): the record keeps a salted digest in each entry's place, and `audit_listed` the
 * number and salt, one row per entry, which a retention run deletes with the customer.
 *
 * Records already written keep their lists as they are: their hashes are named by anchors and exported
 * months, and cannot be re-sealed (the switch-point paragraph of the same section). They need no marker:
 * an entry a record keeps as a digest (`sha256:` and 64 hex digits, 71 characters) cannot be a customer
 * number (at most 64 characters), so each record reads by the rule it was written under.
 *
 * Undoing keeps the table, as `2026-12-20T00-00-20-audit-personal` keeps its own: the digests stay sealed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const tables = await db.introspection.getTables();
  if (tables.some((t) => t.name === 'audit_listed')) {
    // A trail undone and done again (the audit tables dropped) starts its seqs anew: entries of records
    // that are gone would be taken for the new records' at the same seqs.
    await db
      .deleteFrom('audit_listed')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('audit_records')
              .select(sql.lit(1).as('one'))
              .whereRef('audit_records.chain', '=', 'audit_listed.chain')
              .whereRef('audit_records.seq', '=', 'audit_listed.seq'),
          ),
        ),
      )
      .execute();
    return;
  }
  await db.schema
    .createTable('audit_listed')
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('pos', 'integer', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('salt', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_listed_pk', ['chain', 'seq', 'pos'])
    // As `audit_personal`: on SQLite the rows live in their key's tree, one tree fewer for a list read to write.
    .$call((t) => (db.getExecutor().adapter instanceof PostgresAdapter ? t : t.modifyEnd(sql`without rowid`)))
    .execute();
  // An erasure deletes by customer number, 500 customers at a time; a search of the trail finds by it too.
  await db.schema.createIndex('audit_listed_subject_idx').on('audit_listed').columns(['chain', 'subject']).execute();
}

export async function down(): Promise<void> {}
