import {
  governanceWeakenings,
  mayApproveAs,
  schemeDefinitionSchema,
  strongestApprover,
  type OverrideApprover,
  type PolicyChange,
  type SchemeDefinition,
} from '@tierkit/core';
import { listPolicyVersionsIn, type PolicyVersion } from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { ProblemError } from '../problem.js';
import type { PendingApproval } from './approval-item.js';
import { firstPeriodFrom } from './policy-checks.js';
import { startOf, versionsInForce, type TenantPack } from './tenant-pack.js';

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

const SCHEME_GONE: PolicyChange = {
  key: 'scheme',
  change: 'removed',
  text: { 'zh-CN': '方案: 已删除', 'zh-TW': '方案: 已刪除', en: 'scheme: removed' },
};

/**
 * Who may put `after` in the place of each of `baselines` (null: the scheme is no longer in force):
 * any approver, unless it weakens the governance of one of them (`governanceWeakenings`) — then the
 * strongest role that one asks for anywhere (`strongestApprover`; admin in the default pack), so a
 * maker and a checker cannot together remove what the policy reserves for an admin
 * (docs/permissions.md, "Policy versions").
 */
function needsAgainst(baselines: readonly SchemeDefinition[], after: SchemeDefinition | null): PolicyApprovalNeeds {
  const weakens = new Map<string, PolicyChange>();
  let role: OverrideApprover = 'approver';
  for (const before of baselines) {
    const found = after === null ? [SCHEME_GONE] : governanceWeakenings(before, after);
    if (found.length === 0) continue;
    for (const c of found) if (!weakens.has(c.key)) weakens.set(c.key, c);
    if (strongestApprover(before) === 'admin') role = 'admin';
  }
  return { role, weakens: [...weakens.values()] };
}

/** A stored version's document as a scheme, or undefined if it no longer reads as one (the pack may have moved since). */
function definitionOf(v: Pick<PolicyVersion, 'document'>): SchemeDefinition | undefined {
  const parsed = schemeDefinitionSchema.safeParse(v.document);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Who may approve `v`: `needsAgainst` the version of its scheme in force (`tp`) and every approved
 * version of it still to come (`active`, the tenant's approved versions) — a version approved for next
 * month is what this one would follow once in force, and comparing with today's alone let a version
 * undo a stricter one already scheduled. A new scheme has nothing to weaken; a document that no longer
 * reads as a scheme asks for the strongest role, as the approval refuses it anyway.
 */
export function policyApprovalNeeds(
  tp: TenantPack,
  active: readonly PolicyVersion[],
  v: Pick<PolicyVersion, 'scheme' | 'document'>,
): PolicyApprovalNeeds {
  const today = `${tp.period}-01`;
  const scheduled = active.filter((a) => a.scheme === v.scheme && startOf(a) > today).map(definitionOf);
  const inForce = tp.schemes.get(v.scheme);
  const baselines = [inForce, ...scheduled].filter((d): d is SchemeDefinition => d !== undefined);
  if (baselines.length === 0) return { role: 'approver', weakens: [] };
  const after = definitionOf(v);
  if (!after) return { role: baselines.some((b) => strongestApprover(b) === 'admin') ? 'admin' : 'approver', weakens: [] };
  return needsAgainst(baselines, after);
}

/** 403 `forbidden`, field code `governance_weakened` on `document`, unless the caller's role meets `needs`. */
function requireRole(deps: Pick<ApiDeps, 'principal'>, needs: PolicyApprovalNeeds, v: PolicyVersion, doing: string): void {
  if (mayApproveAs(deps.principal.role, needs.role)) return;
  const keys = needs.weakens.map((w) => w.key);
  throw new ProblemError(
    'forbidden',
    `${doing} version ${v.version} of "${v.scheme}" weakens governance the version in force sets (${keys.join(', ')}): the policy asks for the ${needs.role} role. Nothing was changed.`,
    [
      {
        path: 'document',
        message: `weakens ${keys.join(', ')}: the ${needs.role} role decides it`,
        code: 'governance_weakened',
        params: { scheme: v.scheme, version: v.version, needs: needs.role, weakens: keys },
      },
    ],
  );
}

/** Refuse the approval of `v` to a role weaker than `policyApprovalNeeds` asks (403 `governance_weakened`). Nothing is approved. */
export async function requirePolicyApprover(
  deps: Pick<ApiDeps, 'principal' | 'db' | 'tenantId'>,
  tp: TenantPack,
  v: PolicyVersion,
): Promise<void> {
  const active = await listPolicyVersionsIn(deps.db, deps.tenantId, ['active']);
  requireRole(deps, policyApprovalNeeds(tp, active, v), v, 'Approving');
}

/**
 * What retiring `v` changes in force: whether it holds the scheme in the first month to come it would
 * decide (`from`: the month under way, or its own first month when scheduled), and the version that
 * holds then without it (`instead`; undefined: none, the scheme leaves the pack). `active` is the
 * tenant's approved versions, `v` among them; `current` the month under way.
 */
export function retirementEffect(
  active: readonly PolicyVersion[],
  v: PolicyVersion,
  current: string,
): { readonly from: string; readonly holds: boolean; readonly instead: PolicyVersion | undefined } {
  const start = startOf(v) === '' ? current : firstPeriodFrom(startOf(v));
  const from = start > current ? start : current;
  const at = (versions: readonly PolicyVersion[]) => versionsInForce(versions, from).find((a) => a.scheme === v.scheme);
  return { from, holds: at(active)?.id === v.id, instead: at(active.filter((a) => a.id !== v.id)) };
}

/**
 * Who may retire `v`: bringing back what it replaced asks the role of what it weakens — retiring the
 * version in force (or one scheduled) puts the one before it back, and a stricter version retired by
 * one approver undid what an admin approved (the neighbouring gate to `policyApprovalNeeds`).
 */
export function retirementNeeds(active: readonly PolicyVersion[], v: PolicyVersion, current: string): PolicyApprovalNeeds {
  const { holds, instead } = retirementEffect(active, v, current);
  // A version already superseded is in force in no month to come: retiring it changes nothing in force.
  if (!holds) return { role: 'approver', weakens: [] };
  const before = definitionOf(v);
  if (!before) return { role: 'approver', weakens: [] };
  const after = instead ? definitionOf(instead) : undefined;
  return needsAgainst([before], after ?? null);
}

/** Refuse the retirement of `v` to a role weaker than {@link retirementNeeds} asks (403 `governance_weakened`). Nothing is retired. */
export function requireRetirer(
  deps: Pick<ApiDeps, 'principal'>,
  active: readonly PolicyVersion[],
  v: PolicyVersion,
  current: string,
): void {
  requireRole(deps, retirementNeeds(active, v, current), v, 'Retiring');
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
  const active = await listPolicyVersionsIn(deps.db, deps.tenantId, ['active']);
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
        // The maker's words on the change, which the checker weighs with the diff.
        draftNote: v.draftNote,
        submitNote: v.submitNote,
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
        approvalNeeds: policyApprovalNeeds(tp, active, v).role,
        requesters: policyRequesters(v),
      };
    })
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}
