import type { LocalizedText } from '@tierkit/core';
import type { PolicyVersion } from '@tierkit/db';
import { firstPeriodFrom } from './policy-checks.js';
import type { TenantPack } from './tenant-pack.js';

/**
 * A version's status as the API reports it. Stored `active` versions are told apart by date:
 * `approved` (its date has not come), `active` (in force this month), `superseded` (a later version
 * is; it still decides the months before that one's date).
 */
export const POLICY_VERSION_STATUSES = ['draft', 'submitted', 'approved', 'active', 'superseded', 'rejected', 'retired'] as const;
export type PolicyVersionStatus = (typeof POLICY_VERSION_STATUSES)[number];

/** A version without its document, as lists show it. */
export interface PolicyVersionSummary {
  readonly scheme: string;
  readonly version: number;
  readonly status: PolicyVersionStatus;
  /** The day from which it decides (`YYYY-MM-DD`); null for drafts and for versions the tenant came with (in force from the beginning). */
  readonly effectiveFrom: string | null;
  /** The hash of the content submitted: what an approval must send back. Null until submitted. */
  readonly contentHash: string | null;
  readonly authors: readonly string[];
  readonly createdAt: string;
  readonly submittedBy: string | null;
  readonly submittedAt: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly note: string | null;
  readonly retiredBy: string | null;
  readonly retiredAt: string | null;
  readonly retireNote: string | null;
}

/** One version with the scheme definition it holds. */
export interface PolicyVersionDetail extends PolicyVersionSummary {
  readonly document: unknown;
}

/** The status of `v` given the pack in force this month. */
export function statusOf(v: PolicyVersion, now: TenantPack): PolicyVersionStatus {
  if (v.status !== 'active') return v.status;
  if (now.versions.get(v.scheme)?.id === v.id) return 'active';
  if (v.decidedAt !== null && firstPeriodFrom(v.effectiveFrom.slice(0, 10)) > now.period) return 'approved';
  return 'superseded';
}

export function versionSummary(v: PolicyVersion, now: TenantPack): PolicyVersionSummary {
  return {
    scheme: v.scheme,
    version: v.version,
    status: statusOf(v, now),
    effectiveFrom: v.decidedAt !== null && v.effectiveFrom ? v.effectiveFrom.slice(0, 10) : null,
    contentHash: v.contentHash,
    authors: v.authors,
    createdAt: v.createdAt,
    submittedBy: v.submittedBy,
    submittedAt: v.submittedAt,
    decidedBy: v.decidedBy,
    decidedAt: v.decidedAt,
    note: v.note,
    retiredBy: v.retiredBy,
    retiredAt: v.retiredAt,
    retireNote: v.retireNote,
  };
}

export function versionDetail(v: PolicyVersion, now: TenantPack): PolicyVersionDetail {
  return { ...versionSummary(v, now), document: v.document };
}

/** Where a scheme's policy stands: the version in force, the ones scheduled, waiting and being drafted. */
export interface SchemePolicies {
  readonly scheme: string;
  readonly name: LocalizedText | null;
  readonly active: PolicyVersionSummary | null;
  readonly scheduled: readonly PolicyVersionSummary[];
  readonly pending: readonly PolicyVersionSummary[];
  readonly drafts: readonly PolicyVersionSummary[];
}

function nameOf(document: unknown): LocalizedText | null {
  const name = typeof document === 'object' && document !== null ? (document as { name?: unknown }).name : undefined;
  return typeof name === 'object' && name !== null ? (name as LocalizedText) : null;
}

/** Every scheme of the tenant with versions, in pack order. */
export function schemePolicies(versions: readonly PolicyVersion[], now: TenantPack): SchemePolicies[] {
  const by = new Map<string, PolicyVersion[]>();
  for (const v of versions) {
    const list = by.get(v.scheme);
    if (list) list.push(v);
    else by.set(v.scheme, [v]);
  }
  return [...by].map(([scheme, list]) => {
    const summaries = list.map((v) => versionSummary(v, now));
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
