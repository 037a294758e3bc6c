import type {
  Assignment,
  CustomerAssignment,
  AudienceView,
  Explanation,
  Locale,
  MetricDef,
  OverrideInfo,
  SchemeSummary,
  SubjectKind,
  SubjectRef,
  TiersResponse,
  CustomerTiersResponse,
  EventReason,
  StaffTiersResponse,
} from '@tierkit/core';
import { assignmentDrop, schemeDependencies, type SchemeDefinition } from '@tierkit/core';
import {
  currentLevelKey,
  latestEventReasons,
  listActiveOverrides,
  listAssignments,
  listAssignmentsJson,
  listPendingLevelApprovals,
  type Executor,
  type StoredAssignment,
  type StoredAssignmentJson,
  type Subject,
} from '@tierkit/db';
import { z } from '@hono/zod-openapi';
import { localize, localizeJsonText } from '../locale.js';
import { maskName } from '../mask.js';
import { ProblemError } from '../problem.js';
import type { TenantPack } from './tenant-pack.js';

/** The subject as responses show it: external id, kind, and the name masked unless allowed. */
export function subjectRef(subject: Subject, unmask: boolean): SubjectRef {
  return {
    id: subject.externalId,
    kind: subject.kind as SubjectKind,
    displayName: unmask ? subject.displayName : maskName(subject.displayName),
    // Only staff ever read a closed subject (subjectOr404 hides it from its own token).
    ...(subject.closedAt !== null ? { closedAt: subject.closedAt } : {}),
    ...(subject.closedAt !== null && subject.closedReason !== null ? { closedReason: subject.closedReason } : {}),
    ...(subject.closedAt !== null && subject.leftAt !== null ? { leftAt: subject.leftAt } : {}),
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
    // Who may file and approve overrides of it: a console offers a request form only where the API takes one.
    ...(s.overrides ? { overrides: s.overrides } : {}),
  };
}

function metricsMentioned(assignments: readonly (Assignment | CustomerAssignment)[]): Set<string> {
  const keys = new Set<string>();
  for (const a of assignments) {
    for (const i of a.explanation.inputs) keys.add(i.metric);
    for (const p of a.progress?.paths ?? []) keys.add(p.metric);
    for (const p of a.retention?.lines ?? []) keys.add(p.metric);
  }
  return keys;
}

/** The longest `?scheme=` list a tiers read takes (decoded): 1,024 characters. */
export const SCHEMES_QUERY_MAX = 1024;

/** `?scheme=`: the schemes a tiers read should show, comma-separated. */
export const SchemesQuery = z
  .string()
  .min(1)
  .max(SCHEMES_QUERY_MAX)
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
  known?: Partial<StoredState>,
  only?: ReadonlySet<string>,
): Promise<CustomerTiersResponse | (Required<Pick<StaffTiersResponse, 'audience'>> & StaffTiersResponse)> {
  const stored = known?.assignments ?? (await listAssignments(db, tp.tenantId, subject.id));
  const active = known?.overrides ?? (await listActiveOverrides(db, tp.tenantId, subject.id, now.toISOString()));
  const overrides = new Map(active.map((o) => [o.scheme, o]));
  const byScheme = new Map(stored.map((a) => [a.scheme, a]));
  // Never for a customer: a lowering request is staff's four-eyes record (docs/domain.md §4).
  const lowerings = audience.audience === 'staff' ? await loweringsOf(db, tp.tenantId, subject.id, stored) : new Map<string, string>();
  const latest = audience.audience === 'staff' ? await latestMoves(db, tp, subject.id, stored) : new Map<string, EventReason>();
  const assignments: Assignment[] = [];
  // Null, not "", for a subject with no level yet: a client reads "no month" without knowing an empty string means it.
  let asOf: string | null = null;
  for (const def of audience.schemes) {
    const a = byScheme.get(def.key);
    if (!a || (only && !only.has(def.key))) continue;
    if (asOf === null || a.period > asOf) asOf = a.period;
    // Staff's only: the customer's cut leaves it out whatever it is given (audience.assignment).
    const because =
      audience.audience === 'staff' ? assignmentDrop(def, a, latest.get(currentLevelKey(subject.id, def.key)), tp.pack.metrics) : undefined;
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
      ...(lowerings.has(a.scheme) ? { loweringTo: lowerings.get(a.scheme) } : {}),
      ...(because ? { because } : {}),
    });
  }
  const cut = audience.assignments(assignments);
  const mentioned = metricsMentioned(cut.assignments);
  const metrics: MetricDef[] = tp.pack.metrics.filter((m) => mentioned.has(m.key));
  return { subject: subjectRef(subject, unmask), asOf, ...cut, metrics };
}

