/**
 * One entry of the approvals queue (`GET /v1/approvals`): every kind of four-eyes request in one
 * shape, so that an approver works through one queue. Its one home is core, shared with the admin kit.
 */
import type { ApprovalItem } from '@tierkit/core';

export type { ApprovalItem };

/**
 * An item as a source of the queue lists it, before the queue knows who asks: `requesters` are every
 * stored actor four eyes compares the decider with (the requester; a policy version's authors and submitter).
 */
export type PendingApproval = Omit<ApprovalItem, 'requestedByYou' | 'approvalBlocked'> & { readonly requesters: readonly string[] };
