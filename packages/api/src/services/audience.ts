import { audienceView, type AudienceView, type SchemeAudience } from '@tierkit/core';
import type { Principal } from '../auth/principal.js';
import type { TenantPack } from './tenant-pack.js';

/**
 * A customer's credential (an embed token, bound to one subject) reads as the customer; keys and
 * staff tokens read as staff, within what their role allows.
 */
export function audienceOfPrincipal(principal: Principal): SchemeAudience {
  return principal.via === 'embed-token' || principal.subject !== null ? 'customer' : 'staff';
}

const views = new WeakMap<TenantPack, Partial<Record<SchemeAudience, AudienceView>>>();

/** The view of the tenant's pack for this principal, built once per compiled pack and audience. */
export function audienceOf(principal: Principal, tp: TenantPack): AudienceView {
  const audience = audienceOfPrincipal(principal);
  const cached = views.get(tp) ?? {};
  const hit = cached[audience];
  if (hit) return hit;
  const made = audienceView(tp.pack, audience);
  views.set(tp, { ...cached, [audience]: made });
  return made;
}
