import type { LocalizedText } from '../model/locale.js';
import type { MetricDef } from '../model/metric.js';
import type { PolicyChange } from '../diff/policy-diff.js';
import type { SimulationResult } from '../simulation/simulate.js';
import type { Job } from './jobs.js';

/*
 * What `/v1/policies` sends: the one home of these shapes, for the API that builds them and the
 * clients (the admin kit) that read them.
 */

/**
 * A version's status as the API reports it. Stored `active` versions are told apart by date:
 * `approved` (its date has not come), `active` (in force this month), `superseded` (a later version
 * is; it still decides the months before that one's date).
 */
export const POLICY_VERSION_STATUSES = ['draft', 'submitted', 'approved', 'active', 'superseded', 'rejected', 'retired'] as const;
export type PolicyVersionStatus = (typeof POLICY_VERSION_STATUSES)[number];

/** Who drafted, submitted, decided and retired a version, and when: stored with it, sent as is. */
export interface PolicyVersionLifecycle {
  /** The hash of the content submitted: what an approval must send back. Null until submitted. */
  readonly contentHash: string | null;
  /** Who created or edited it (empty for versions provisioned or imported). */
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
  /**
   * A retirement asked for and waiting for a second person (null when none waits): who asked, when and
   * why. Another person with the role the retirement needs approves or rejects it; the requester may
   * withdraw it. On approval `retiredBy` is the approver and `retireNote` the requester's reason.
   */
  readonly retireRequestedBy: string | null;
  readonly retireRequestedAt: string | null;
  readonly retireRequestNote: string | null;
  /**
   * The maker's word on the version, for the checker: why it was drafted (`POST …/drafts` `note`) and
   * why it was submitted (`POST …/submit` `note`); null when none was given (and on versions from before).
   */
  readonly draftNote: string | null;
  readonly submitNote: string | null;
}

/** A version without its document, as lists show it. */
export interface PolicyVersionSummary extends PolicyVersionLifecycle {
  readonly scheme: string;
  readonly version: number;
  readonly status: PolicyVersionStatus;
  /** The day from which it decides (`YYYY-MM-DD`); null for drafts and for versions the tenant came with (in force from the beginning). */
  readonly effectiveFrom: string | null;
  /** The staff member behind each of `authors`, in order (their staff token or a key they own); null for anyone else. */
  readonly authorsStaff: readonly (string | null)[];
  /** The staff member behind `submittedBy` (their staff token or a key they own); null for anyone else. */
  readonly submittedByStaff: string | null;
  /** The staff member behind `decidedBy` (their staff token or a key they own); null for anyone else. */
  readonly decidedByStaff: string | null;
  /** The staff member behind `retiredBy` (their staff token or a key they own); null for anyone else. */
  readonly retiredByStaff: string | null;
  /** The staff member behind `retireRequestedBy`; null for anyone else, or when no retirement waits. */
  readonly retireRequestedByStaff: string | null;
  /** What a decision on the pending retirement sends back (`contentHash`); null when none waits. */
  readonly retireRequestHash: string | null;
}