/**
 * Staff's view of the lowering requests pending for a subject, by scheme: the proposed level. Read only
 * when a level is waiting for a second person (`approvalRequired`), which a lowering request marks.
 */
async function loweringsOf(
  db: Executor,
  tenantId: string,
  subjectId: string,
  stored: readonly { readonly approvalRequired: boolean }[],
): Promise<Map<string, string>> {
  if (!stored.some((a) => a.approvalRequired)) return new Map();
  const pending = await listPendingLevelApprovals(db, tenantId, { subjectId });
  return new Map(pending.flatMap((a) => (a.proposedLevel ? [[a.scheme, a.proposedLevel] as const] : [])));
}

/** Until when a tiers body holds with no write (epoch ms): an override in force ends by itself, at its expiry. */
export function heldUntil(body: TiersResponse): number {
  const expiries = body.assignments.flatMap((a) => (a.override?.expiresAt ? [Date.parse(a.override.expiresAt)] : []));
  return Math.min(Number.POSITIVE_INFINITY, ...expiries);
}

// Serialized once per scheme definition and locale: a pack's definitions are replaced, never changed in place.
const ALL = 'all';
const serialized = new WeakMap<object, Map<string, string>>();
const json = (value: unknown) => JSON.stringify(value);

/** `value` as JSON, in `locale` (or every locale), serialized once per object and locale. */
function once(value: object, locale: Locale | undefined): string {
  let byLocale = serialized.get(value);
  if (!byLocale) serialized.set(value, (byLocale = new Map()));
  const key = locale ?? ALL;
  let text = byLocale.get(key);
  if (text === undefined) byLocale.set(key, (text = json(locale ? localize(value, locale) : value)));
  return text;
}

// Scheme summaries are new objects each time they are made: keep one per definition.
const summaries = new WeakMap<object, SchemeSummary>();
const summaryOf = (def: SchemeSummary) => {
  let summary = summaries.get(def);
  if (!summary) summaries.set(def, (summary = schemeSummary(def)));
  return summary;
};

/** Stored JSON text as sent: as it is, or (with a locale) with each label cut to that locale. */
/**
 * A stored explanation as a staff reader may read it: a band or matrix read from a grade they may not
 * read (`readers`) names that grade's level in `levelsRead` and its rule (`map.aml-risk.high`), which the
 * reader's view cuts (core `readerView`). Parsed only then; every other explanation is spliced as stored.
 */
function readerExplanation(audience: AudienceView, def: SchemeDefinition, text: string): string {
  if (schemeDependencies(def).every((k) => audience.sees(k))) return text;
  const cut = audience.assignment({ scheme: def.key, explanation: JSON.parse(text) as Explanation } as Assignment);
  return JSON.stringify(cut.explanation);
}

/** Whether a stored level sits below the one shown before it: only then is its explanation parsed for a `because`. */
const loweredFrom = (def: SchemeDefinition, previous: string | null, rank: number) =>
  previous !== null && (def.levels.find((l) => l.key === previous)?.rank ?? -1) > rank;

/**
 * The reason of the latest move of each scheme `stored` shows lowered, by `currentLevelKey`: whether
 * the rules lowered it, or a policy change or an override's expiry did (`assignmentDrop`). No read when
 * none is lowered, as on most reads.
 */
async function latestMoves(
  db: Executor,
  tp: TenantPack,
  subjectId: string,
  stored: readonly { scheme: string; previousLevel: string | null; rank: number }[],
): Promise<Map<string, EventReason>> {
  const lowered = stored.filter((a) => {
    const def = tp.pack.schemes.find((s) => s.key === a.scheme);
    return def !== undefined && loweredFrom(def, a.previousLevel, a.rank);
  });
  return latestEventReasons(
    db,
    tp.tenantId,
    [subjectId],
    lowered.map((a) => a.scheme),
  );
}

const storedText = (text: string, locale: Locale | undefined) => (locale ? localizeJsonText(text, locale) : text);

// Where stored explanations, progress and retention name metrics: only these keys are called "metric".
const METRIC_KEY = /"metric":("(?:[^"\\]|\\.)*")/g;

