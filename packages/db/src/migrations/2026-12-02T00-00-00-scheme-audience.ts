import type { Kysely } from 'kysely';

/*
 * Every scheme now declares its audience (`customer` or `staff`), and a pack without it no longer
 * validates. Stored policy documents get one: the default pack's customer schemes are `customer`,
 * every other scheme `staff` — a scheme nobody classified is kept from customers until an
 * administrator says otherwise (packages/core/README.md, "Audience").
 */
const CUSTOMER_SCHEMES: ReadonlySet<string> = new Set(['retail-tier', 'star-rating', 'savings-grade']);

async function rewrite(db: Kysely<any>, change: (doc: Record<string, unknown>) => boolean): Promise<void> {
  const rows = (await db.selectFrom('policies').select(['id', 'document']).execute()) as { id: string; document: string }[];
  for (const row of rows) {
    const doc = JSON.parse(row.document) as Record<string, unknown>;
    if (!change(doc)) continue;
    await db
      .updateTable('policies')
      .set({ document: JSON.stringify(doc) })
      .where('id', '=', row.id)
      .execute();
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await rewrite(db, (doc) => {
    if (doc['audience'] === 'customer' || doc['audience'] === 'staff') return false;
    doc['audience'] = CUSTOMER_SCHEMES.has(String(doc['key'])) ? 'customer' : 'staff';
    return true;
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await rewrite(db, (doc) => delete doc['audience']);
}
