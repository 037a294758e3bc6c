import {
  atomically,
  lockKeyOwners,
  lockTenantAdminsAnd,
  lockUnrevokedKeys,
  markStaffDisabled,
  upsertStaff,
  type Executor,
  type StaffInput,
  type StaffMember,
} from '@tierkit/db';
import { revokeKeysOf, type ApiKeyInfo } from '../auth/api-keys.js';
import { tenantWideAdmin } from '../auth/principal.js';
import { AUDITOR } from '../auth/roles.js';
import { invalid, ProblemError } from '../problem.js';
import { AUDITOR_TENANT_WIDE } from '../schemas/staff.js';
import { administersOverHttp } from './key-revocation.js';

const WAY_BACK =
  'promote another staff member to a tenant-wide admin first (`PUT /v1/staff/{id}` with role "admin", scope "tenant"), then change this one. With no other admin credential, an operator on the server issues an admin key (`tierkit keys create --tenant … --role admin --label … --unowned`), promotes someone else with it (a grant another admin approves, or `tierkit staff role` on the server), then makes this change';

/**
 * Create or change a staff member for an HTTP caller, unless the change takes a tenant-wide admin's
 * powers away (a lower role, or a book) and would leave the tenant:
 * - no other tenant-wide admin on staff (409 `last-admin-staff`): nobody could decide what a policy's
 *   `overrides.loosenNeeds: admin` asks for. One admin is all this keeps: it does not keep a second
 *   person for four eyes. An admin-level request filed by an admin (whom four eyes bars from deciding
 *   it) can be left with no staff member able to approve it when the other admins are demoted, which
 *   is not refused; it waits until someone is promoted, or is rejected or withdrawn
 *   (packages/api/README.md, "Staff and books");
 * - no key that administers it over HTTP (409 `last-admin-staff` too), when the member owns the last
 *   such key: a key acts with the lower of its role and its owner's, so demoting the owner revokes the
 *   key's administration as surely as `POST /v1/keys/{id}/revoke` would (refused there: `last-admin-key`).
 * Nothing changes when it is refused. The tenant's admin keys, then its tenant-wide admins and the
 * member, are read and the member written in one transaction: on PostgreSQL under row locks in the
 * key-then-staff order (`lockUnrevokedKeys` FOR UPDATE, `lockTenantAdminsAnd` FOR NO KEY UPDATE, so a
 * book assignment's foreign-key check on a staff row neither waits for it nor deadlocks with it), on
 * SQLite under its writer's lock, so two admins demoting each other at once cannot both succeed — the
 * second waits for the first and then sees its demotion. Code beside the database calling the
 * library's `upsertStaff` (as the demo seed does) does not come here.
 * `held` hears the member as read under the lock (undefined: a new one), before anything is decided.
 */
