import {
  governanceWeakenings,
  mayApproveAs,
  schemeDefinitionSchema,
  strongestApprover,
  type OverrideApprover,
  type PolicyChange,
} from '@tierkit/core';
import { listPolicyVersionsIn, type PolicyVersion } from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { ProblemError } from '../problem.js';
import type { PendingApproval } from './approval-item.js';
import type { TenantPack } from './tenant-pack.js';

/**
 * Whom four eyes refuses a decision on a policy version: every author of it and whoever submitted it
 * (no empty actor). The one list for the approvals queue's `requestedByYou` and the approve / reject checks.
 */
export function policyRequesters(v: Pick<PolicyVersion, 'authors' | 'submittedBy'>): string[] {
  return [...v.authors, v.submittedBy ?? ''].filter((a) => a !== '');
}

/** Who may approve a policy version, and the guards of the version in force it weakens (why it asks more). */
export interface PolicyApprovalNeeds {
  readonly role: OverrideApprover;
  readonly weakens: readonly PolicyChange[];
}

/**
 * Who may approve `v` under the version of its scheme in force (`tp`): any approver, unless its
 * document weakens governance (`governanceWeakenings`: a sign-off, lowering or override guard removed
 * or given to a weaker role, a longer override) — then the strongest role the version in force asks
 * for anywhere (`strongestApprover`; admin in the default pack), so that a maker and a checker cannot
 * together remove what the policy reserves for an admin (docs/permissions.md, "Policy versions").
 * A new scheme has nothing to weaken; a document that no longer reads as a scheme (its submission
 * checked it; the pack may have moved since) asks for the strongest role, as the approval refuses it anyway.
 */
export function policyApprovalNeeds(tp: TenantPack, v: Pick<PolicyVersion, 'scheme' | 'document'>): PolicyApprovalNeeds {
  const inForce = tp.schemes.get(v.scheme);
  if (!inForce) return { role: 'approver', weakens: [] };
  const parsed = schemeDefinitionSchema.safeParse(v.document);
  if (!parsed.success) return { role: strongestApprover(inForce), weakens: [] };
  const weakens = governanceWeakenings(inForce, parsed.data);
  return { role: weakens.length > 0 ? strongestApprover(inForce) : 'approver', weakens };
}

/**
 * 403 `forbidden`, field code `governance_weakened` on `document`, unless the caller's role may
 * approve `v` (`policyApprovalNeeds`). Nothing is approved.
 */
export function requirePolicyApprover(deps: Pick<ApiDeps, 'principal'>, tp: TenantPack, v: PolicyVersion): void {
  const needs = policyApprovalNeeds(tp, v);
  if (mayApproveAs(deps.principal.role, needs.role)) return;
  const keys = needs.weakens.map((w) => w.key);
  throw new ProblemError(
    'forbidden',
    `Version ${v.version} of "${v.scheme}" weakens governance the version in force sets (${keys.join(', ')}): the policy asks for an approver with the ${needs.role} role. Nothing was approved.`,
    [
      {
        path: 'document',
        message: `weakens ${keys.join(', ')}: approved by the ${needs.role} role`,
        code: 'governance_weakened',
        params: { scheme: v.scheme, version: v.version, needs: needs.role, weakens: keys },
      },
    ],
  );
}

/**
 * The policy versions waiting for a decision, as approvals-queue entries (id `scheme@version`),
 * oldest first. The queue (`GET /v1/approvals`) merges them with the other kinds of request, with
 * `summary` in the locale it was asked for.
 */
export async function pendingPolicyApprovals(
  deps: Pick<ApiDeps, 'db' | 'tenantId' | 'now' | 'packs' | 'timeZone'>,
  summary: (scheme: string, version: number) => string = (scheme, version) => `${scheme} v${version}: new policy version for approval`,
): Promise<PendingApproval[]> {
  const now = deps.now().getTime();
  const tp = await packOf(deps);
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
        // Any approver's, unless it weakens governance (what approveVersion checks).
        approvalNeeds: policyApprovalNeeds(tp, v).role,
        requesters: policyRequesters(v),
      };
    })
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}
