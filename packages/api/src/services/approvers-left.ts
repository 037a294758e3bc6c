import type { ApprovalBlock, OverrideApprover } from '@tierkit/core';
import { anyTenantWideStaff, type Executor } from '@tierkit/db';
import { personOfActor } from '../auth/api-keys.js';
import { ROLES, roleAtLeast } from '../auth/roles.js';

/**
 * Whether anyone on staff but a request's makers may approve it now, and if not why
 * (`ApprovalBlock`): four eyes bars every credential of the requesters (`requesters`, stored actors,
 * each taken to its person as four eyes does: `personOfActor`), so a request needing an admin that the
 * tenant's only tenant-wide admin filed can be approved by nobody on staff until someone is promoted.
 * Counted among deciders: tenant-wide staff holding at least `needs` (a book-scoped one never reaches
 * the queue). An unowned admin or approver key is not counted: it is the operator's or an integration's,
 * not a person on staff, and a bank's four eyes are two of its people (packages/api/README.md, "Four eyes").
 * The answer is as of now: a promotion or demotion since changes it.
 */
export async function approvalBlocked(
  db: Executor,
  tenantId: string,
  needs: OverrideApprover,
  requesters: readonly string[],
): Promise<ApprovalBlock | null> {
  const people = await Promise.all(requesters.filter(Boolean).map((r) => personOfActor(db, tenantId, r)));
  const makers = people.flatMap((p) => (p.startsWith('staff:') ? [p.slice('staff:'.length)] : []));
  const deciders = ROLES.filter((r) => roleAtLeast(r, needs));
  if (await anyTenantWideStaff(db, tenantId, deciders, makers)) return null;
  return needs === 'admin' ? 'no-other-admin' : 'no-other-approver';
}
