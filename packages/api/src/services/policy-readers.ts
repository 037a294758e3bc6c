import { mayApproveAs, schemeDefinitionSchema, strongestApprover, type SchemeDefinition } from '@tierkit/core';
import { listPolicyVersions, type PolicyVersion } from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { ProblemError } from '../problem.js';
import {
  audienceOfPrincipal,
  readsScheme,
  requireReadable,
  schemeNotReadable,
  unreadableBeyondPack,
  unreadableSchemes,
} from './audience.js';
import type { TenantPack } from './tenant-pack.js';

/*
 * A scheme's policy — its versions' documents, their diffs, simulations and analysis — is its levels'
 * readers' only (docs/permissions.md, "Who reads a scheme's levels"): the AML grade's thresholds are
 * what a customer under watch must never learn, and whoever may not read a customer's grade may not
 * read the rule that gives it either. A scheme in force goes by its `readers`; one not in force (a
 * first version on its way in, or one retired) by the strictest of its stored versions.
 */

/** The schemes among `stored` (and the pack's) whose policy the caller may not read. */
export function unreadablePolicies(deps: Pick<ApiDeps, 'principal'>, tp: TenantPack, stored: readonly PolicyVersion[]): Set<string> {
  return new Set([...unreadableSchemes(deps.principal, tp), ...unreadableBeyondPack(deps.principal, tp, stored)]);
}

/**
 * Refuse any read or write of scheme `scheme`'s policy the caller may not read, before anything is read
 * or changed: the 403 `scheme_not_readable` every read naming such a scheme gives.
 */
export async function requirePolicyReadable(deps: ApiDeps, scheme: string, path = 'params.scheme'): Promise<void> {
  const tp = await packOf(deps);
  if (tp.schemes.has(scheme)) return requireReadable(deps.principal, tp, scheme, path);
  if (unreadableBeyondPack(deps.principal, tp, await listPolicyVersions(deps.db, deps.tenantId, scheme)).includes(scheme))
    throw schemeNotReadable(scheme, path);
}

/**
 * Refuse a document its writer could not read once stored (its `readers` leave their role out): a
 * version nobody who made it may read again is written blind, and for a scheme not in force it would
 * decide who reads the scheme's whole policy. A document that does not read as a scheme is left to the
 * validation that names its fields.
 */
export async function requireDocumentReadable(deps: ApiDeps, scheme: string, document: unknown): Promise<void> {
  if (document === undefined || audienceOfPrincipal(deps.principal) !== 'staff') return;
  const def = schemeDefinitionSchema.safeParse(document);
  if (!def.success) return;
  if (!readsScheme(deps.principal, await packOf(deps), def.data)) throw schemeNotReadable(scheme, 'document.readers');
  requireDecidersRead(scheme, def.data);
}

/**
 * Refuse a document whose `readers` leave out every role that could decide its scheme's next version
 * (the strongest role it asks for anywhere, `strongestApprover`: what a weakening — widening `readers`
 * back among them — needs). Once in force nobody could approve a change to it, since every policy route
 * is its readers' only: an officer and an approver narrowing the AML grade to `officer` would lock the
 * tenant out of its own AML policy. 422, nothing stored.
 */
function requireDecidersRead(scheme: string, def: SchemeDefinition): void {
  const roles = def.readers?.roles;
  const needs = strongestApprover(def);
  if (roles === undefined || roles.some((r) => mayApproveAs(r, needs))) return;
  throw new ProblemError(
    'unprocessable',
    `Its readers (${roles.join(', ')}) leave out every ${needs} who would decide the next version of "${scheme}": nobody could change its policy again. Add ${needs === 'admin' ? 'admin' : 'approver or admin'} to readers.roles.`,
    [
      {
        path: 'document.readers.roles',
        message: `must include a role that decides its versions (${needs} or above)`,
        code: 'readers_without_decider',
        params: { scheme, needs },
      },
    ],
  );
}

/**
 * Whether the caller reads scheme `s`'s policy, as of now: a scheme neither in force nor stored when
 * this was asked (a first version submitted since) counts as unreadable, so a refusal built on it names
 * nothing the caller could not read.
 */
export async function policyReadable(deps: ApiDeps): Promise<(scheme: string) => boolean> {
  const tp = await packOf(deps);
  const stored = await listPolicyVersions(deps.db, deps.tenantId);
  const hidden = unreadablePolicies(deps, tp, stored);
  const known = new Set([...tp.schemes.keys(), ...stored.map((v) => v.scheme)]);
  return (s) => known.has(s) && !hidden.has(s);
}
