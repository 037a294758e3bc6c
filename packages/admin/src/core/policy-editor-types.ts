import type { LocalizedText, MetricDef, SimulationResult } from '@tierkit/core';

/*
 * Wire shapes of `/v1/policies` (packages/api/src/schemas/policies.ts), as the policy editor reads
 * them. @tierkit/core has the documents' types but not these envelopes.
 */

export type PolicyVersionStatus = 'draft' | 'submitted' | 'approved' | 'active' | 'superseded' | 'rejected' | 'retired';

export interface PolicyVersionSummary {
  readonly scheme: string;
  readonly version: number;
  /** `approved`: decided, in force from a later `effectiveFrom`; `superseded`: a later version decides now. */
  readonly status: PolicyVersionStatus;
  readonly effectiveFrom: string | null;
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

export interface PolicyVersionDetail extends PolicyVersionSummary {
  /** The scheme definition (levels, policy, entitlements) as stored. */
  readonly document: unknown;
}

export interface SchemePolicies {
  readonly scheme: string;
  readonly name: LocalizedText | null;
  readonly active: PolicyVersionSummary | null;
  readonly scheduled: readonly PolicyVersionSummary[];
  readonly pending: readonly PolicyVersionSummary[];
  readonly drafts: readonly PolicyVersionSummary[];
}

export interface PoliciesResponse {
  readonly items: readonly SchemePolicies[];
  readonly metrics: readonly MetricDef[];
}

export interface PolicyVersionsResponse {
  readonly items: readonly PolicyVersionSummary[];
  readonly nextCursor: string | null;
}

export interface PolicyDiff {
  readonly scheme: string;
  readonly version: number;
  readonly against: number;
  readonly changes: readonly { readonly key: string; readonly change: 'added' | 'removed' | 'changed'; readonly text: LocalizedText }[];
}

export interface LevelCount {
  readonly level: string;
  readonly count: number;
}

/** The engine's migration matrix (from × to with samples) run on the book, and the distributions around it. */
export interface PolicySimulation extends SimulationResult {
  readonly version: number;
  /** The version in force it was compared with; null when the scheme has none. */
  readonly against: number | null;
  readonly before: readonly LevelCount[];
  readonly after: readonly LevelCount[];
}
