/** Roles of API keys, weakest first: each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'analyst', 'officer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `value` names a role. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether `role` is at least `needed` in the order viewer < analyst < officer < approver < admin. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * Roles whose credentials take part in four eyes: an officer files what needs a second person (an
 * override, a draft, a re-tier job), an approver or admin decides it. Four eyes tells people apart by
 * who holds a credential, so a key of one of these roles must say whose it is: over HTTP it is issued
 * only to the caller themselves, and the CLI warns when it makes one nobody owns.
 */
export const FOUR_EYES_ROLES: readonly Role[] = ROLES.filter((r) => roleAtLeast(r, 'officer'));
