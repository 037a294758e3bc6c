/** Roles of API keys, weakest first: each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'analyst', 'officer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `value` names a role. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * The role of a key that may only mint embed tokens (`POST /v1/embed-tokens`): what a bank's
 * internet-facing portal backend holds, in place of an officer key that would also read every
 * customer's AML and credit grades, file overrides and run imports. Outside the staff order: it is
 * at least no role (`roleAtLeast` is false for every role), and it is never a staff member's.
 */
export const EMBEDDER = 'embedder';

/**
 * Internal audit: reads the trail and everything governance-related (approvals, decisions, every scheme's
 * policy, jobs and imports summaries, staff and grants) and decides nothing — the third line of defence is
 * independent of what it audits. Outside the staff order, as `embedder` is: `roleAtLeast` is false for it,
 * so it passes no role check, and the routes it reads say so themselves (access.ts, `auditor`). A bank's
 * auditor once had to be made an approver to read the trail, and could then approve an override.
 */
export const AUDITOR = 'auditor';
/** Every role a staff member may hold: the order, and `auditor`. */
export const STAFF_ROLES = [...ROLES, AUDITOR] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Whether `value` names a role a staff member may hold (`isRole`, or `auditor`). */
export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

/** Every role a key may have: the staff roles, and `embedder`. */
export const KEY_ROLES = [...STAFF_ROLES, EMBEDDER] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

/** Whether `value` names a role a key may have (`isRole`, or `embedder`). */
export function isKeyRole(value: string): value is KeyRole {
  return (KEY_ROLES as readonly string[]).includes(value);
}

/**
 * Whether `role` is at least `needed` in the order viewer < analyst < officer < approver < admin.
 * Never for `embedder` or `auditor`, which are outside that order: every role check refuses them.
 */
export function roleAtLeast(role: KeyRole, needed: Role): boolean {
  return isRole(role) && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * The role an owned key acts with: the lower of its own and its owner's, or undefined when the two are
 * not comparable (an auditor's key held by a non-auditor, or a key of the order held by an auditor) —
 * such a key acts as nobody, since no lower role would keep the auditor's reads or the owner's independence.
 */
export function ownedKeyRole(keyRole: StaffRole, ownerRole: StaffRole): StaffRole | undefined {
  if (keyRole === AUDITOR || ownerRole === AUDITOR) return keyRole === ownerRole ? keyRole : undefined;
  return roleAtLeast(ownerRole, keyRole) ? keyRole : ownerRole;
}

/**
 * Roles whose credentials take part in four eyes: an officer files what needs a second person (an
 * override, a draft, a re-tier job), an approver or admin decides it. Four eyes tells people apart by
 * who holds a credential, so a key of one of these roles must say whose it is: over HTTP it is issued
 * only to the caller themselves, and the CLI warns when it makes one nobody owns.
 */
export const FOUR_EYES_ROLES: readonly Role[] = ROLES.filter((r) => roleAtLeast(r, 'officer'));
