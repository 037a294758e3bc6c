/**
 * One entry of the approvals queue (`GET /v1/approvals`). Every kind of four-eyes request —
 * overrides, approval-required levels, policy versions — is listed in this one shape so that an
 * approver works through one queue.
 */
export interface ApprovalItem {
  readonly kind: 'override' | 'level' | 'policy';
  /** Id of the request within its kind (override id, `subject:scheme` for a level, `scheme@version` for a policy). */
  readonly id: string;
  readonly scheme: string;
  /** External id of the subject, for overrides and levels; null for policies. */
  readonly subject: string | null;
  /** One line for the queue, e.g. "金卡 → 白金卡 (fixed), until 2027-03-31". */
  readonly summary: string;
  readonly requestedBy: string;
  /** ISO 8601 UTC. */
  readonly requestedAt: string;
  /** Seconds since `requestedAt`, at the time of the response. */
  readonly ageSeconds: number;
  /** What an approval must send back (`contentHash` of the pending content). */
  readonly contentHash: string;
}