/**
 * {@link tiersView} as the JSON text it serializes to (the same document, cut to `locale` as
 * `localize` would cut it), built without building the document: the stored explanation, progress
 * and retention are spliced in as stored (with a locale, only they are parsed, cut and serialized),
 * and each scheme's summary and grid and each metric are serialized once per pack and locale. Also
 * says until when the body holds with no write: the first expiry of an override in force.
 */
export async function tiersJson(
  db: Executor,
  tp: TenantPack,
  audience: AudienceView,
  subject: Subject,
  unmask: boolean,
  now: Date,
  only?: ReadonlySet<string>,
  locale?: Locale,
  /** The overrides in force at `now`, when the caller has read them. */
  inForce?: readonly OverrideInfo[],
  /** The subject's assignments as stored (those of `only`), when the caller read them with the subject (findSubjectForTiers). */
  storedJson?: readonly StoredAssignmentJson[],
): Promise<{ json: string; until: number }> {
  if (audience.audience !== 'staff') {
    // A customer's view rewrites the stored explanation and progress (audience.assignment), so the
    // stored text cannot be spliced in as it is: build the document and serialize it.
    const body = await tiersView(db, tp, audience, subject, unmask, now, inForce ? { overrides: inForce } : undefined, only);
    return { json: JSON.stringify(locale ? localize(body, locale) : body), until: heldUntil(body) };
  }
  const stored = storedJson ?? (await listAssignmentsJson(db, tp.tenantId, subject.id, only));
  const active = inForce ?? (await listActiveOverrides(db, tp.tenantId, subject.id, now.toISOString()));
  const overrides = new Map(active.map((o) => [o.scheme, o]));
  const byScheme = new Map(stored.map((a) => [a.scheme, a]));
  const lowerings = await loweringsOf(db, tp.tenantId, subject.id, stored);
  const latest = await latestMoves(db, tp, subject.id, stored);
  const parts: string[] = [];
  const mentioned = new Set<string>();
  let asOf: string | null = null;
  let until = Number.POSITIVE_INFINITY;
  for (const def of audience.schemes) {
    const a = byScheme.get(def.key);
    if (!a || (only && !only.has(def.key))) continue;
    for (const text of [a.explanation, a.progress, a.retention]) {
      if (text !== null) for (const m of text.matchAll(METRIC_KEY)) mentioned.add(JSON.parse(m[1] ?? '""') as string);
    }
    if (asOf === null || a.period > asOf) asOf = a.period;
    const override = overrides.get(a.scheme) ?? null;
    if (override?.expiresAt) until = Math.min(until, Date.parse(override.expiresAt));
    const because = loweredFrom(def, a.previousLevel, a.rank)
      ? assignmentDrop(
          def,
          { ...a, explanation: JSON.parse(a.explanation) as Explanation },
          latest.get(currentLevelKey(subject.id, def.key)),
          tp.pack.metrics,
        )
      : undefined;
    parts.push(
      `{"scheme":${json(a.scheme)},"level":${json(a.level)},"rank":${json(a.rank)},"previousLevel":${json(a.previousLevel)},` +
        `"changed":${a.previousLevel !== a.level},"approvalRequired":${a.approvalRequired},"explanation":${storedText(readerExplanation(audience, def, a.explanation), locale)},` +
        `"progress":${a.progress === null ? 'null' : storedText(a.progress, locale)},"retention":${a.retention === null ? 'null' : storedText(a.retention, locale)},` +
        `"schemeInfo":${once(summaryOf(def), locale)},"period":${json(a.period)},"evaluatedAt":${json(a.evaluatedAt)},` +
        `"override":${override && locale ? json(localize(override, locale)) : json(override)}` +
        `${def.matrix ? `,"matrix":${once(def.matrix, locale)}` : ''}` +
        `${lowerings.has(a.scheme) ? `,"loweringTo":${json(lowerings.get(a.scheme))}` : ''}` +
        `${because ? `,"because":${json(locale ? localize(because, locale) : because)}` : ''}}`,
    );
  }
  const metrics = tp.pack.metrics.filter((m) => mentioned.has(m.key)).map((m) => once(m, locale));
  return {
    json: `{"subject":${json(subjectRef(subject, unmask))},"asOf":${json(asOf)},"audience":"staff","assignments":[${parts.join(',')}],"metrics":[${metrics.join(',')}]}`,
    until,
  };
}
