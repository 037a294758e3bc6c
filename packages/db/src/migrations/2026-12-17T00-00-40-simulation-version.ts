import { PostgresAdapter, sql, type Kysely } from 'kysely';

/*
 * A policy version's simulations, read by version (packages/api/README.md, "Simulation as a job"): the
 * approval card and the approval's check of the simulation named looked for them among the tenant's
 * 200 newest simulation jobs, so on a busy tenant a version's own simulation fell out of sight and its
 * approver was shown none. The scheme and version simulated lived only in the JSON params; each
 * simulation job now carries them as columns, written by insertJob, and an index finds a version's
 * newest ones directly. The jobs already stored get them from their params here.
 */

// Its own copy, not the repositories' isPostgres: a migration runs as written whatever they become.
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

export async function up(db: Kysely<any>): Promise<void> {
  const columns = (await db.introspection.getTables()).find((t) => t.name === 'jobs')?.columns ?? [];
  if (!columns.some((c) => c.name === 'simulation_scheme'))
    await db.schema.alterTable('jobs').addColumn('simulation_scheme', 'text').execute();
  if (!columns.some((c) => c.name === 'simulation_version'))
    await db.schema.alterTable('jobs').addColumn('simulation_version', 'integer').execute();
  if (isPostgres(db)) {
    await sql`UPDATE jobs SET simulation_scheme = params::json -> 'simulation' ->> 'scheme',
        simulation_version = (params::json -> 'simulation' ->> 'version')::integer
      WHERE kind = 'simulate'`.execute(db);
  } else {
    await sql`UPDATE jobs SET simulation_scheme = json_extract(params, '$.simulation.scheme'),
        simulation_version = json_extract(params, '$.simulation.version')
      WHERE kind = 'simulate'`.execute(db);
  }
  // Newest first within a version, in the order the reads sort (created_at, id).
  await db.schema
    .createIndex('jobs_simulation_version_idx')
    .ifNotExists()
    .on('jobs')
    .columns(['tenant_id', 'simulation_scheme', 'simulation_version', 'created_at', 'id'])
    .where(sql<boolean>`simulation_scheme IS NOT NULL`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_simulation_version_idx').ifExists().execute();
  await db.schema.alterTable('jobs').dropColumn('simulation_version').execute();
  await db.schema.alterTable('jobs').dropColumn('simulation_scheme').execute();
}
