import type { Role } from './roles.js';

/**
 * What a route needs. Routes are matched here, in one table, so the whole access policy can be read
 * at a glance; a `/v1` path missing from the table needs an admin key (deny by default).
 */
export interface Access {
  /** Least role of a key or staff token. */
  readonly role: Role;
  /** Embed tokens: `'subject'` when the path's subject must be theirs, `'any'` for shared reads, false when refused. */
  readonly embed: 'subject' | 'any' | false;
  /** Only API keys: tokens (even staff tokens) are refused. */
  readonly keyOnly: boolean;
  /** For `embed: 'subject'`: the subject id in the path. */
  readonly subject?: string;
  /** Refused to book-scoped staff (relationship managers): it reaches beyond one book. */
  readonly tenantWide?: boolean;
}

const READ: Access = { role: 'viewer', embed: false, keyOnly: false };
const RULES: readonly (readonly [method: string, path: RegExp, access: Access])[] = [
  ['GET', /^\/v1\/subjects\/([^/]+)\/(tiers|history|entitlements)$/, { ...READ, embed: 'subject' }],
  ['GET', /^\/v1\/schemes(\/[^/]+)?$/, { ...READ, embed: 'any' }],
  ['GET', /^\/v1\/subjects$/, READ],
  ['GET', /^\/v1\/matrix\/[^/]+$/, READ],
  ['PUT', /^\/v1\/subjects\/[^/]+\/metrics$/, { role: 'officer', embed: false, keyOnly: false }],
  // Creating or renaming a subject is the bank's whole-tenant business, never one book's.
  ['PUT', /^\/v1\/subjects\/[^/]+$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  ['POST', /^\/v1\/embed-tokens$/, { role: 'officer', embed: false, keyOnly: true }],
  ['GET', /^\/v1\/session$/, READ],
  ['GET', /^\/v1\/subjects\/[^/]+\/manager$/, READ],
  ['GET', /^\/v1\/staff(\/[^/]+)?$/, READ],
  ['PUT', /^\/v1\/staff\/[^/]+$/, { role: 'admin', embed: false, keyOnly: false, tenantWide: true }],
  ['PUT', /^\/v1\/subjects\/[^/]+\/manager$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
  ['POST', /^\/v1\/subject-managers$/, { role: 'officer', embed: false, keyOnly: false, tenantWide: true }],
];
const DEFAULT: Access = { role: 'admin', embed: false, keyOnly: true };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The access a request to `method path` needs. HEAD is a GET. */
export function accessFor(method: string, path: string): Access {
  const m = method === 'HEAD' ? 'GET' : method;
  for (const [ruleMethod, pattern, access] of RULES) {
    if (ruleMethod !== m) continue;
    const match = pattern.exec(path);
    if (!match) continue;
    return access.embed === 'subject' && match[1] !== undefined ? { ...access, subject: decode(match[1]) } : access;
  }
  return DEFAULT;
}
