import type { Locale } from '@tierkit/core';
import {
  atomically,
  findStaff,
  findTeam,
  insertStaffGrant,
  lockTeam,
  lockUnrevokedKeys,
  pendingTeamGrantOf,
  settleStaffGrant,
  supersedeTeamGrantOf,
  type Executor,
  type StaffGrant,
  type StaffMember,
  type Team,
} from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import { sortableId } from '../ids.js';
import { ProblemError } from '../problem.js';
import { contentHash } from './four-eyes.js';
// A team grant waits as long as a grant of staff powers, for the same reasons: one constant for both.
import { STAFF_GRANT_DAYS } from './staff-grants.js';
import { changeTeamBooks, checkBooks, checkLead, putTeam } from './teams.js';

/*
 * Four eyes on teams (packages/api/README.md, "Teams"): what widens a lead's reach over customers —
 * naming or changing a team's lead (a new team with one too), adding books to a team that has one —
 * waits for a second admin as a grant of staff powers does, in the same table, queue and decision
 * (services/staff-grants.ts): `staffId` is the lead, whom four eyes bars from deciding as it bars a
 * member promoted. What narrows reach — a lead removed, a book taken out, a rename — applies at once,
 * and supersedes the team's waiting grant it contradicts.
 */

export type TeamPut =
  | { readonly applied: { before: Team | undefined; after: Team; created: boolean }; readonly supersededGrant?: string }
  | { readonly grant: StaffGrant; readonly renamed?: { readonly from: string; readonly to: string } };

export type TeamBooksChange =
  | { readonly applied: { added: string[]; removed: string[]; after: Team }; readonly supersededGrant?: string }
  | { readonly grant: StaffGrant; readonly removed: string[]; readonly supersededGrant?: string };

/**
 * `PUT /v1/teams/{id}`: a lead named who is not the team's lead already is filed as a grant (a new
 * team's whole change, name too: nothing is made now; an existing team's rename in the same request
 * applies at once, as a rename alone does, and the grant names the lead only); anything else applies at
 * once, and `lead: null` supersedes a grant waiting to name one.
 */
export async function putOrRequestTeam(
  deps: ApiDeps,
  id: string,
  change: { readonly name: string; readonly lead?: string | null },
): Promise<TeamPut> {
  const now = deps.now();
  return atomically(deps.db, async (trx) => {
    // The decision's locks, in its order (admin keys, then the team), so the two see each other.
    await lockUnrevokedKeys(trx, deps.tenantId, { role: 'admin' });
    await lockTeam(trx, deps.tenantId, id);
    const before = await findTeam(trx, deps.tenantId, id);
    const lead = change.lead;
    if (lead == null || lead === before?.lead) {
      const applied = await putTeam(trx, deps.tenantId, id, change, now.toISOString());
      if (lead !== null) return { applied };
      const superseded = await supersedeTeamGrantOf(
        trx,
        deps.tenantId,
        id,
        deps.principal.actor,
        now.toISOString(),
        `superseded: ${deps.principal.actor} took the team's lead away at once (PUT /v1/teams/${id})`,
      );
      return { applied, ...(superseded ? { supersededGrant: superseded } : {}) };
    }
    await checkLead(trx, deps.tenantId, lead);
    const member = (await findStaff(trx, deps.tenantId, lead)) as StaffMember;
    await refuseSecond(trx, deps, id, now);
    // A rename narrows nobody's reach and widens none: it need not wait, and the approval keeps the
    // name the team has then (applyTeamGrant), so a rename sent with the lead must not be lost.
    const renamed = before && before.name !== change.name ? { from: before.name, to: change.name } : undefined;
    if (renamed) await putTeam(trx, deps.tenantId, id, { name: change.name }, now.toISOString());
    const grant = await fileTeamGrant(trx, deps, now, member, {
      id,
      from: before ? { lead: before.lead } : null,
      to: { name: change.name, lead },
    });
    return { grant, ...(renamed ? { renamed } : {}) };
  });
}

/**
 * `POST /v1/teams/{id}/books`: books taken out leave at once (superseding a waiting grant that would
 * add one of them); books added to a team with a lead are filed as a grant, the others added at once.
 */
export async function changeOrRequestTeamBooks(
  deps: ApiDeps,
  id: string,
  books: { readonly add?: readonly string[]; readonly remove?: readonly string[] },
): Promise<TeamBooksChange> {
  const now = deps.now();
  const at = now.toISOString();
  const actor = deps.principal.actor;
  return atomically(deps.db, async (trx) => {
    await lockUnrevokedKeys(trx, deps.tenantId, { role: 'admin' });
    await lockTeam(trx, deps.tenantId, id);
    const team = await findTeam(trx, deps.tenantId, id);
    if (!team) throw new ProblemError('not-found', `No team "${id}" in this tenant.`);
    const add = (await checkBooks(trx, deps.tenantId, books.add ?? [])).filter((s) => !team.books.includes(s));
    const remove = books.remove ?? [];
    const waiting = await pendingTeamGrantOf(trx, deps.tenantId, id);
    const contradicted = waiting !== undefined && remove.some((s) => teamAdds(waiting).includes(s));
    const superseded = contradicted
      ? await supersedeTeamGrantOf(trx, deps.tenantId, id, actor, at, `superseded: ${actor} took a book it adds out of the team at once`)
      : undefined;
    const also = superseded ? { supersededGrant: superseded } : {};
    if (team.lead === null || add.length === 0)
      return { applied: await changeTeamBooks(trx, deps.tenantId, id, { add, remove }, actor, at), ...also };
    const { removed } = await changeTeamBooks(trx, deps.tenantId, id, { remove }, actor, at);
    await refuseSecond(trx, deps, id, now);
    const member = await findStaff(trx, deps.tenantId, team.lead);
    if (!member) throw new Error(`lead ${team.lead} of team ${id} vanished`);
    const grant = await fileTeamGrant(trx, deps, now, member, { id, from: { lead: team.lead }, to: { add } });
    return { grant, removed, ...also };
  });
}