/** One version with the scheme definition (levels, policy, entitlements) it holds, as stored. */
export interface PolicyVersionDetail extends PolicyVersionSummary {
  readonly document: unknown;
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

/** `GET /v1/policies`: every scheme with versions, and the metric catalogue a client validates drafts with. */
export interface PoliciesResponse {
  readonly items: readonly SchemePolicies[];
  readonly metrics: readonly MetricDef[];
}

/** `GET /v1/policies/{scheme}/versions`. */
export interface PolicyVersionsResponse {
  readonly items: readonly PolicyVersionSummary[];
  readonly nextCursor: string | null;
}

/** What changed from one version of a scheme's policy to another, in words an approver reads. */
export interface PolicyDiff {
  readonly scheme: string;
  readonly version: number;
  readonly against: number;
  /**
   * The first day `against` decides (null: from the beginning). Later than today when the version compared
   * with is only scheduled: a new version follows the last approved one, not necessarily the one in force.
   */
  readonly againstFrom?: string | null;
  /** The version in force today (null: none); when it is not `against`, a scheduled version lies between. */
  readonly inForce?: number | null;
  /**
   * The day an approval takes when none is given: the next month's first, or the month after the
   * last scheduled version's, as no version may be dated before one already scheduled. Absent for an approved version.
   */
  readonly approveFrom?: string;
  readonly changes: readonly PolicyChange[];
}

/** How many subjects hold each level, before and after. */
export interface LevelCount {
  readonly level: string;
  readonly count: number;
}

/**
 * Subjects of one level below its line under the simulated version, kept there by the grace periods
 * of its hysteresis at the re-tier simulated: they move to `to` after `monthsLeft` more months below it.
 */
export interface HeldCell {
  readonly level: string;
  readonly to: string;
  /** Further re-tiers below the line before the level drops (1: at the next month's). */
  readonly monthsLeft: number;
  /** The month (`YYYY-MM`) whose re-tier drops them when the grace ends: `period` plus `monthsLeft`, if nothing changes. */
  readonly dropsIn: string;
  readonly count: number;
  readonly samples: readonly string[];
}

/**
 * A version as if in force for the next re-tier: what that re-tier would do to the current book (the
 * migration matrix, `cells`, from each subject's level now to the one it would store), the
 * distributions on either side, and who would be held by the grace periods though below a line.
 */
export interface PolicySimulation extends SimulationResult {
  readonly version: number;
  /** The version in force now that the book's levels come from (null for a new scheme). */
  readonly against: number | null;
  readonly before: readonly LevelCount[];
  readonly after: readonly LevelCount[];
  /** The month (`YYYY-MM`) the simulated re-tier judges. */
  readonly period: string;
  /**
   * The latest month of data read (null: none). Before `period`, each figure of that month stands in
   * for the months after it up to `period` ("if nothing changes").
   */
  readonly dataPeriod: string | null;
  /** Subjects held at their level by the grace periods though below its line, by level, target and months left. */
  readonly held: { readonly total: number; readonly cells: readonly HeldCell[] };
  /** Subjects below their level's line but inside its retention band: kept without counting towards a drop. */
  readonly kept: number;
  /** `after` once every grace period counted in `held` has ended: each held subject at the level it drops to. */
  readonly afterGrace: readonly LevelCount[];
  /**
   * What the version in force computes for the same subjects, data and month (null: a new scheme, or
   * a simulation stored before baselines were kept): so "+312 白金卡" is against today's rule, not
   * against the levels stored.
   */
  readonly baseline: SimulationBaseline | null;
}

/** One level's count under the version in force and under the version simulated, this month and once the grace periods end. */
export interface LevelComparison {
  readonly level: string;
  readonly baseline: number;
  readonly simulated: number;
  /** `simulated − baseline`. */
  readonly change: number;
  readonly baselineAfterGrace: number;
  readonly simulatedAfterGrace: number;
  readonly changeAfterGrace: number;
}

/** Subjects at `from` under the version in force and at `to` under the version simulated, at the same re-tier. */
export interface ComparedCell {
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly samples: readonly string[];
}

/** A simulation's baseline: the same re-tier planned under the version in force. */
export interface SimulationBaseline {
  /** The version of the scheme in force that the baseline planned under. */
  readonly version: number;
  /** From each subject's stored level to the one the version in force would store (no samples). */
  readonly cells: readonly { readonly from: string; readonly to: string; readonly count: number }[];
  readonly after: readonly LevelCount[];
  readonly afterGrace: readonly LevelCount[];
  readonly upgraded: number;
  readonly downgraded: number;
  readonly held: { readonly total: number; readonly cells: readonly HeldCell[] };
  /** Subject by subject: the level under the version in force → the level under the version simulated. */
  readonly compared: readonly ComparedCell[];
  /** Subjects the version simulated puts higher than the version in force, lower, and at the same level. */
  readonly higher: number;
  readonly lower: number;
  readonly same: number;
  /** Every level (lowest rank first), in force against simulated: the "+312 白金卡". */
  readonly levels: readonly LevelComparison[];
}

/** What changed since a simulation was queued, each of which its figures no longer show. */
export interface SimulationChangedSince {
  readonly data: boolean;
  readonly levels: boolean;
  readonly policies: boolean;
  readonly revision: boolean;
}

/**
 * `GET /v1/policies/{scheme}/versions/{version}/simulations`: what an approver of the version is shown
 * of its impact — the latest completed simulation, what it planned under, whether the book or the
 * policies changed since (`stale`), and one still running.
 */
export interface VersionSimulations {
  readonly latest: Job | null;
  readonly pinned: readonly { readonly scheme: string; readonly version: number }[];
  readonly changedSince: SimulationChangedSince | null;
  readonly stale: boolean;
  /**
   * Subjects `latest` moves onto a level that needs a second person's sign-off under the version
   * simulated (its own levels' `approvalRequired`, not the scheme in force's): the sign-offs approving
   * it would open. Null with no `latest`.
   */
  readonly signOffs: number | null;
  readonly running: Job | null;
}
