import type { PolicyApprovalAnswer as WirePolicyApprovalAnswer } from '@tierkit/core/wire';

/*
 * Wire types of the routes the approvals queue uses: their one home is @tierkit/core/wire, where the
 * API that sends them takes them from too.
 */
export { APPROVAL_KINDS } from '@tierkit/core/wire';
export type { ApprovalItem, ApprovalKind, ApprovalsPage, PolicyReevaluation as Reevaluation } from '@tierkit/core/wire';

/** `POST /v1/policies/{scheme}/versions/{version}/approve`: of the version, only what the kit reads. */
export interface PolicyApprovalAnswer extends Omit<WirePolicyApprovalAnswer, 'version'> {
  readonly version: { readonly scheme: string; readonly version: number; readonly status: string; readonly effectiveFrom: string | null };
}
