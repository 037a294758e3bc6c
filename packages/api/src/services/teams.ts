import {
  addTeamBook,
  type Executor,
  existingStaffIds,
  findStaff,
  findTeam,
  insertTeam,
  removeTeamBook,
  type Team,
  updateTeam,
} from '@tierkit/db';
import { invalid, ProblemError } from '../problem.js';

/*
 * Defining teams of books (packages/api/README.md, "Teams"): the rules `PUT /v1/teams/{id}`,
 * `POST /v1/teams/{id}/books` and the operator's `tierkit teams` share, so neither can let through what
 * the other refuses. Each runs in the caller's transaction, which writes its audit record beside it.
 */

/** What the trail keeps of a team. */
export function teamHeld(t: Team | undefined) {
  return t ? { name: t.name, lead: t.lead, books: [...t.books] } : null;
}

/** A lead the tenant has and who is book-scoped: a 400 otherwise, before anything is written. */
export async function checkLead(db: Executor, tenantId: string, lead: string): Promise<void> {
  const member = await findStaff(db, tenantId, lead);
  if (!member)
    throw invalid([{ path: 'lead', message: `no staff member "${lead}" in this tenant`, code: 'unknown_staff', params: { staff: lead } }]);
  // Someone who left leads nobody: named now, their reach would come back unseen the day a book-scoped
  // role is given back to them, which applies at once (no grant: docs/permissions.md).
  if (member.disabledAt !== null)
    throw invalid([
      { path: 'lead', message: `staff member "${lead}" is disabled: they lead no team`, code: 'unknown_staff', params: { staff: lead } },
    ]);
  if (member.scope !== 'book')
    throw invalid([
      {
        path: 'lead',
        message: `"${lead}" reads the whole tenant already; a team's lead is book-scoped (a relationship manager who leads others)`,
        code: 'lead_not_book_scoped',
        params: { staff: lead },
      },
    ]);
}

/** Create the team, or rename it and change its lead (`lead` undefined: kept). */
export async function putTeam(
  trx: Executor,
  tenantId: string,
  id: string,
  change: { readonly name: string; readonly lead?: string | null },
  now: string,
): Promise<{ before: Team | undefined; after: Team; created: boolean }> {
  if (change.lead != null) await checkLead(trx, tenantId, change.lead);
  const before = await findTeam(trx, tenantId, id);
  const created = before === undefined && (await insertTeam(trx, tenantId, { id, name: change.name, lead: change.lead ?? null }, now));
  if (!created)
    await updateTeam(trx, tenantId, id, { name: change.name, ...(change.lead !== undefined ? { lead: change.lead } : {}) }, now);
  return { before, after: (await findTeam(trx, tenantId, id)) as Team, created };
}

/**
 * Add books to the team and take books out (`add` staff ids the tenant does not have: a 400, nothing
 * changed); what did change, and the team after.
 */
export async function changeTeamBooks(
  trx: Executor,
  tenantId: string,
  id: string,
  books: { readonly add?: readonly string[]; readonly remove?: readonly string[] },
  actor: string,
  now: string,
): Promise<{ added: string[]; removed: string[]; after: Team }> {
  if (!(await findTeam(trx, tenantId, id))) throw new ProblemError('not-found', `No team "${id}" in this tenant.`);
  const add = await checkBooks(trx, tenantId, books.add ?? []);
  const added: string[] = [];
  const removed: string[] = [];
  for (const s of add) if (await addTeamBook(trx, tenantId, id, s, actor, now)) added.push(s);
  for (const s of new Set(books.remove ?? [])) if (await removeTeamBook(trx, tenantId, id, s)) removed.push(s);
  if (added.length + removed.length > 0) await updateTeam(trx, tenantId, id, {}, now);
  return { added, removed, after: (await findTeam(trx, tenantId, id)) as Team };
}

/** Books to add, once each: a 400 naming each staff id the tenant does not have, before anything is written. */
export async function checkBooks(trx: Executor, tenantId: string, books: readonly string[]): Promise<string[]> {
  const add = [...new Set(books)];
  const known = await existingStaffIds(trx, tenantId, add);
  const unknown = add.filter((s) => !known.has(s));
  if (unknown.length > 0)
    throw invalid(
      unknown.map((s) => ({
        path: `add.${add.indexOf(s)}`,
        message: `no staff member "${s}" in this tenant`,
        code: 'unknown_staff',
        params: { staff: s },
      })),
    );
  return add;
}
