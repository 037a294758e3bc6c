import type { Kysely } from 'kysely';

/*
 * The call lists (`GET /v1/subjects?change=`) of a scheme's latest month-end re-tier P list, besides
 * the customers whose assignment is still at P, those a later month's running job has re-tiered
 * already: their change at P is read from their history (repositories/subject-list.ts). Whoever changed
 * at P has an event of period P, so those events are where such a list starts: this index finds them
 * by month, as the index of 2026-12-03T00-00-60 (by subject first) cannot without reading the scheme's
 * whole history. Events are written only where a level moves, so the re-tier's writes pay for it on
 * the few customers who move (bench/batch/retier.bench.ts, BENCHMARKS.md).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('tier_events_tenant_scheme_period_idx')
    .ifNotExists()
    .on('tier_events')
    .columns(['tenant_id', 'scheme', 'period', 'subject_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tier_events_tenant_scheme_period_idx').ifExists().execute();
}
