import type { Executor } from './executor.js';
import type { MetricValues } from './metrics.js';
import { toSubject, type Subject } from './subjects.js';

/** Subjects per page when walking a tenant's whole book (simulation, re-evaluation). */
export const BOOK_CHUNK = 500;

/** One subject of the book with the engine state of its current assignments, by scheme. */
export interface BookSubject {
  readonly id: string;
  readonly externalId: string;
  readonly kind: string;
  readonly assignments: ReadonlyMap<string, BookAssignment>;
}

/** A current level and the engine state it was evaluated from (see `StoredAssignment.base`). */
export interface BookAssignment {
  readonly level: string;
  readonly base: { readonly level: string | null; readonly periodsBelow: number };
  readonly period: string;
}

/**
 * One page of a tenant's subjects of `kind` (by external id, after `afterExternalId`; the
 * (tenant, kind, external id) index serves it), with their current assignments' levels and engine
 * state (of `schemes` only, when given): two indexed queries per page, so walking a million
 * subjects holds one page in memory at a time.
 */
export async function bookChunk(
  db: Executor,
  tenantId: string,
  kind: string,
  afterExternalId: string,
  limit = BOOK_CHUNK,
  schemes?: readonly string[],
): Promise<BookSubject[]> {
  const subjects = await db
    .selectFrom('subjects')
    .select(['id', 'external_id', 'kind'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    // The current book: a customer who left is neither simulated nor counted.
    .where('closed_at', 'is', null)
    .where('external_id', '>', afterExternalId)
    .orderBy('external_id')
    .limit(limit)
    .execute();
  if (subjects.length === 0) return [];
  let q = db
    .selectFrom('assignments')
    .select(['subject_id', 'scheme', 'level', 'base_level', 'base_periods_below', 'period'])
    .where('tenant_id', '=', tenantId)
    .where(
      'subject_id',
      'in',
      subjects.map((s) => s.id),
    );
  if (schemes !== undefined) q = q.where('scheme', 'in', schemes);
  const rows = await q.execute();
  const bySubject = new Map<string, Map<string, BookAssignment>>();
  for (const r of rows) {
    let m = bySubject.get(r.subject_id);
    if (!m) bySubject.set(r.subject_id, (m = new Map()));
    m.set(r.scheme, { level: r.level, base: { level: r.base_level, periodsBelow: r.base_periods_below }, period: r.period });
  }
  return subjects.map((s) => ({ id: s.id, externalId: s.external_id, kind: s.kind, assignments: bySubject.get(s.id) ?? new Map() }));
}

/** Observations of several subjects with `from ≤ period ≤ to` (of `metrics` only, when given), per subject (one query). */
export async function loadBookMetricValues(
  db: Executor,
  tenantId: string,
  subjectIds: readonly string[],
  from: string,
  to: string,
  metrics?: readonly string[],
): Promise<Map<string, MetricValues>> {
  const out = new Map<string, MetricValues>();
  if (subjectIds.length === 0 || metrics?.length === 0) return out;
  let q = db
    .selectFrom('metrics')
    .select(['subject_id', 'metric', 'period', 'value'])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', subjectIds)
    .where('period', '>=', from)
    .where('period', '<=', to);
  if (metrics !== undefined) q = q.where('metric', 'in', metrics);
  const rows = await q.execute();
  for (const r of rows) {
    let values = out.get(r.subject_id);
    if (!values) out.set(r.subject_id, (values = {}));
    (values[r.metric] ??= {})[r.period] = Number(r.value);
  }
  return out;
}

/**
 * How many subjects (of `kind`, when given) have an assignment evaluated for `fromPeriod` or later:
 * a change to a product scheme is measured against the products, not the whole book.
 */
export async function countSubjectsEvaluatedSince(db: Executor, tenantId: string, fromPeriod: string, kind?: string): Promise<number> {
  let q = db
    .selectFrom('assignments')
    .select((eb) => eb.fn.count<number | string>('subject_id').distinct().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('period', '>=', fromPeriod);
  if (kind !== undefined)
    q = q.where('subject_id', 'in', (eb) =>
      eb.selectFrom('subjects').select('id').where('tenant_id', '=', tenantId).where('kind', '=', kind),
    );
  const row = await q.executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** One page (by internal id, after `afterId`) of the subjects (of `kind`, when given) with an assignment evaluated for `fromPeriod` or later. */
export async function subjectsEvaluatedSince(
  db: Executor,
  tenantId: string,
  fromPeriod: string,
  afterId: string,
  limit = BOOK_CHUNK,
  kind?: string,
): Promise<Subject[]> {
  let q = db
    .selectFrom('subjects')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '>', afterId)
    .where('id', 'in', (eb) =>
      eb.selectFrom('assignments').select('subject_id').where('tenant_id', '=', tenantId).where('period', '>=', fromPeriod),
    );
  if (kind !== undefined) q = q.where('kind', '=', kind);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map(toSubject);
}
