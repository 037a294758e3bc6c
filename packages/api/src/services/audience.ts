import {
  audienceView,
  mayReadScheme,
  readerView,
  schemeDefinitionSchema,
  type AudienceView,
  type SchemeAudience,
  type SchemeDefinition,
} from '@tierkit/core';
import type { Principal } from '../auth/principal.js';
import { AUDITOR } from '../auth/roles.js';
import { ProblemError } from '../problem.js';
import type { TenantPack } from './tenant-pack.js';

/**
 * A customer's credential (an embed token, bound to one subject) reads as the customer; keys and
 * staff tokens read as staff, within what their role allows.
 */
export function audienceOfPrincipal(principal: Principal): SchemeAudience {
  return principal.via === 'embed-token' || principal.subject !== null ? 'customer' : 'staff';
}

const views = new WeakMap<TenantPack, Map<string, AudienceView>>();

/**
 * Whether `principal` may read the levels of scheme `s` (`SchemeDefinition.readers`): as staff, by role
 * and scope. A matrix scheme's level is the pair of its axes' levels, so it is read only with both axes.
 */
export function readsScheme(principal: Principal, tp: TenantPack, s: SchemeDefinition): boolean {
  // Internal audit examines every scheme, the AML grade's too, whatever its `readers` say: those audited
  // may not narrow their scheme out of the auditor's sight. It reaches no customer's levels by this: every
  // route that returns them refuses an auditor (access.ts, `auditor`), so what it reads is governance.
  if (principal.role === AUDITOR) return true;
  const caller = { role: principal.role, bookScoped: principal.book !== undefined };
  if (!mayReadScheme(s, caller)) return false;
  if (!s.matrix) return true;
  return [s.matrix.rowScheme, s.matrix.colScheme].every((k) => {
    const axis = tp.schemes.get(k);
    return axis === undefined || mayReadScheme(axis, caller);
  });
}

/**
 * The view of the tenant's pack for this principal, built once per compiled pack, audience, role and
 * scope: a customer's cut to customer schemes, staff's to the schemes their role may read (`readers`).
 */
export function audienceOf(principal: Principal, tp: TenantPack): AudienceView {
  const audience = audienceOfPrincipal(principal);
  const key = audience === 'customer' ? audience : `${audience}:${principal.role}:${principal.book !== undefined}`;
  let cached = views.get(tp);
  if (!cached) views.set(tp, (cached = new Map()));
  const hit = cached.get(key);
  if (hit) return hit;
  const base = audienceView(tp.pack, audience);
  const made = audience === 'staff' ? readerView(base, (s) => readsScheme(principal, tp, s)) : base;
  cached.set(key, made);
  return made;
}

/**
 * The keys of the pack's schemes whose levels a staff `principal` may not read (`readers`): what a read
 * cut in SQL leaves out. Empty for a customer's credential, whose reads are cut to customer schemes already.
 */
export function unreadableSchemes(principal: Principal, tp: TenantPack): string[] {
  if (audienceOfPrincipal(principal) !== 'staff') return [];
  return tp.pack.schemes.filter((s) => !readsScheme(principal, tp, s)).map((s) => s.key);
}

/**
 * The schemes not in force that a staff `principal` may not read, by the `readers` of their stored
 * versions (`stored`: policy versions' documents): a request about a scheme on its way in (its first
 * version waiting for approval) or left from one retired has no readers in force to go by, so the
 * strictest any of its versions states decides — a new AML grade's first version is its readers' only.
 */
export function unreadableBeyondPack(
  principal: Principal,
  tp: TenantPack,
  stored: readonly { readonly scheme: string; readonly document: unknown }[],
): string[] {
  if (audienceOfPrincipal(principal) !== 'staff') return [];
  const hidden = new Set<string>();
  for (const v of stored) {
    if (tp.schemes.has(v.scheme) || hidden.has(v.scheme)) continue;
    const def = schemeDefinitionSchema.safeParse(v.document);
    if (def.success && !readsScheme(principal, tp, def.data)) hidden.add(v.scheme);
  }
  return [...hidden];
}

/**
 * Refuse a staff read that asks for scheme `key` by name when the caller may not read it: 403
 * `forbidden`, field code `scheme_not_readable` on `path`. Never a silently empty answer, which would
 * tell by absence; a customer's credential keeps its 404 (it may not know a staff scheme exists).
 */
export function requireReadable(principal: Principal, tp: TenantPack, key: string, path: string): void {
  if (audienceOfPrincipal(principal) !== 'staff') return;
  const def = tp.schemes.get(key);
  if (!def || readsScheme(principal, tp, def)) return;
  throw schemeNotReadable(key, path);
}

/** The one refusal of a read of scheme `key` the caller may not read: 403 `forbidden`, field code `scheme_not_readable` on `path`. */
export function schemeNotReadable(key: string, path: string): ProblemError {
  return new ProblemError('forbidden', `Scheme "${key}" is not readable with this credential (its readers, or its axes', exclude it).`, [
    {
      path,
      message: `scheme ${key} is not readable with this credential`,
      code: 'scheme_not_readable',
      params: { scheme: key },
    },
  ]);
}
