/*
 * Wire types of the routes the approvals queue uses (packages/api/src/schemas/four-eyes.ts and
 * policies.ts are their source). Only the fields the kit reads are named.
 */

export const APPROVAL_KINDS = ['override', 'level', 'policy'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

/** One request waiting for a second person (`GET /v1/approvals`). */
export interface ApprovalItem {
  readonly kind: ApprovalKind;
  /** Override id; `subject:scheme` for a level sign-off; `scheme@version` for a policy version. */
  readonly id: string;
  readonly scheme: string;
  readonly subject: string | null;
  readonly summary: string;
  /** The requester's actor (`staff:MAKER01`, `key:…`), compared with the session's. */
  readonly requestedBy: string;
  /** ISO 8601 UTC. */
  readonly requestedAt: string;
  readonly ageSeconds: number;
  /** What the approver reviewed; sent back with the decision (409 `content-changed` when it moved). */
  readonly contentHash: string;
}

export interface ApprovalsPage {
  readonly items: readonly ApprovalItem[];
  readonly nextCursor: string | null;
}

/** What the re-evaluation of the book did when a policy version was approved. */
export interface Reevaluation {
  /** `done`: evaluated now; `deferred`: too big, for a re-tier job; `scheduled`: its date has not come. */
  readonly status: 'done' | 'deferred' | 'scheduled' | (string & {});
  readonly fromPeriod: string;
  readonly subjects?: number;
  readonly changes?: number;
  /** The re-tier job the API queued for a big book (`status: deferred`), when it queues one. */
  readonly jobId?: string;
}

/** `POST /v1/policies/{scheme}/versions/{version}/approve`. */
export interface PolicyApprovalAnswer {
  readonly version: { readonly scheme: string; readonly version: number; readonly status: string; readonly effectiveFrom: string | null };
  readonly reevaluation: Reevaluation;
}
