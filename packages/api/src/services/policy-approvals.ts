import { listPolicyVersionsIn, type PolicyVersion } from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import type { PendingApproval } from './approval-item.js';

/**
 * Whom four eyes refuses a decision on a policy version: every author of it and whoever submitted it
 * (no empty actor). The one list for the approvals queue's `requestedByYou` and the approve / reject checks.
 */
export function policyRequesters(v: Pick<PolicyVersion, 'authors' | 'submittedBy'>): string[] {
  return [...v.authors, v.submittedBy ?? ''].filter((a) => a !== '');
}

/**
 * The policy versions waiting for a decision, as approvals-queue entries (id `scheme@version`),
 * oldest first. The queue (`GET /v1/approvals`) merges them with the other kinds of request, with
 * `summary` in the locale it was asked for.
 */
export async function pendingPolicyApprovals(
  deps: Pick<ApiDeps, 'db' | 'tenantId' | 'now'>,
  summary: (scheme: string, version: number) => string = (scheme, version) => `${scheme} v${version}: new policy version for approval`,
): Promise<PendingApproval[]> {
  const now = deps.now().getTime();
  const submitted = await listPolicyVersionsIn(deps.db, deps.tenantId, ['submitted']);
  return submitted
    .map((v): PendingApproval => {
      const requestedAt = v.submittedAt ?? v.createdAt;
      return {
        kind: 'policy',
        id: `${v.scheme}@${v.version}`,
        scheme: v.scheme,
        subject: null,
        summary: summary(v.scheme, v.version),
        reason: null,
        currentLevel: null,
        fromLevel: null,
        level: null,
        mode: null,
        expiresAt: null,
        period: null,
        requestedBy: v.submittedBy ?? '',
        requestedAt,
        ageSeconds: Math.max(0, Math.floor((now - Date.parse(requestedAt)) / 1000)),
        contentHash: v.contentHash ?? '',
        // A policy version is any approver's to decide (the access table; the service asks no more).
        approvalNeeds: 'approver',
        requesters: policyRequesters(v),
      };
    })
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}
