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
/** Every role a key may have: the staff order, and `embedder`. */
export const KEY_ROLES = [...ROLES, EMBEDDER] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

/** Whether `value` names a role a key may have (`isRole`, or `embedder`). */
export function isKeyRole(value: string): value is KeyRole {
  return (KEY_ROLES as readonly string[]).includes(value);
}

/**
 * Whether `role` is at least `needed` in the order viewer < analyst < officer < approver < admin.
 * Never for `embedder`, which is outside that order: every role check refuses it.
 */
export function roleAtLeast(role: KeyRole, needed: Role): boolean {
  return role !== EMBEDDER && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * Roles whose credentials take part in four eyes: an officer files what needs a second person (an
 * override, a draft, a re-tier job), an approver or admin decides it. Four eyes tells people apart by
 * who holds a credential, so a key of one of these roles must say whose it is: over HTTP it is issued
 * only to the caller themselves, and the CLI warns when it makes one nobody owns.
 */
export const FOUR_EYES_ROLES: readonly Role[] = ROLES.filter((r) => roleAtLeast(r, 'officer'));
