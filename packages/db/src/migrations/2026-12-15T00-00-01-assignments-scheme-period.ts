import type { Kysely } from 'kysely';

/*
 * "The latest month a scheme's levels judge" (latestEvaluatedPeriods: where a policy simulation and
 * the analytics start) was a max over every assignment of the scheme — no index held the month, so
 * at 100,000 customers it read the whole book (11 s cold) inside the request that queues a
 * simulation job. With (tenant, scheme, period) it is one index seek per scheme on both databases.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('assignments_tenant_scheme_period_idx')
    .ifNotExists()
    .on('assignments')
    .columns(['tenant_id', 'scheme', 'period'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('assignments_tenant_scheme_period_idx').ifExists().execute();
}
