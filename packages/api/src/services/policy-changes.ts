import { diffSchemes, type PolicyDiff } from '@tierkit/core';
import { listPolicyVersionsIn, type PolicyVersion } from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { addMonths } from '../periods.js';
import { ProblemError } from '../problem.js';
import { nextMonthStart } from './policy-approval-impact.js';
import { checkDocument, firstPeriodFrom } from './policy-checks.js';
import { versionOr404 } from './policy-lifecycle.js';
import { lastApproved, startOf } from './tenant-pack.js';

/** What changed from one version of a scheme to another (policy, levels, sign-offs, override rule), in words an approver reads (the wire shape). */
export type VersionDiff = PolicyDiff;

/**
 * The day an approval of a new version of `scheme` takes when none is given: the next month's first,
 * or — when a version is scheduled for then or later — the first of the month after the one it first
 * decides, since no approval may be dated on or before a version already scheduled (approveVersion).
 */
export function defaultApprovalDay(deps: Pick<ApiDeps, 'now' | 'timeZone'>, active: readonly PolicyVersion[], scheme: string): string {
  const next = nextMonthStart(deps);
  const last = lastApproved(active, scheme);
  const start = last ? startOf(last) : '';
  return start !== '' && start >= next ? `${addMonths(firstPeriodFrom(start), 1)}-01` : next;
}

/**
 * `v` against `against`; by default, a version not yet approved against the last approved version of
 * its scheme — the one it would replace — a scheduled one against the approved version before it, and
 * one in force (or past) against the version in force this month.
 * Compared with the one in force alone, a draft made before a launch was scheduled showed the checker
 * only its own edit, not the launch it undid (packages/api/README.md, "Versions in order"). Both must be valid.
 */
export async function diffVersion(deps: ApiDeps, v: PolicyVersion, against?: number): Promise<VersionDiff> {
  const tp = await packOf(deps);
  const active = await listPolicyVersionsIn(deps.db, deps.tenantId, ['active']);
  const approved = v.status === 'active';
  const inForce = tp.versions.get(v.scheme);
  // A scheduled version replaces, on its date, the approved one before it — maybe itself scheduled —
  // which is what its approval's trail compared it with; against the one in force, v5 approved after a
  // launch v2 read as "changes nothing of v1's benefits" once approved.
  const scheduled = approved && inForce !== undefined && inForce.id !== v.id && startOf(v) > startOf(inForce);
  const before =
    against !== undefined
      ? await versionOr404(deps, v.scheme, against)
      : !approved
        ? lastApproved(active, v.scheme, v.id)
        : scheduled
          ? lastApproved(
              active.filter((a) => startOf(a) < startOf(v)),
              v.scheme,
              v.id,
            )
          : inForce;
  if (!before)
    throw new ProblemError('not-found', `Scheme "${v.scheme}" has no version in force to compare with; name one with ?against=.`);
  const after = checkDocument(tp, v.scheme, v.document);
  const old = checkDocument(tp, v.scheme, before.document);
  const from = before.status === 'active' ? startOf(before) : '';
  return {
    scheme: v.scheme,
    version: v.version,
    against: before.version,
    againstFrom: from === '' ? null : from,
    inForce: inForce?.version ?? null,
    ...(approved ? {} : { approveFrom: defaultApprovalDay(deps, active, v.scheme) }),
    changes: diffSchemes(old.definition, after.definition, after.pack.metrics),
  };
}
