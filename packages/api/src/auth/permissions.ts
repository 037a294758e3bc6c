import type { Principal } from './principal.js';
import { roleAtLeast, type Role } from './roles.js';

/**
 * What a principal may do *within* a route it may call, beyond the route table (access.ts): each is
 * granted to keys and staff tokens from a role up, never to an embed token (a customer's credential).
 */
export const PERMISSIONS = {
  'unmask-names': {
    role: 'officer',
    description:
      'ask for display names unmasked (`?unmask=true`) or search subjects by name (`GET /v1/subjects?name=`); each such read is audited',
  },
} as const satisfies Record<string, { role: Role; description: string }>;
export type Permission = keyof typeof PERMISSIONS;

/** Whether `p` holds `permission`. */
export function may(p: Principal, permission: Permission): boolean {
  return p.via !== 'embed-token' && p.subject === null && roleAtLeast(p.role, PERMISSIONS[permission].role);
}
