/**
 * One entry of the approvals queue (`GET /v1/approvals`): every kind of four-eyes request in one
 * shape, so that an approver works through one queue. Its one home is core, shared with the admin kit.
 */
export type { ApprovalItem } from '@tierkit/core';
