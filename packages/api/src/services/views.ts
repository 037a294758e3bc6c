import type { Assignment, MetricDef, OverrideInfo, SchemeSummary, SubjectKind, SubjectRef, TiersResponse } from '@tierkit/core';
import { listActiveOverrides, listAssignments, type Executor, type StoredAssignment, type Subject } from '@tierkit/db';
import { z } from '@hono/zod-openapi';
import { maskName } from '../mask.js';
import { ProblemError } from '../problem.js';
import type { TenantPack } from './tenant-pack.js';

/** The subject as responses show it: external id, kind, and the name masked unless allowed. */
export function subjectRef(subject: Subject, unmask: boolean): SubjectRef {
  return { id: subject.externalId, kind: subject.kind as SubjectKind, displayName: unmask ? subject.displayName : maskName(subject.displayName) };
}

/** Only the summary fields of a scheme definition: widgets never receive the rules themselves. */
export function schemeSummary(s: SchemeSummary): SchemeSummary {
  return { key: s.key, subjectKind: s.subjectKind, category: s.category, name: s.name, levels: s.levels };
}

function metricsMentioned(assignments: readonly StoredAssignment[]): Set<string> {
  const keys = new Set<string>();
  for (const a of assignments) {
    for (const i of a.explanation.inputs) keys.add(i.metric);
    for (const p of a.progress?.paths ?? []) keys.add(p.metric);
    for (const p of a.retention?.lines ?? []) keys.add(p.metric);
  }
  return keys;
}

/** `?scheme=`: the schemes a tiers read should show, comma-separated. */
export const SchemesQuery = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[^,]+(,[^,]+)*$/, 'scheme keys separated by commas')
  .optional()
  .openapi({ param: { name: 'scheme', in: 'query' }, example: 'retail-tier,risk-band', description: 'Only these schemes (comma-separated keys); default every scheme.' });

/**
 * The schemes a tiers read shows: those `?scheme=` names, or undefined for every scheme of the pack.
 * A key the pack does not have is a 404 problem. The one place a caller's scheme set is decided:
 * whatever else narrows what a principal may see is intersected here.
 */
export function schemesInView(tp: TenantPack, requested: string | undefined): ReadonlySet<string> | undefined {
  if (requested === undefined) return undefined;
  const keys = new Set(requested.split(','));
  for (const key of keys) if (!tp.schemes.has(key)) throw new ProblemError('scheme-not-found', `No scheme "${key}" in this tenant.`);
  return keys;
}

/** What a write just stored and read, so its response need not read it back. */
export interface StoredState {
  readonly assignments: readonly StoredAssignment[];
  readonly overrides: readonly OverrideInfo[];
}

/**
 * `GET /v1/subjects/{id}/tiers` from the stored assignments, in the pack's scheme order. Schemes
 * the pack no longer has are left out; their rows stay for the history.
 */
export async function tiersView(
  db: Executor,
  tp: TenantPack,
  subject: Subject,
  unmask: boolean,
  now: Date,
  known?: StoredState,
  only?: ReadonlySet<string>,
): Promise<TiersResponse> {
  const stored = known?.assignments ?? (await listAssignments(db, tp.tenantId, subject.id));
  const active = known?.overrides ?? (await listActiveOverrides(db, tp.tenantId, subject.id, now.toISOString()));
  const overrides = new Map(active.map((o) => [o.scheme, o]));
  const byScheme = new Map(stored.map((a) => [a.scheme, a]));
  const assignments: Assignment[] = [];
  const shown: StoredAssignment[] = [];
  for (const def of tp.pack.schemes) {
    const a = byScheme.get(def.key);
    if (!a || (only && !only.has(def.key))) continue;
    shown.push(a);
    assignments.push({
      scheme: a.scheme,
      level: a.level,
      rank: a.rank,
      previousLevel: a.previousLevel,
      changed: a.previousLevel !== a.level,
      approvalRequired: a.approvalRequired,
      explanation: a.explanation,
      progress: a.progress,
      retention: a.retention,
      schemeInfo: schemeSummary(def),
      period: a.period,
      evaluatedAt: a.evaluatedAt,
      override: overrides.get(a.scheme) ?? null,
      ...(def.matrix ? { matrix: def.matrix } : {}),
    });
  }
  const mentioned = metricsMentioned(shown);
  const metrics: MetricDef[] = tp.pack.metrics.filter((m) => mentioned.has(m.key));
  const asOf = shown.reduce((max, a) => (a.period > max ? a.period : max), '');
  return { subject: subjectRef(subject, unmask), asOf, assignments, metrics };
}