/** The books a team grant adds (none for one naming a lead). */
export function teamAdds(g: StaffGrant): readonly string[] {
  return g.team && 'add' in g.team.to ? g.team.to.add : [];
}

/** One grant per team waits at a time (409 `staff-grant-pending`); a lapsed one is settled as such. */
async function refuseSecond(trx: Executor, deps: ApiDeps, id: string, now: Date): Promise<void> {
  const waiting = await pendingTeamGrantOf(trx, deps.tenantId, id);
  if (waiting === undefined) return;
  if (waiting.expiresAt > now.toISOString())
    throw new ProblemError(
      'staff-grant-pending',
      `A change of team "${id}" already waits for a second admin (${waiting.id}, asked by ${waiting.requestedBy}): its maker withdraws it (POST /v1/staff-grants/${waiting.id}/withdraw) or another admin decides it before another is asked.`,
    );
  await settleStaffGrant(trx, deps.tenantId, waiting.id, { status: 'expired', by: 'system', at: now.toISOString(), note: null });
}

async function fileTeamGrant(
  trx: Executor,
  deps: ApiDeps,
  now: Date,
  lead: StaffMember,
  team: NonNullable<StaffGrant['team']>,
): Promise<StaffGrant> {
  // The lead's powers do not change: `from` = `to`, so the decision's "still holds what they held"
  // check refuses a grant whose lead was promoted, moved to the whole bank or disabled meanwhile.
  const powers = { role: lead.role, scope: lead.scope };
  const from = { ...powers, disabledAt: lead.disabledAt };
  const expiresAt = new Date(now.getTime() + STAFF_GRANT_DAYS * 86_400_000).toISOString();
  return insertStaffGrant(trx, {
    tenantId: deps.tenantId,
    id: `stg_${sortableId(now)}`,
    staffId: lead.id,
    name: lead.name,
    from,
    to: powers,
    team,
    contentHash: contentHash({ staff: lead.id, name: lead.name, from, to: powers, team, expiresAt }),
    requestedBy: deps.principal.actor,
    requestedAt: now.toISOString(),
    expiresAt,
  });
}

/**
 * Apply an approved team grant in the decision's transaction: only while the team is as the maker saw
 * it (absent, or with the same lead) — 409 `content-changed` otherwise, and nothing applied.
 */
export async function applyTeamGrant(trx: Executor, tenantId: string, g: StaffGrant, now: string): Promise<void> {
  const change = g.team;
  if (!change) return;
  await lockTeam(trx, tenantId, change.id);
  const team = await findTeam(trx, tenantId, change.id);
  const as = change.from === null ? team === undefined : team !== undefined && team.lead === change.from.lead;
  if (!as)
    throw new ProblemError(
      'content-changed',
      `Team "${change.id}" is no longer as it was when grant ${g.id} was asked (${team ? `its lead is now ${team.lead ?? 'nobody'}` : 'it is gone'}): reject it, and ask again.`,
    );
  if ('add' in change.to) await changeTeamBooks(trx, tenantId, change.id, { add: change.to.add }, g.requestedBy, now);
  // The grant decides the lead, not the name: a rename applied at once while it waited stands (as a
  // staff grant keeps a member's rename). Only a team the grant creates takes the name it was filed with.
  else await putTeam(trx, tenantId, change.id, { name: team?.name ?? change.to.name, lead: change.to.lead }, now);
}

/** The queue's words for a team grant, per locale. */
const TEAM_WORDS: Readonly<
  Record<Locale, { readonly title: string; readonly lead: string; readonly none: string; readonly add: string; readonly sep: string }>
> = {
  'zh-CN': { title: '团队', lead: '负责人', none: '无', add: '增加名下客户', sep: '、' },
  'zh-TW': { title: '團隊', lead: '負責人', none: '無', add: '增加名下客戶', sep: '、' },
  en: { title: 'Team', lead: 'lead', none: 'none', add: 'adds the books of', sep: ', ' },
};

/**
 * One line for the approvals queue: "团队：浦东一组 (T1) 负责人 无 → 张伟 (LEAD)", or
 * "团队：T1 负责人 张伟 (LEAD) 增加名下客户 RM1、RM2".
 */
export function teamGrantSummary(g: StaffGrant, locale: Locale): string {
  const w = TEAM_WORDS[locale];
  const colon = locale === 'en' ? ': ' : '：';
  const t = g.team;
  if (!t) return '';
  const lead = `${g.name} (${g.staffId})`;
  if ('add' in t.to) return `${w.title}${colon}${t.id} ${w.lead} ${lead} ${w.add} ${t.to.add.join(w.sep)}`;
  return `${w.title}${colon}${t.to.name} (${t.id}) ${w.lead} ${t.from?.lead ?? w.none} → ${lead}`;
}
