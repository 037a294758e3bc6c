import type {
  Assignment,
  AudienceView,
  MetricDef,
  OverrideInfo,
  SchemeSummary,
  SubjectKind,
  SubjectRef,
  TiersResponse,
} from '@tierkit/core';
import { listActiveOverrides, listAssignments, listAssignmentsJson, type Executor, type StoredAssignment, type Subject } from '@tierkit/db';
import { z } from '@hono/zod-openapi';
import { maskName } from '../mask.js';
import { ProblemError } from '../problem.js';
import type { TenantPack } from './tenant-pack.js';

/** The subject as responses show it: external id, kind, and the name masked unless allowed. */
export function subjectRef(subject: Subject, unmask: boolean): SubjectRef {
  return {
    id: subject.externalId,
    kind: subject.kind as SubjectKind,
    displayName: unmask ? subject.displayName : maskName(subject.displayName),
  };
}

/** Only the summary fields of a scheme definition: widgets never receive the rules themselves. */
export function schemeSummary(s: SchemeSummary): SchemeSummary {
  return {
    key: s.key,
    subjectKind: s.subjectKind,
    category: s.category,
    ...(s.audience ? { audience: s.audience } : {}),
    name: s.name,
    levels: s.levels,
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

/** `?scheme=`: the schemes a tiers read should show, comma-separated. */
export const SchemesQuery = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[^,]+(,[^,]+)*$/, 'scheme keys separated by commas')
  .optional()
  .openapi({
    param: { name: 'scheme', in: 'query' },
    example: 'retail-tier,risk-band',
    description: 'Only these schemes (comma-separated keys); default every scheme.',
  });

/**
 * The schemes a tiers read shows: those `?scheme=` names, or undefined for every scheme the reader
 * may see. A key the pack does not have is a 404 problem, and so is one the reader may not see
 * (a staff scheme asked for with a customer's credential), with the same words: nothing tells the
 * two apart.
 */
export function schemesInView(audience: AudienceView, requested: string | undefined): ReadonlySet<string> | undefined {
  if (requested === undefined) return undefined;
  const keys = new Set(requested.split(','));
  for (const key of keys) if (!audience.sees(key)) throw new ProblemError('scheme-not-found', `No scheme "${key}" in this tenant.`);
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
  only?: ReadonlySet<string>,
): Promise<TiersResponse> {
  const stored = known?.assignments ?? (await listAssignments(db, tp.tenantId, subject.id));
  const active = known?.overrides ?? (await listActiveOverrides(db, tp.tenantId, subject.id, now.toISOString()));
  const overrides = new Map(active.map((o) => [o.scheme, o]));
  const byScheme = new Map(stored.map((a) => [a.scheme, a]));
  const assignments: Assignment[] = [];
  let asOf = '';
  for (const def of audience.schemes) {
    const a = byScheme.get(def.key);
    if (!a || (only && !only.has(def.key))) continue;
    if (a.period > asOf) asOf = a.period;
    assignments.push(
      audience.assignment({
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
      }),
    );
  }
  const mentioned = metricsMentioned(assignments);
  const metrics: MetricDef[] = tp.pack.metrics.filter((m) => mentioned.has(m.key));
  return { subject: subjectRef(subject, unmask), asOf, assignments, metrics };
}

/** Until when a tiers body holds with no write (epoch ms): an override in force ends by itself, at its expiry. */
export function heldUntil(body: TiersResponse): number {
  const expiries = body.assignments.flatMap((a) => (a.override?.expiresAt ? [Date.parse(a.override.expiresAt)] : []));
  return Math.min(Number.POSITIVE_INFINITY, ...expiries);
}

// Serialized once per scheme definition: a pack's definitions are replaced, never changed in place.
const summaryJson = new WeakMap<object, string>();
const matrixJson = new WeakMap<object, string>();
const json = (value: unknown) => JSON.stringify(value);
const once = (cache: WeakMap<object, string>, key: object, value: () => unknown) => {
  let text = cache.get(key);
  if (text === undefined) cache.set(key, (text = json(value())));
  return text;
};

// Where stored explanations, progress and retention name metrics: only these keys are called "metric".
const METRIC_KEY = /"metric":("(?:[^"\\]|\\.)*")/g;

/**
 * {@link tiersView} as the JSON text it serializes to (the same document), built without parsing the
 * stored explanation, progress and retention: their stored text is spliced in as it is, and each
 * scheme's summary and grid are serialized once per pack. Also says until when the body holds with
 * no write: the first expiry of an override in force.
 */
export async function tiersJson(
  db: Executor,
  tp: TenantPack,
  audience: AudienceView,
  subject: Subject,
  unmask: boolean,
  now: Date,
  only?: ReadonlySet<string>,
): Promise<{ json: string; until: number }> {
  if (audience.audience !== 'staff') {
    // A customer's view rewrites the stored explanation and progress (audience.assignment), so the
    // stored text cannot be spliced in as it is: build the document and serialize it.
    const body = await tiersView(db, tp, audience, subject, unmask, now, undefined, only);
    return { json: JSON.stringify(body), until: heldUntil(body) };
  }
  const stored = await listAssignmentsJson(db, tp.tenantId, subject.id);
  const active = await listActiveOverrides(db, tp.tenantId, subject.id, now.toISOString());
  const overrides = new Map(active.map((o) => [o.scheme, o]));
  const byScheme = new Map(stored.map((a) => [a.scheme, a]));
  const parts: string[] = [];
  const mentioned = new Set<string>();
  let asOf = '';
  let until = Number.POSITIVE_INFINITY;
  for (const def of audience.schemes) {
    const a = byScheme.get(def.key);
    if (!a || (only && !only.has(def.key))) continue;
    for (const text of [a.explanation, a.progress, a.retention]) {
      if (text !== null) for (const m of text.matchAll(METRIC_KEY)) mentioned.add(JSON.parse(m[1] ?? '""') as string);
    }
    if (a.period > asOf) asOf = a.period;
    const override = overrides.get(a.scheme) ?? null;
    if (override?.expiresAt) until = Math.min(until, Date.parse(override.expiresAt));
    parts.push(
      `{"scheme":${json(a.scheme)},"level":${json(a.level)},"rank":${json(a.rank)},"previousLevel":${json(a.previousLevel)},` +
        `"changed":${a.previousLevel !== a.level},"approvalRequired":${a.approvalRequired},"explanation":${a.explanation},` +
        `"progress":${a.progress ?? 'null'},"retention":${a.retention ?? 'null'},"schemeInfo":${once(summaryJson, def, () => schemeSummary(def))},` +
        `"period":${json(a.period)},"evaluatedAt":${json(a.evaluatedAt)},"override":${json(override)}` +
        `${def.matrix ? `,"matrix":${once(matrixJson, def.matrix, () => def.matrix)}` : ''}}`,
    );
  }
  const metrics = tp.pack.metrics.filter((m) => mentioned.has(m.key));
  return {
    json: `{"subject":${json(subjectRef(subject, unmask))},"asOf":${json(asOf)},"assignments":[${parts.join(',')}],"metrics":${json(metrics)}}`,
    until,
  };
}
