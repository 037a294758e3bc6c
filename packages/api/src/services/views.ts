import type { Assignment, AudienceView, MetricDef, OverrideInfo, SchemeSummary, SubjectKind, SubjectRef, TiersResponse } from '@tierkit/core';
import { listActiveOverrides, listAssignments, type Executor, type StoredAssignment, type Subject } from '@tierkit/db';
import { maskName } from '../mask.js';
import type { TenantPack } from './tenant-pack.js';

/** The subject as responses show it: external id, kind, and the name masked unless allowed. */
export function subjectRef(subject: Subject, unmask: boolean): SubjectRef {
  return { id: subject.externalId, kind: subject.kind as SubjectKind, displayName: unmask ? subject.displayName : maskName(subject.displayName) };
}

/** Only the summary fields of a scheme definition: widgets never receive the rules themselves. */
export function schemeSummary(s: SchemeSummary): SchemeSummary {
  return {
    key: s.key, subjectKind: s.subjectKind, category: s.category, ...(s.audience ? { audience: s.audience } : {}), name: s.name, levels: s.levels,
  };
}

function metricsMentioned(assignments: readonly Assignment[]): Set<string> {
  const keys = new Set<string>();
  for (const a of assignments) {
    for (const i of a.explanation.inputs) keys.add(i.metric);
    for (const p of a.progress?.paths ?? []) keys.add(p.metric);
    for (const p of a.retention?.lines ?? []) keys.add(p.metric);
  }
  return keys;
}

/** What a write just stored and read, so its response need not read it back. */
export interface StoredState {
  readonly assignments: readonly StoredAssignment[];
  readonly overrides: readonly OverrideInfo[];
}

/**
 * `GET /v1/subjects/{id}/tiers` from the stored assignments, in the pack's scheme order, cut to what
 * `audience` may see. Schemes the pack no longer has are left out; their rows stay for the history.
 */
export async function tiersView(
  db: Executor,
  tp: TenantPack,
  audience: AudienceView,
  subject: Subject,
  unmask: boolean,
  now: Date,
  known?: StoredState,
): Promise<TiersResponse> {
  const stored = known?.assignments ?? (await listAssignments(db, tp.tenantId, subject.id));
  const active = known?.overrides ?? (await listActiveOverrides(db, tp.tenantId, subject.id, now.toISOString()));
  const overrides = new Map(active.map((o) => [o.scheme, o]));
  const byScheme = new Map(stored.map((a) => [a.scheme, a]));
  const assignments: Assignment[] = [];
  let asOf = '';
  for (const def of audience.schemes) {
    const a = byScheme.get(def.key);
    if (!a) continue;
    if (a.period > asOf) asOf = a.period;
    assignments.push(audience.assignment({
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
    }));
  }
  const mentioned = metricsMentioned(assignments);
  const metrics: MetricDef[] = tp.pack.metrics.filter((m) => mentioned.has(m.key));
  return { subject: subjectRef(subject, unmask), asOf, assignments, metrics };
}
