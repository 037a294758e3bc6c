import type { LocalizedText, PolicyVersionDetail, PolicyVersionStatus, PolicyVersionSummary, SchemePolicies } from '@tierkit/core';
import type { PolicyVersion } from '@tierkit/db';
import { firstPeriodFrom } from './policy-checks.js';
import { retirementHash } from './policy-retirement.js';
import { staffOf, type StaffBehind } from './staff-behind.js';
import type { TenantPack } from './tenant-pack.js';

// What the API sends about policy versions: one home, shared with the admin kit.
export { POLICY_VERSION_STATUSES } from '@tierkit/core';
export type { PolicyVersionDetail, PolicyVersionStatus, PolicyVersionSummary, SchemePolicies } from '@tierkit/core';

/** The status of `v` given the pack in force this month. */
export function statusOf(v: PolicyVersion, now: TenantPack): PolicyVersionStatus {
  if (v.status !== 'active') return v.status;
  if (now.versions.get(v.scheme)?.id === v.id) return 'active';
  if (v.decidedAt !== null && firstPeriodFrom(v.effectiveFrom.slice(0, 10)) > now.period) return 'approved';
  return 'superseded';
}

/** The actors a version names, for {@link staffBehind}. */
export function versionActors(v: PolicyVersion): (string | null)[] {
  return [...v.authors, v.submittedBy, v.decidedBy, v.retiredBy, v.retireRequestedBy];
}

export function versionSummary(v: PolicyVersion, now: TenantPack, behind: StaffBehind): PolicyVersionSummary {
  return {
    scheme: v.scheme,
    version: v.version,
    status: statusOf(v, now),
    effectiveFrom: v.decidedAt !== null && v.effectiveFrom ? v.effectiveFrom.slice(0, 10) : null,
    contentHash: v.contentHash,
    authors: v.authors,
    authorsStaff: v.authors.map((a) => staffOf(behind, a)),
    createdAt: v.createdAt,
    submittedBy: v.submittedBy,
    submittedByStaff: staffOf(behind, v.submittedBy),
    submittedAt: v.submittedAt,
    decidedBy: v.decidedBy,
    decidedByStaff: staffOf(behind, v.decidedBy),
    decidedAt: v.decidedAt,
    note: v.note,
    retiredBy: v.retiredBy,
    retiredByStaff: staffOf(behind, v.retiredBy),
    retiredAt: v.retiredAt,
    retireNote: v.retireNote,
    retireRequestedBy: v.retireRequestedBy,
    retireRequestedByStaff: staffOf(behind, v.retireRequestedBy),
    retireRequestedAt: v.retireRequestedAt,
    retireRequestNote: v.retireRequestNote,
    retireRequestHash: retirementHash(v),
    draftNote: v.draftNote,
    submitNote: v.submitNote,
  };
}

export function versionDetail(v: PolicyVersion, now: TenantPack, behind: StaffBehind): PolicyVersionDetail {
  return { ...versionSummary(v, now, behind), document: v.document };
}

function nameOf(document: unknown): LocalizedText | null {
  const name = typeof document === 'object' && document !== null ? (document as { name?: unknown }).name : undefined;
  return typeof name === 'object' && name !== null ? (name as LocalizedText) : null;
}

/** Every scheme of the tenant with versions, in pack order. */
export function schemePolicies(versions: readonly PolicyVersion[], now: TenantPack, behind: StaffBehind): SchemePolicies[] {
  const by = new Map<string, PolicyVersion[]>();
  for (const v of versions) {
    const list = by.get(v.scheme);
    if (list) list.push(v);
    else by.set(v.scheme, [v]);
  }
  return [...by].map(([scheme, list]) => {
    const summaries = list.map((v) => versionSummary(v, now, behind));
    const active = summaries.find((s) => s.status === 'active') ?? null;
    const newest = list[list.length - 1];
    return {
      scheme,
      name: nameOf(now.versions.get(scheme)?.document ?? newest?.document),
      active,
      scheduled: summaries.filter((s) => s.status === 'approved'),
      pending: summaries.filter((s) => s.status === 'submitted'),
      drafts: summaries.filter((s) => s.status === 'draft'),
    };
  });
}
