import type { OverrideMode, OverrideReasonCategory } from '../model/override.js';
import type { OverrideApprover } from '../model/override-rule.js';
import type { ApprovalBlock } from './approvals.js';

/* What the override routes (`/v1/subjects/{id}/overrides`, `/v1/overrides…`) send. */

/** Where an override request stands as the API shows it: `expired` is an approved one past its expiry (never stored). */
export type OverrideStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn' | 'revoked' | 'expired';

/** What a four-eyes step was. */
export const DECISION_ACTIONS = ['requested', 'edited', 'withdrawn', 'approved', 'rejected', 'revoked', 'superseded', 'reviewed'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** What an override request asks for: the part an approval binds to. */
export interface OverrideContent {
  /** The subject's external id. */
  readonly subject: string;
  readonly scheme: string;
  readonly level: string;
  readonly mode: OverrideMode;
  readonly reason: string;
  /**
   * What the filer says it rests on, and the document number or link they cite: shown to the approver,
   * bound by the content hash like the rest, kept in the audit trail. Absent when not given, so the
   * hash of a request filed without them is what it was before they existed.
   */
  readonly reasonCategory?: OverrideReasonCategory;
  readonly evidence?: string;
  /** ISO 8601 UTC; null = until revoked. */
  readonly expiresAt: string | null;
}

/** How a request was decided and, once in force, revoked: stored with it, shown as is. */
export interface OverrideOutcome {
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
  readonly revokedBy: string | null;
  readonly revokedAt: string | null;
  readonly revokeNote: string | null;
}

/** An override request as staff see it (never sent to a customer's credential). */
export interface Override extends OverrideContent, OverrideOutcome {
  readonly id: string;
  /** The customer's display name, masked unless the caller may see names in full (absent from older servers). */
  readonly subjectName?: string;
  readonly status: OverrideStatus;
  /** Whether it decides the subject's level now (approved, not revoked, not expired). */
  readonly inForce: boolean;
  /** What an approval must send back; an edit changes it. */
  readonly contentHash: string;
  readonly requestedBy: string;
  /** The staff member behind `requestedBy` (their staff token or a key they own); null for anyone else. */
  readonly requestedByStaff: string | null;
  /** The staff member behind `decidedBy` (their staff token or a key they own); null for anyone else. */
  readonly decidedByStaff: string | null;
  /**
   * Whether the caller filed it, by person as four eyes compares (their staff token or a key they
   * own): theirs to edit or withdraw while pending, never theirs to approve or reject.
   */
  readonly requestedByYou: boolean;
  /** Whether the caller may edit it now: pending, not past its expiry, theirs, with a credential that may. */
  readonly mayEdit: boolean;
  /**
   * Whether the caller may withdraw it now: pending, and theirs — or, filed by a relationship manager,
   * the caller holds the book its customer is in now.
   */
  readonly mayWithdraw: boolean;
  /**
   * Only on the answer of filing or editing a pending request: who may approve it (as the queue's
   * `approvalNeeds`) and, when nobody on staff but its requester could now, why (`approvalBlocked`, as
   * the queue says it) — so the maker hears at once that it waits for a promotion.
   */
  readonly approvalNeeds?: OverrideApprover;
  readonly approvalBlocked?: ApprovalBlock | null;
  readonly requestedAt: string;
  readonly updatedAt: string;
}

/** One step of a request's life as the API shows it. */
export interface OverrideDecision {
  readonly action: DecisionAction;
  readonly actor: string;
  readonly at: string;
  readonly note: string | null;
  readonly contentHash: string | null;
}

/** `GET /v1/overrides/{id}` */
export interface OverrideWithDecisions extends Override {
  readonly decisions: readonly OverrideDecision[];
}

/** `GET /v1/overrides`, `GET /v1/subjects/{id}/overrides`: newest first. */
export interface OverrideList {
  readonly items: readonly Override[];
  readonly nextCursor: string | null;
}
