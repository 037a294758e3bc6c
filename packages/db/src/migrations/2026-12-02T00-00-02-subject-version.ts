import { PostgresAdapter, sql, type Kysely } from 'kysely';

/*
 * `subjects.version`: a number that changes whenever anything a subject read shows changes — the
 * subject's own kind, name or attributes, its current assignments, overrides or tier events (a
 * metric only shows through the re-evaluation that follows it, which rewrites the assignments). Reads derive their ETag and their in-memory cache key
 * from it with the one lookup of the subject row they do anyway (packages/api/README.md, "Reads").
 * Triggers kept it here; since 2026-12-05T00-00-20-subject-version-explicit the repository functions
 * that write assignments, overrides and tier events bump it instead (a re-tier job: once per subject
 * and chunk rather than twice per subject), and only the subject's own columns keep their trigger.
 */

const TABLES = ['assignments', 'overrides', 'tier_events'] as const;

// Its own copy, not the repositories' isPostgres: a migration is self-contained, so it runs as written
// whatever the package's helpers later become.
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

/** The per-row triggers on assignments, overrides and tier events (also what the later migration's `down` restores). */
export async function createRowTriggers(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`
      CREATE FUNCTION tierkit_bump_subject_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN UPDATE subjects SET version = version + 1 WHERE id = OLD.subject_id; END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.subject_id IS DISTINCT FROM OLD.subject_id) THEN
          UPDATE subjects SET version = version + 1 WHERE id = NEW.subject_id;
        END IF;
        RETURN NULL;
      END $$`.execute(db);
    for (const table of TABLES) {
      await sql`CREATE TRIGGER ${sql.raw(`${table}_bump_subject_version`)} AFTER INSERT OR UPDATE OR DELETE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION tierkit_bump_subject_version()`.execute(db);
    }
    return;
  }
  for (const table of TABLES) {
    for (const [op, row] of [
      ['INSERT', 'NEW'],
      ['UPDATE', 'NEW'],
      ['DELETE', 'OLD'],
    ] as const) {
      await sql`CREATE TRIGGER ${sql.raw(`${table}_${op.toLowerCase()}_bump_subject_version`)} AFTER ${sql.raw(op)} ON ${sql.table(table)}
        BEGIN UPDATE subjects SET version = version + 1 WHERE id = ${sql.raw(row)}.subject_id; END`.execute(db);
    }
  }
}

/** Drop what {@link createRowTriggers} created. */
export async function dropRowTriggers(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    for (const table of TABLES) await sql`DROP TRIGGER ${sql.raw(`${table}_bump_subject_version`)} ON ${sql.table(table)}`.execute(db);
    await sql`DROP FUNCTION tierkit_bump_subject_version()`.execute(db);
    return;
  }
  for (const table of TABLES)
    for (const op of ['insert', 'update', 'delete']) await sql`DROP TRIGGER ${sql.raw(`${table}_${op}_bump_subject_version`)}`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('subjects')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await createRowTriggers(db);
  if (isPostgres(db)) {
    await sql`
      CREATE FUNCTION tierkit_subject_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.kind, NEW.display_name, NEW.attributes) IS DISTINCT FROM (OLD.kind, OLD.display_name, OLD.attributes) THEN
          NEW.version := OLD.version + 1;
        END IF;
        RETURN NEW;
      END $$`.execute(db);
    await sql`CREATE TRIGGER subjects_bump_version BEFORE UPDATE ON subjects FOR EACH ROW EXECUTE FUNCTION tierkit_subject_changed()`.execute(
      db,
    );
    return;
  }
  await sql`CREATE TRIGGER subjects_bump_version AFTER UPDATE OF kind, display_name, attributes ON subjects
    WHEN NEW.kind IS NOT OLD.kind OR NEW.display_name IS NOT OLD.display_name OR NEW.attributes IS NOT OLD.attributes
    BEGIN UPDATE subjects SET version = version + 1 WHERE id = NEW.id; END`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropRowTriggers(db);
  if (isPostgres(db)) {
    await sql`DROP TRIGGER subjects_bump_version ON subjects`.execute(db);
    await sql`DROP FUNCTION tierkit_subject_changed()`.execute(db);
  } else {
    await sql`DROP TRIGGER subjects_bump_version`.execute(db);
  }
  await db.schema.alterTable('subjects').dropColumn('version').execute();
}
