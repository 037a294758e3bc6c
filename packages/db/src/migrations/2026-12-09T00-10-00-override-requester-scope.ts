import type { Kysely } from 'kysely';

/*
 * Whether an override request was filed by book-scoped staff (a relationship manager: `book`) or by
 * tenant-wide staff or an unowned key (`tenant`), as that held when it was filed. A book's request
 * follows its customer, so the relationship manager holding the book may withdraw it; a tenant-wide
 * one (a compliance officer's) stays its requester's. Read from the request, not from the requester's
 * scope today: an admin rescoping someone later must not hand their requests to others.
 *
 * Requests filed before this are `tenant`, the safe reading: only their requester may withdraw them
 * (an approver may still reject them), so no relationship manager ever gains a request that may have
 * been a compliance officer's.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('overrides')
    .addColumn('requester_scope', 'text', (c) => c.notNull().defaultTo('tenant'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('overrides').dropColumn('requester_scope').execute();
}
