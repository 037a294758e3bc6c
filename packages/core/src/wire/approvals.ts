import type { OverrideReasonCategory } from '../model/override.js';
import type { MetricUnit } from '../model/metric.js';
import type { OverrideApprover } from '../model/override-rule.js';
import type { PolicyVersionDetail } from './policies.js';

/* What the four-eyes queue (`/v1/approvals`) and a policy approval send. */

export const APPROVAL_KINDS = ['override', 'level', 'policy', 'staff', 'retirement', 'metric-audience', 'closing'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

/**
 * Why nobody on staff may approve a request now: four eyes bars its requester, and no other tenant-wide
 * staff member holds the role it needs (`approvalNeeds`) — `no-other-admin` when it needs an admin,
 * `no-other-approver` when it needs an approver. It waits until someone is promoted
 * (`PUT /v1/staff/{id}`, or the operator's `tierkit staff role`), or is rejected or withdrawn
 * (packages/api/README.md, "Four eyes"). `approvers-wrote-figures` (a lowering request): someone but
 * its maker holds the role, but every such person put in the figures it rests on (wrote or imported one
 * of its values), which bars them as its maker is; it waits for a person who did not.
 */
export const APPROVAL_BLOCKS = ['no-other-admin', 'no-other-approver', 'approvers-wrote-figures'] as const;
export type ApprovalBlock = (typeof APPROVAL_BLOCKS)[number];

/**
 * One entry of the approvals queue (`GET /v1/approvals`). Every kind of four-eyes request —
 * overrides, approval-required levels, policy versions — is listed in this one shape so that an
 * approver works through one queue.
 */
export interface ApprovalItem {
  readonly kind: ApprovalKind;
  /** Id of the request within its kind (override id, `subject:scheme` for a level, `scheme@version` for a policy, the grant's id for staff, the request's for a metric's audience). */
  readonly id: string;
  /** The scheme it is about; empty for a staff grant, which is about no scheme. */
  readonly scheme: string;
  /** External id of the subject, for overrides and levels; null for policies. */
  readonly subject: string | null;
  /** An override's customer's display name, masked unless the caller may see names in full; null or absent otherwise. */
  readonly subjectName?: string | null;
  /**
   * One line for the queue, e.g. "客户等级: 金卡 → 白金卡 (固定为该等级)，至 2027-03-31"; an override that would
   * not move the level says so without an arrow, "customer tier: never below Gold (now Diamond)".
   */
  readonly summary: string;
  /**
   * Why it was asked: an override request's reason; null for a level sign-off (a re-evaluation
   * raised it: `period` and `fromLevel` say which) and a policy version.
   */
  readonly reason: string | null;
  /** An override request's reason category and the evidence its filer cited (absent when not given): for the checker. */
  readonly reasonCategory?: OverrideReasonCategory;
  readonly evidence?: string;
  /**
   * A policy version's maker's words, for the checker: why it was drafted and why submitted (the
   * version's `draftNote`, `submitNote`); null when not given; absent for other kinds.
   */
  readonly draftNote?: string | null;
  readonly submitNote?: string | null;
  /**
   * The subject's level in the scheme now (its key), read when the page is: what an override would
   * replace. Null for a policy version, or when the subject has no level in the scheme yet.
   */
  readonly currentLevel: string | null;
  /**
   * The level before the change (key): a sign-off's, the level it moves from; an override's, the subject's
   * current level when the override would move it (a floor above it, a fixed level other than it), null
   * when it would not (a floor at or below it, the level it already has) — `currentLevel` still says the
   * level now — or when the subject has no level yet.
   */
  readonly fromLevel: string | null;
  /** The level asked for (key): an override's level, the sign-off's new level; null for a policy version. */
  readonly level: string | null;
  /** An override's mode (`fixed`: exactly this level; `floor`: never below it); null for other kinds. */
  readonly mode: 'fixed' | 'floor' | null;
  /** An override's expiry (ISO 8601 UTC; null: until revoked, or another kind). */
  readonly expiresAt: string | null;
  /** A level sign-off's month (`YYYY-MM`), the evaluation that gave the level; null for other kinds. */
  readonly period: string | null;
  /** The requester's actor (`staff:MAKER01`, `key:…`). */
  readonly requestedBy: string;
  /**
   * The staff member behind `requestedBy` when it is a staff token (`staff:<id>`) or a key they own
   * (`key:<id>`): their id, for a console to name a person rather than a key; null otherwise (an
   * unowned key, a re-tier job, the system).
   */
  readonly requestedByStaff: string | null;
  /** ISO 8601 UTC. */
  readonly requestedAt: string;
  /** Seconds since `requestedAt`, at the time of the response. */
  readonly ageSeconds: number;
  /** What an approval must send back (`contentHash` of the pending content); 409 `content-changed` when it moved. */
  readonly contentHash: string;
  /**
   * Whether the caller filed it — by person, as four eyes compares: any credential of theirs (their
   * token, a key they own) as requester, or for a policy version as an author or its submitter. Such
   * an item is theirs to wait on, not to decide (the API refuses with 403 `four-eyes`). A level
   * sign-off whose `requestedBy` is `job:<id>` was raised by a re-tier job: it is true for whoever
   * started that job (four eyes counts the job as its starter), so say "you started the re-tier job
   * that moved this level" rather than "you filed this".
   */
  readonly requestedByYou: boolean;
  /**
   * The weakest role that may approve it: `admin` when an override's scheme asks an admin for it
   * (`overrides.approvedBy: admin`, or `overrides.loosenNeeds: admin` for an override that can hold the
   * customer on the looser side of the grade), `approver` otherwise — level sign-offs and policy
   * versions are any approver's. Computed when the page is read, by the rule the approval checks
   * (`overrideApproverNeeded`); the approval checks again with the policy in force then, and also
   * whether it leaves a looser level than the one held (it ends any override in force), which only the
   * re-evaluation tells: an `approver` item can still be refused with a 403 naming `overrides.loosenNeeds`.
   * Rejecting needs no more than an approver. A console shows "needs an admin" and offers no Approve
   * to a lower role.
   */
  readonly approvalNeeds: OverrideApprover;
  /**
   * An override's breaches of its scheme's rule in force, as approving it now would be refused (422):
   * a request filed before the rule, or before its subject's level moved. Empty when none; absent for
   * other kinds (and from older servers). A console shows them as a warning on the card.
   */
  readonly ruleProblems?: readonly OverrideRuleProblem[];
  /**
   * Null when a staff member other than its requester may approve it; else why nobody on staff can
   * (`ApprovalBlock`): a console says so and points to promoting someone, rather than showing a request
   * nobody will ever pick up. Read when the page is.
   */
  readonly approvalBlocked: ApprovalBlock | null;
  /**
   * A level sign-off's: why the customer has the level it asks to sign off (the level a pending
   * sign-off is of is always the customer's level now: one of a level they left is superseded).
   * Absent for other kinds; null when the level has no stored explanation any more.
   */
  readonly why?: LevelWhy | null;
  /**
   * A lowering request's (a level sign-off): the looser level data proposed, while `level` — the one
   * held — stays in force until an approver decides (docs/domain.md §4, "Lowering a sign-off level");
   * `why` then explains the proposed level. Absent for every other item.
   */
  readonly proposedLevel?: string;
  /**
   * A staff grant's (`kind: staff`): the member it gives power to, what they held (`from`, null for a
   * new member) and what they are to hold. Absent for other kinds.
   */
  readonly staff?: StaffGrantChange;
  /**
   * A retirement's (`kind: retirement`, id `scheme@version`): the version asked to be retired, whether it
   * is in force, scheduled or already superseded, its first day, and what decides instead once it is
   * retired (`instead`: the version before it; null: the scheme leaves the pack). Absent for other kinds.
   */
  readonly retirement?: RetirementRequest;
  /**
   * A team grant's (`kind: staff`, a lead named or books added to a led team): `staff` is then the
   * lead, whose powers do not change, and this what the team was (`from`, null: a new team) and is to
   * become. Absent for other items.
   */
  readonly team?: TeamGrantChange;
  /**
   * A closing request's (`kind: closing`, a closing dated more than three months back): the date it gives
   * (`at`, ISO 8601 UTC) and whether it was said to be learnt late. Approved, the customer is closed with
   * that date; `reason` is the maker's. Absent for other kinds.
   */
  readonly closing?: ClosingRequestAsked;
}

/** What a pending closing request asks ({@link ApprovalItem.closing}). */
export interface ClosingRequestAsked {
  readonly at: string;
  readonly late: boolean;
}

/** What a pending retirement would retire and put back ({@link ApprovalItem.retirement}). */
export interface RetirementRequest {
  readonly version: number;
  /** `active`: in force this month; `approved`: scheduled for a later day; `superseded`: a later one is in force. */
  readonly status: 'active' | 'approved' | 'superseded';
  /** Its first day (`YYYY-MM-DD`); null for a version the tenant came with (in force from the beginning). */
  readonly effectiveFrom: string | null;
  /** The version that decides instead from when it would have; null: none, the scheme leaves the pack. */
  readonly instead: number | null;
}

/** What a team grant changes: the team's lead named (with the team's name), or books added to it. */
export interface TeamGrantChange {
  readonly id: string;
  readonly from: { readonly lead: string | null } | null;
  readonly to: { readonly name: string; readonly lead: string } | { readonly add: string[] };
}

/** The roles and scopes of staff, as the API names them. */
export type StaffRole = 'viewer' | 'analyst' | 'officer' | 'approver' | 'admin' | 'auditor';
export type StaffScope = 'tenant' | 'book';

/** What a staff grant changes: who, from what (null: a new member; `disabled`: they were disabled), to what. */
export interface StaffGrantChange {
  readonly id: string;
  readonly name: string;
  readonly from: { readonly role: StaffRole; readonly scope: StaffScope; readonly disabled: boolean } | null;
  readonly to: { readonly role: StaffRole; readonly scope: StaffScope };
}

/** One figure a level was decided on, with the line the level holds by where its policy draws one. */
export interface LevelWhyFigure {
  readonly metric: string;
  /** The metric's name with its window, in the language asked (`?locale`). */
  readonly label: string;
  /** As stored: money in minor units with `currency`, booleans 0/1. */
  readonly value: number;
  readonly unit: MetricUnit;
  readonly currency?: string;
  /** The line the level holds by (the retention line of the staff tiers read), or null when it draws none on this metric. */
  readonly threshold: number | null;
}

/**
 * Why the customer has the level a sign-off asks to approve — what the staff tiers read explains for
 * it: the month evaluated, the rule that decided in the language asked, and the figures it read.
 */
export interface LevelWhy {
  readonly period: string;
  readonly rule: string;
  /** The id of the rule, band or trigger that decided (staff only, as in the tiers read). */
  readonly ruleId: string;
  readonly figures: readonly LevelWhyFigure[];
}

/** One breach of an override rule ({@link ApprovalItem.ruleProblems}), by the code a request is refused with. */
export type OverrideRuleProblem =
  | {
      readonly code: 'override_jump_too_far';
      readonly params: { readonly from: string; readonly steps: number; readonly maxStep: number };
    }
  | {
      readonly code: 'expiry_required' | 'expiry_too_late';
      readonly params: { readonly maxDays: number; readonly latest: string };
    }
  | {
      /** The scheme was retired since the request: no rule in force lets anyone approve it (rejecting is open). */
      readonly code: 'scheme_not_in_force';
      readonly params: { readonly scheme: string };
    };

export interface ApprovalsPage {
  readonly items: readonly ApprovalItem[];
  readonly nextCursor: string | null;
}

/** What the re-evaluation of the book did when a policy version was approved (or one in force retired). */
export interface PolicyReevaluation {
  /** `done`: evaluated now; `deferred`: too big, for a re-tier job; `scheduled`: its date, or its month's data, has not come. */
  readonly status: 'done' | 'deferred' | 'scheduled';
  /** The first month whose judgement the change of policy affects. */
  readonly fromPeriod: string;
  readonly subjects?: number;
  readonly changes?: number;
  /** When `deferred`: the re-tier job queued for it (`GET /v1/jobs/{id}`). */
  readonly jobId?: string;
  /**
   * When `scheduled` in the month under way: the by-month metrics (a monthly feed) with no data in it
   * yet. Nothing was judged now; the monthly schedule judges the month once they are loaded.
   */
  readonly missing?: readonly string[];
}

/** `POST /v1/policies/{scheme}/versions/{version}/approve`. */
export interface PolicyApprovalAnswer {
  readonly version: PolicyVersionDetail;
  readonly reevaluation: PolicyReevaluation;
}
