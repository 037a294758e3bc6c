import type { ApprovalBlock, Locale, StaffGrantChange, StaffRole, StaffScope } from '@tierkit/core';
import {
  atomically,
  findStaffGrant,
  insertStaffGrant,
  lockTenantAdminsAnd,
  lockUnrevokedKeys,
  pendingStaffGrantOf,
  settleStaffGrant,
  supersedeStaffGrantOf,
  supersedeTeamGrantsLedBy,
  type Executor,
  type StaffGrant,
  type StaffInput,
  type StaffMember,
} from '@tierkit/db';
import { personOfActor } from '../auth/api-keys.js';
import { AUDITOR, roleAtLeast, ROLES, type Role } from '../auth/roles.js';
import type { ApiDeps } from '../deps.js';
import { sortableId } from '../ids.js';
import { ProblemError } from '../problem.js';
import { approvalsBlocked } from './approvers-left.js';
import { contentHash, requestedByCaller, requireDistinctPerson, requireSameContent, samePerson } from './four-eyes.js';
import { putStaffOverHttp } from './staff-changes.js';
import { applyTeamGrant, teamGrantSummary } from './team-grants.js';

/**
 * How long a staff grant waits for a second admin before it lapses: a week, long enough for a
 * colleague on leave for a few days, short enough that a promotion nobody looked at is not approved
 * months later against a changed bank. A lapsed grant is asked again.
 */
export const STAFF_GRANT_DAYS = 7;

const rank = (role: string) => ROLES.indexOf(role as Role);

/**
 * What a member may be given at once: a viewer, analyst or officer within a book. It decides nothing —
 * four eyes never asks a book-scoped member, and an officer only files what another must approve —
 * and a relationship manager joining must not wait for a second admin to start work.
 */
function withinBookBelowApprover(p: { readonly role: string; readonly scope: string }): boolean {
  return p.scope === 'book' && !roleAtLeast(p.role as Role, 'approver');
}

/**
 * Whether a change gives a staff member power, so that a second admin must approve it (four eyes on
 * staff powers: packages/api/README.md, "Staff and books"): a role raised or a book widened to the
 * tenant, or a new member (or a disabled one given access back), unless what they are to hold is what
 * a new member may be given at once (`withinBookBelowApprover`) — an existing member is not made to
 * wait for what a newcomer is not. Everything else applies at once: taking power away is the safe direction.
 */
export function grantsPower(before: StaffMember | undefined, after: { readonly role: string; readonly scope: string }): boolean {
  // Internal audit reads the whole trail, every scheme's policy and every pending grant; a role of the
  // order changed to or from it is no step up or down but a different power (the auditor's reads, or the
  // customers' data it never reads), so either way a second admin agrees.
  if ((before?.role === AUDITOR || after.role === AUDITOR) && before?.role !== after.role) return true;
  if (withinBookBelowApprover(after)) return false;
  if (before === undefined || before.disabledAt !== null) return true;
  return rank(after.role) > rank(before.role) || (before.scope === 'book' && after.scope !== 'book');
}

/** What a grant changes, as the API and the queue show it. */
export function grantChange(g: StaffGrant): StaffGrantChange {
  return {
    id: g.staffId,
    name: g.name,
    from: g.from ? { role: g.from.role as StaffRole, scope: g.from.scope as StaffScope, disabled: g.from.disabledAt !== null } : null,
    to: { role: g.to.role as StaffRole, scope: g.to.scope as StaffScope },
  };
}

/** The queue's words for roles and scopes, per locale (the console's role names). */
const GRANT_WORDS: Readonly<
  Record<
    Locale,
    {
      readonly role: Readonly<Record<StaffRole, string>>;
      readonly scope: Readonly<Record<StaffScope, string>>;
      readonly title: string;
      readonly new: string;
      readonly disabled: string;
    }
  >
> = {
  'zh-CN': {
    role: { viewer: '只读', analyst: '分析', officer: '经办', approver: '复核', admin: '管理员', auditor: '内部审计' },
    scope: { tenant: '全行', book: '仅本人名下客户' },
    title: '员工权限',
    new: '新员工',
    disabled: '已停用',
  },
  'zh-TW': {
    role: { viewer: '唯讀', analyst: '分析', officer: '經辦', approver: '複核', admin: '管理員', auditor: '內部稽核' },
    scope: { tenant: '全行', book: '僅本人名下客戶' },
    title: '員工權限',
    new: '新員工',
    disabled: '已停用',
  },
  en: {
    role: {
      viewer: 'viewer',
      analyst: 'analyst',
      officer: 'officer',
      approver: 'approver',
      admin: 'administrator',
      auditor: 'internal auditor',
    },
    scope: { tenant: 'whole bank', book: 'own book only' },
    title: 'Staff powers',
    new: 'new staff member',
    disabled: 'disabled',
  },
};

