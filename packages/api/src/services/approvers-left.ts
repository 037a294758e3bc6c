import type { ApprovalBlock, OverrideApprover } from '@tierkit/core';
import { anyBookStaffReaching, anyTenantWideStaff, anyUnownedKey, type Executor } from '@tierkit/db';
import { personOfActor } from '../auth/api-keys.js';
import { ROLES, roleAtLeast } from '../auth/roles.js';

/**
 * Whether anyone on staff but a request's makers may approve it now, and if not why
 * (`ApprovalBlock`): four eyes bars every credential of the requesters (`requesters`, stored actors,
 * each taken to its person as four eyes does: `personOfActor`), so a request needing an admin that the
 * tenant's only tenant-wide admin filed can be approved by nobody on staff until someone is promoted.
 * Counted among deciders: tenant-wide staff holding at least `needs`; for an override request (`subjectId`,
 * its customer's internal id), book-scoped staff holding it who reach the customer (their book, or a book of
 * a team they lead: a team lead who is an approver decides their team's requests) — one who does not reach
 * it cannot decide it, so is not counted; and an unrevoked key nobody owns holding at least `needs` that is not itself a requester:
 * such a key can approve (four eyes takes an unowned key for a person of its own), so a request it could
 * decide is not blocked, and saying "nobody can" would hide a credential that can. Unowned keys of a
 * decider's role are issued only on purpose (`tierkit keys create --unowned`, audited as unowned)
 * (packages/api/README.md, "Four eyes"). The answer is as of now: a promotion, demotion, key issued or
 * revoked since changes it.
 */
export async function approvalBlocked(
  db: Executor,
  tenantId: string,
  needs: OverrideApprover,
  requesters: readonly string[],
  subjectId?: string,
): Promise<ApprovalBlock | null> {
  return approvalsBlocked(db, tenantId)(needs, requesters, subjectId);
}

/**
 * {@link approvalBlocked} for one page of items: each requester taken to their person once, and each
 * (role needed, makers) asked once — a page is mostly a few makers' requests.
 */
export function approvalsBlocked(
  db: Executor,
  tenantId: string,
): (needs: OverrideApprover, requesters: readonly string[], subjectId?: string) => Promise<ApprovalBlock | null> {
  const persons = new Map<string, Promise<string>>();
  const answers = new Map<string, Promise<boolean>>();
  const personOf = (actor: string) => {
    let p = persons.get(actor);
    if (p === undefined) persons.set(actor, (p = personOfActor(db, tenantId, actor)));
    return p;
  };
  return async (needs, requesters, subjectId) => {
    const people = await Promise.all(requesters.filter(Boolean).map(personOf));
    const makers = [...new Set(people.flatMap((p) => (p.startsWith('staff:') ? [p.slice('staff:'.length)] : [])))].sort();
    const keys = [...new Set(people.flatMap((p) => (p.startsWith('key:') ? [p.slice('key:'.length)] : [])))].sort();
    // Who reaches one customer is that customer's: the subject is part of the question when it is asked.
    const key = JSON.stringify([needs, makers, keys, subjectId ?? null]);
    let another = answers.get(key);
    if (another === undefined)
      answers.set(
        key,
        (another = (async () => {
          const roles = ROLES.filter((r) => roleAtLeast(r, needs));
          if (await anyTenantWideStaff(db, tenantId, roles, makers)) return true;
          // A lead decides as an approver, never as the admin a rule may ask for (book-deciders.ts).
          if (subjectId !== undefined && needs !== 'admin' && (await anyBookStaffReaching(db, tenantId, roles, makers, subjectId)))
            return true;
          return anyUnownedKey(db, tenantId, roles, keys);
        })()),
      );
    if (await another) return null;
    return needs === 'admin' ? 'no-other-admin' : 'no-other-approver';
  };
}

/**
 * Why nobody may approve a lowering request now, with who put in its figures (`figureMakers`, stored
 * actors) barred as its requesters are: the requesters' own block first, else `approvers-wrote-figures`
 * when each person who could decide put in one of its values. `blocked` answers from memory what it was
 * asked before, so a page, or a write's answer, asks each question once.
 */
export async function loweringBlocked(
  blocked: ReturnType<typeof approvalsBlocked>,
  needs: OverrideApprover,
  requesters: readonly string[],
  figureMakers: readonly string[],
): Promise<ApprovalBlock | null> {
  const byRequesters = await blocked(needs, requesters);
  if (byRequesters !== null || figureMakers.length === 0) return byRequesters;
  return (await blocked(needs, [...requesters, ...figureMakers])) === null ? null : 'approvers-wrote-figures';
}
