import { sql } from 'kysely';
import { type Executor, isPostgres } from './executor.js';

/** A team of books as repositories hand it out (migration 2026-12-19T00-00-40-teams). */
export interface Team {
  readonly id: string;
  readonly name: string;
  /** The staff member who reads the team's books besides their own; null: none yet. */
  readonly lead: string | null;
  /** Its books (their RMs' staff ids), in id order. */
  readonly books: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Books of the given teams, by team id, in staff id order. */
async function booksOf(db: Executor, tenantId: string, teamIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(teamIds.map((id) => [id, []]));
  if (teamIds.length === 0) return out;
  const rows = await db
    .selectFrom('team_books')
    .select(['team_id', 'staff_id'])
    .where('tenant_id', '=', tenantId)
    .where('team_id', 'in', teamIds)
    .orderBy('team_id')
    .orderBy('staff_id')
    .execute();
  for (const r of rows) out.get(r.team_id)?.push(r.staff_id);
  return out;
}

/** The tenant's teams in id order, each with its books; `ids`: only those. */
export async function listTeams(db: Executor, tenantId: string, ids?: readonly string[]): Promise<Team[]> {
  if (ids !== undefined && ids.length === 0) return [];
  let q = db.selectFrom('teams').selectAll().where('tenant_id', '=', tenantId);
  if (ids !== undefined) q = q.where('id', 'in', ids);
  const rows = await q.orderBy('id').execute();
  const books = await booksOf(
    db,
    tenantId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    lead: r.lead_id,
    books: books.get(r.id) ?? [],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

/** The team `id` of the tenant, with its books. */
export async function findTeam(db: Executor, tenantId: string, id: string): Promise<Team | undefined> {
  return (await listTeams(db, tenantId, [id]))[0];
}

/** Create a team; false when the tenant has one with that id already (nothing changed). */
export async function insertTeam(
  db: Executor,
  tenantId: string,
  team: { readonly id: string; readonly name: string; readonly lead: string | null },
  now: string,
): Promise<boolean> {
  const done = await db
    .insertInto('teams')
    .values({ tenant_id: tenantId, id: team.id, name: team.name, lead_id: team.lead, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return done !== undefined;
}

/** Rename a team or change its lead (undefined: kept); false when there is no such team. */
export async function updateTeam(
  db: Executor,
  tenantId: string,
  id: string,
  change: { readonly name?: string; readonly lead?: string | null },
  now: string,
): Promise<boolean> {
  const done = await db
    .updateTable('teams')
    .set({
      updated_at: now,
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.lead !== undefined ? { lead_id: change.lead } : {}),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(done.numUpdatedRows) > 0;
}

/** Add a book (its RM's staff id) to a team; false when it was in it already. */
export async function addTeamBook(
  db: Executor,
  tenantId: string,
  teamId: string,
  staffId: string,
  actor: string,
  now: string,
): Promise<boolean> {
  const done = await db
    .insertInto('team_books')
    .values({ tenant_id: tenantId, team_id: teamId, staff_id: staffId, added_at: now, added_by: actor })
    .onConflict((oc) => oc.columns(['tenant_id', 'team_id', 'staff_id']).doNothing())
    .returning('staff_id')
    .executeTakeFirst();
  return done !== undefined;
}

/** Take a book out of a team; false when it was not in it. */
export async function removeTeamBook(db: Executor, tenantId: string, teamId: string, staffId: string): Promise<boolean> {
  const done = await db
    .deleteFrom('team_books')
    .where('tenant_id', '=', tenantId)
    .where('team_id', '=', teamId)
    .where('staff_id', '=', staffId)
    .executeTakeFirst();
  return Number(done.numDeletedRows) > 0;
}

/** The books of every team `staffId` leads (their own not among them unless a team holds it), distinct, in id order. */
export async function booksLedBy(db: Executor, tenantId: string, staffId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('team_books as b')
    .innerJoin('teams as t', (j) => j.onRef('t.tenant_id', '=', 'b.tenant_id').onRef('t.id', '=', 'b.team_id'))
    .select(sql<string>`DISTINCT b.staff_id`.as('staff_id'))
    .where('t.tenant_id', '=', tenantId)
    .where('t.lead_id', '=', staffId)
    .orderBy('staff_id')
    .execute();
  return rows.map((r) => r.staff_id);
}

/**
 * Hold team `id`'s row to the transaction's end on PostgreSQL (SQLite's writer holds the file): a team
 * grant's approval and an immediate change of the same team (a lead removed, a book taken out) then
 * happen one after the other, each seeing what the other did.
 */
export async function lockTeam(db: Executor, tenantId: string, id: string): Promise<void> {
  if (!isPostgres(db)) return;
  await db.selectFrom('teams').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().execute();
}