export async function putStaffOverHttp(
  db: Executor,
  tenantId: string,
  /** The member as it is to be, or (`from`) made from the member as read under the lock. */
  asked: StaffInput | { readonly id: string; readonly from: (current: StaffMember | undefined) => StaffInput },
  now: string,
  held: (before: StaffMember | undefined) => void = () => undefined,
): Promise<{ staff: StaffMember; created: boolean; before?: StaffMember }> {
  return atomically(db, async (trx) => {
    const keys = await lockUnrevokedKeys(trx, tenantId, { role: 'admin' });
    const admins = await lockTenantAdminsAnd(trx, tenantId, asked.id);
    const current = admins.find((s) => s.id === asked.id);
    held(current);
    const input = 'from' in asked ? asked.from(current) : asked;
    // The HTTP body is checked by its schema; the CLI's `staff role ID --role auditor` keeps a member's
    // book scope unless told otherwise, and made a book-scoped auditor here.
    if (input.role === AUDITOR && input.scope !== 'tenant')
      throw invalid(
        [{ path: 'body.scope', message: AUDITOR_TENANT_WIDE, code: 'invalid_value', params: { values: ['tenant'] } }],
        `${AUDITOR_TENANT_WIDE}; "${input.id}" would be an auditor of one book: give them scope "tenant"`,
      );
    if (current !== undefined && tenantWideAdmin(current) && !tenantWideAdmin(input)) {
      if (!admins.some((s) => s.id !== input.id && tenantWideAdmin(s))) {
        throw new ProblemError(
          'last-admin-staff',
          `"${current.name}" (${current.id}) is the tenant's last tenant-wide admin: demoted, no staff member could approve what a policy asks an admin for, nor administer staff over HTTP. To change them, ${WAY_BACK}.`,
        );
      }
      const owned = await lockKeyOwners(trx, tenantId, keys);
      const after = owned.map((k) =>
        k.owner?.id === input.id ? { ...k, owner: { id: input.id, role: input.role, scope: input.scope } } : k,
      );
      if (owned.some(administersOverHttp) && !after.some(administersOverHttp)) {
        throw new ProblemError(
          'last-admin-staff',
          `"${current.name}" (${current.id}) owns the tenant's last admin key that administers it over HTTP: a key acts with the lower of its role and its owner's, so demoted, nobody could administer the tenant over HTTP. To change them, issue another admin key first (a tenant-wide admin issues one in their own name with POST /v1/keys; an operator with \`tierkit keys create --role admin --unowned\`).`,
        );
      }
    }
    return upsertStaff(trx, tenantId, input, now);
  });
}

/** What a disabled staff member is left holding, should they be given a role back without one: the least the API grants, within a book. */
export const DISABLED_STAFF = { role: 'viewer', scope: 'book' } as const;

/**
 * Take a staff member's powers away (someone leaving): every key they own revoked, their role and
 * scope made the least the API grants (`viewer` within their book, `DISABLED_STAFF`), and the member
 * marked disabled (`disabledAt`), so their staff tokens — those still out and any a sign-on that still
 * knows them would mint — and keys authenticate nothing, and no key can be issued to them: a leaver
 * reads not even their book. The row stays, as the trail and their requests name them. Under the same guard as `PUT /v1/staff/{id}`
 * (`putStaffOverHttp`: 409 `last-admin-staff` when they are the last tenant-wide admin, or own the last
 * admin key that administers over HTTP), all in one transaction: nothing changes when it is refused.
 * Their book's customers stay theirs until moved (the bank's data, `PUT /v1/subjects/{id}/manager`).
 * The tenant's admin keys and the member's keys are locked first, in one pass in id order, as every
 * path that decides by keys takes them (`lockUnrevokedKeys`), then the staff rows.
 * `held` hears the member as read under the lock (undefined: no such member, a 404 `not-found`).
 */
export async function disableStaff(
  db: Executor,
  tenantId: string,
  id: string,
  now: Date,
  held: (before: StaffMember | undefined) => void = () => undefined,
): Promise<{ staff: StaffMember; before: StaffMember; revoked: ApiKeyInfo[] }> {
  return atomically(db, async (trx) => {
    await lockUnrevokedKeys(trx, tenantId, { role: 'admin', orStaffId: id });
    const from = (current: StaffMember | undefined): StaffInput => {
      if (current === undefined) throw new ProblemError('not-found', `No staff member "${id}" in this tenant.`);
      return { id, name: current.name, ...DISABLED_STAFF };
    };
    const result = await putStaffOverHttp(trx, tenantId, { id, from }, now.toISOString(), held);
    if (!result.before) throw new Error(`staff member ${id} was created, not disabled`);
    const revoked = await revokeKeysOf(trx, tenantId, id, now);
    const disabled = await markStaffDisabled(trx, tenantId, id, now.toISOString());
    if (!disabled) throw new Error(`staff member ${id} vanished while being disabled`);
    return { staff: disabled, before: result.before, revoked };
  });
}