/** One line for the approvals queue: "员工权限：张伟 (E002) 经办（本人客户）→ 管理员（全行）". */
export function staffGrantSummary(c: StaffGrantChange, locale: Locale): string {
  const w = GRANT_WORDS[locale];
  const held = (p: { role: StaffRole; scope: StaffScope }) =>
    locale === 'en' ? `${w.role[p.role]} (${w.scope[p.scope]})` : `${w.role[p.role]}（${w.scope[p.scope]}）`;
  const from = c.from === null ? w.new : c.from.disabled ? `${w.disabled}` : held(c.from);
  return `${w.title}${locale === 'en' ? ': ' : '：'}${c.name} (${c.id}) ${from} → ${held(c.to)}`;
}

/** A grant's line in the approvals queue: of staff powers, or of a team. */
export function grantSummary(g: StaffGrant, locale: Locale): string {
  return g.team ? teamGrantSummary(g, locale) : staffGrantSummary(grantChange(g), locale);
}

/** The stored actors four eyes bars from deciding a grant: its maker, and the member it gives power to. */
export function grantRequesters(g: Pick<StaffGrant, 'requestedBy' | 'staffId'>): string[] {
  return [g.requestedBy, `staff:${g.staffId}`];
}

/** `pending` past its expiry reads as `expired`. */
export function grantState(g: StaffGrant, now: Date): StaffGrant['status'] | 'expired' {
  return g.status === 'pending' && g.expiresAt <= now.toISOString() ? 'expired' : g.status;
}

/** A grant as the API answers it, with what the caller may do about it. */
export async function grantView(deps: ApiDeps, g: StaffGrant) {
  const mine = requestedByCaller(deps.db, deps.tenantId, deps.principal.actor);
  const state = grantState(g, deps.now());
  const pending = state === 'pending';
  const byYou = await mine([g.requestedBy]);
  const promotesYou = (await personOfActor(deps.db, deps.tenantId, deps.principal.actor)) === `staff:${g.staffId}`;
  const blocked: ApprovalBlock | null = pending ? await approvalsBlocked(deps.db, deps.tenantId)('admin', grantRequesters(g)) : null;
  return {
    id: g.id,
    staff: grantChange(g),
    team: g.team,
    status: state,
    contentHash: g.contentHash,
    requestedBy: g.requestedBy,
    requestedAt: g.requestedAt,
    expiresAt: g.expiresAt,
    decidedBy: g.decidedBy,
    decidedAt: g.decidedAt,
    decisionNote: g.decisionNote,
    requestedByYou: byYou,
    mayWithdraw: (pending || state === 'expired') && byYou,
    mayDecide: pending && !byYou && !promotesYou,
    approvalBlocked: blocked,
  };
}

export type StaffPut =
  | {
      readonly applied: { staff: StaffMember; created: boolean; before?: StaffMember };
      readonly supersededGrant?: string;
      /** Team grants naming the member as lead, superseded: what they held changed (supersedeTeamGrantsLedBy). */
      readonly supersededTeamGrants?: readonly string[];
    }
  | { readonly grant: StaffGrant };

/**
 * `PUT /v1/staff/{id}`: a change that gives power (`grantsPower`) is filed as a grant for a second
 * admin, changing nothing now; anything else applies at once under the last-admin guard
 * (`putStaffOverHttp`). The member is read under the same locks, in the same order (admin keys, then
 * staff rows), as the change itself takes, so what decides between the two is what the change sees.
 * A member with a grant waiting gets no second one (409 `staff-grant-pending`): the maker withdraws
 * it first, or a second admin decides it. `held` hears the member as read.
 */
