import { diffSchemes, type PolicyDiff } from '@tierkit/core';
import type { PolicyVersion } from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { ProblemError } from '../problem.js';
import { checkDocument } from './policy-checks.js';
import { versionOr404 } from './policy-lifecycle.js';

/** What changed from one version of a scheme's policy to another, in words an approver reads (the wire shape). */
export type VersionDiff = PolicyDiff;

/** `v` against `against` (default: the version in force this month). Both must be valid scheme definitions. */
export async function diffVersion(deps: ApiDeps, v: PolicyVersion, against?: number): Promise<VersionDiff> {
  const tp = await packOf(deps);
  const before = against === undefined ? tp.versions.get(v.scheme) : await versionOr404(deps, v.scheme, against);
  if (!before)
    throw new ProblemError('not-found', `Scheme "${v.scheme}" has no version in force to compare with; name one with ?against=.`);
  const after = checkDocument(tp, v.scheme, v.document);
  const old = checkDocument(tp, v.scheme, before.document);
  return {
    scheme: v.scheme,
    version: v.version,
    against: before.version,
    changes: diffSchemes(old.definition, after.definition, after.pack.metrics),
  };
}
