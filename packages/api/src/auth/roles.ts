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