export async function putOrRequestStaff(
  deps: ApiDeps,
  input: StaffInput,
  held: (before: StaffMember | undefined) => void,
): Promise<StaffPut> {
  const now = deps.now();
  return atomically(deps.db, async (trx) => {
    await lockUnrevokedKeys(trx, deps.tenantId, { role: 'admin' });
    const current = (await lockTenantAdminsAnd(trx, deps.tenantId, input.id)).find((s) => s.id === input.id);
    if (!grantsPower(current, input)) {
      const applied = await putStaffOverHttp(trx, deps.tenantId, input, now.toISOString(), held);
      // A team grant naming them lead was asked against what they held too: changed, it is superseded.
      const powersChanged = current !== undefined && !holdsFrom(applied.staff, current);
      const teams = powersChanged
        ? await supersedeTeamGrantsLedBy(
            trx,
            deps.tenantId,
            input.id,
            deps.principal.actor,
            now.toISOString(),
            `superseded: ${deps.principal.actor} changed the lead's powers at once (PUT /v1/staff/${input.id})`,
          )
        : [];
      const alsoTeams = teams.length > 0 ? { supersededTeamGrants: teams } : {};
      // A grant still waiting was asked against what the member held before: once that changed (a
      // demotion, a narrower scope), it could never be approved (409 content-changed) yet would block
      // every new one until someone rejected it. Superseded here, as the operator's break-glass does;
      // a rename leaves it standing.
      const waiting = await pendingStaffGrantOf(trx, deps.tenantId, input.id);
      if (waiting === undefined || holdsFrom(applied.staff, waiting.from)) return { applied, ...alsoTeams };
      const note = `superseded: ${deps.principal.actor} changed this staff member at once (PUT /v1/staff/${input.id})`;
      const superseded = await supersedeStaffGrantOf(trx, deps.tenantId, input.id, deps.principal.actor, now.toISOString(), note);
      return { applied, ...(superseded ? { supersededGrant: superseded } : {}), ...alsoTeams };
    }
    held(current);
    const waiting = await pendingStaffGrantOf(trx, deps.tenantId, input.id);
    if (waiting !== undefined) {
      if (grantState(waiting, now) === 'pending')
        throw new ProblemError(
          'staff-grant-pending',
          `A grant for "${waiting.name}" (${input.id}) already waits for a second admin (${waiting.id}, asked by ${waiting.requestedBy}): its maker withdraws it (POST /v1/staff-grants/${waiting.id}/withdraw) or another admin decides it before another is asked.`,
        );
      // A lapsed one is settled as such, so the new one is the member's only pending grant.
      await settleStaffGrant(trx, deps.tenantId, waiting.id, { status: 'expired', by: 'system', at: now.toISOString(), note: null });
    }
    const from = current ? { role: current.role, scope: current.scope, disabledAt: current.disabledAt } : null;
    const to = { role: input.role, scope: input.scope };
    const expiresAt = new Date(now.getTime() + STAFF_GRANT_DAYS * 86_400_000).toISOString();
    const grant = await insertStaffGrant(trx, {
      tenantId: deps.tenantId,
      id: `stg_${sortableId(now)}`,
      staffId: input.id,
      name: input.name,
      from,
      to,
      contentHash: contentHash({ staff: input.id, name: input.name, from, to, expiresAt }),
      requestedBy: deps.principal.actor,
      requestedAt: now.toISOString(),
      expiresAt,
    });
    return { grant };
  });
}

async function grantOr404(trx: Executor, deps: ApiDeps, id: string): Promise<StaffGrant> {
  const g = await findStaffGrant(trx, deps.tenantId, id, true);
  if (!g) throw new ProblemError('not-found', `No staff grant "${id}" in this tenant.`);
  return g;
}

function requirePending(g: StaffGrant, now: Date, doing: string, expiredToo = false): void {
  const state = grantState(g, now);
  if (state === 'pending' || (expiredToo && state === 'expired')) return;
  if (state === 'expired')
    throw new ProblemError(
      'conflict',
      `Staff grant ${g.id} lapsed at ${g.expiresAt} (grants wait ${STAFF_GRANT_DAYS} days); it can no longer be ${doing}: ask again.`,
    );
  throw alreadyDecided(g.id, state, doing);
}

/**
 * 409 `conflict`, code `already_decided`: another admin (or the maker, or a change of the member)
 * settled the grant first — two deciders racing get one decision and this answer, never a 500.
 */
function alreadyDecided(id: string, state: string, doing: string): ProblemError {
  return new ProblemError('conflict', `Staff grant ${id} is ${state}; only a pending grant can be ${doing}.`, [
    { path: 'params.id', message: `is ${state}`, code: 'already_decided', params: { status: state } },
  ]);
}

/** Whether the member still holds what the grant was asked against. */
function holdsFrom(current: StaffMember | undefined, from: StaffGrant['from']): boolean {
  if (from === null) return current === undefined;
  return (
    current !== undefined &&
    current.role === from.role &&
    current.scope === from.scope &&
    (current.disabledAt !== null) === (from.disabledAt !== null)
  );
}

/**
 * Approve or reject a grant: a tenant-wide admin (the access table) other than its maker (by person,
 * as all four eyes compares) and other than the member it gives power to. An approval names the
 * content it reviewed (`contentHash`), and applies only while the grant is unexpired and the member
 * holds what they held when it was asked (else 409 `content-changed`: reject it and ask again); it is
 * then the same change as `PUT /v1/staff/{id}`, under the same last-admin guard, in one transaction.
 */
export async function decideStaffGrant(
  deps: ApiDeps,
  id: string,
  decision: { readonly action: 'approve' | 'reject'; readonly contentHash: string; readonly note?: string },
  held: (g: StaffGrant) => void,
): Promise<{ grant: StaffGrant; staff?: StaffMember; before?: StaffMember }> {
  const now = deps.now();
  const actor = deps.principal.actor;
  return atomically(deps.db, async (trx) => {
    await lockUnrevokedKeys(trx, deps.tenantId, { role: 'admin' });
    const g = await grantOr404(trx, deps, id);
    held(g);
    requirePending(g, now, decision.action === 'approve' ? 'approved' : 'rejected', decision.action === 'reject');
    await requireDistinctPerson(trx, deps.tenantId, [g.requestedBy], actor);
    if ((await personOfActor(trx, deps.tenantId, actor)) === `staff:${g.staffId}`)
      throw new ProblemError(
        'four-eyes',
        `Staff grant ${g.id} gives you (${g.staffId}) power: another admin must approve or reject it, never the member it promotes.`,
      );
    requireSameContent(g.contentHash, decision.contentHash);
    let applied: { staff: StaffMember; before?: StaffMember } | undefined;
    if (decision.action === 'approve') {
      const current = (await lockTenantAdminsAnd(trx, deps.tenantId, g.staffId)).find((s) => s.id === g.staffId);
      if (!holdsFrom(current, g.from))
        throw new ProblemError(
          'content-changed',
          `"${g.name}" (${g.staffId}) no longer holds what they held when grant ${g.id} was asked${current ? ` (now ${current.role}, ${current.scope}${current.disabledAt ? ', disabled' : ''})` : ''}: reject it, and ask again from what they hold now.`,
        );
      if (g.team) await applyTeamGrant(trx, deps.tenantId, g, now.toISOString());
      else {
        // The grant decides powers, not the name: a rename applied at once since it was asked stands.
        const name = current?.name ?? g.name;
        applied = await putStaffOverHttp(trx, deps.tenantId, { id: g.staffId, name, ...g.to }, now.toISOString());
      }
    }
    const settled = await settleStaffGrant(trx, deps.tenantId, g.id, {
      status: decision.action === 'approve' ? 'approved' : 'rejected',
      by: actor,
      at: now.toISOString(),
      note: decision.note ?? null,
    });
    // Settled by another decider between the read and this write (the statement is guarded by
    // `status = 'pending'`): their decision stands, and this one is rolled back with what it applied.
    if (!settled) throw alreadyDecided(g.id, 'decided', decision.action === 'approve' ? 'approved' : 'rejected');
    const grant = await findStaffGrant(trx, deps.tenantId, g.id);
    if (!grant) throw new Error(`staff grant ${g.id} vanished`);
    return { grant, ...(applied ?? {}) };
  });
}

/** Withdraw a grant: only its maker (by person), while it waits or after it lapsed. */
export async function withdrawStaffGrant(
  deps: ApiDeps,
  id: string,
  note: string | undefined,
  held: (g: StaffGrant) => void,
): Promise<StaffGrant> {
  const now = deps.now();
  return atomically(deps.db, async (trx) => {
    const g = await grantOr404(trx, deps, id);
    held(g);
    requirePending(g, now, 'withdrawn', true);
    if (!(await samePerson(trx, deps.tenantId, g.requestedBy, deps.principal.actor)))
      throw new ProblemError(
        'forbidden',
        `Only the admin who asked for staff grant ${g.id} (${g.requestedBy}) may withdraw it; another admin may reject it.`,
      );
    const settled = await settleStaffGrant(trx, deps.tenantId, g.id, {
      status: 'withdrawn',
      by: deps.principal.actor,
      at: now.toISOString(),
      note: note ?? null,
    });
    if (!settled) throw alreadyDecided(g.id, 'decided', 'withdrawn');
    const grant = await findStaffGrant(trx, deps.tenantId, g.id);
    if (!grant) throw new Error(`staff grant ${g.id} vanished`);
    return grant;
  });
}
