import { nextMoneyGap, type Explanation, type Progress, type Retention } from '@tierkit/core';
import { sql, type Insertable, type SqlBool, type UpdateObject } from 'kysely';
import type { AssignmentRow, AssignmentTable, Database } from '../schema.js';
import {
  atomically,
  rangeTenant,
  chunks,
  executeInBatches,
  isPostgres,
  parseJson,
  parseJsonOrNull,
  reusableQuery,
  rowOfValues,
  type Executor,
} from './executor.js';
import { bumpSubjectVersions } from './subject-versions.js';
import { bookIds, type Books } from './staff.js';

/** A subject's current level in one scheme, as stored. */
export interface StoredAssignment {
  readonly subjectId: string;
  readonly scheme: string;
  readonly level: string;
  readonly rank: number;
  readonly periodsBelow: number;
  /** The engine's state before `period` was evaluated; null level when the subject had none. */
  readonly base: { readonly level: string | null; readonly periodsBelow: number };
  /**
   * The level shown before `period` was evaluated (null: none). Differs from `base.level` when an
   * override decided the previous month: the customer saw the override's level, the engine carries
   * the earned one.
   */
  readonly previousLevel: string | null;
  readonly explanation: Explanation;
  readonly progress: Progress | null;
  readonly retention: Retention | null;
  readonly approvalRequired: boolean;
  readonly policyVersion: number;
  readonly period: string;
  readonly evaluatedAt: string;
}

/**
 * What a call list filters and sorts on, stored as integers beside the JSON they come from (migration
 * 2026-12-16T00-00-40-near-next): computed from the objects before they are serialized, so a write of
 * serialized rows binds two integers more and parses nothing.
 */
export interface ListFigures {
  /** {@link nextGapOf} the progress. */
  readonly nextGap: number | null;
  /** {@link graceLeftOf} the row. */
  readonly graceLeft: number | null;
}

/** The next level's money gap in minor units (core's nextMoneyGap), without its currency: the API checks that. */
export function nextGapOf(progress: Progress | null): number | null {
  return nextMoneyGap(progress)?.gap ?? null;
}

/** Periods left before the level drops (what a simulation calls months left), in a grace period only. */
export function graceLeftOf(periodsBelow: number, retention: Retention | null): number | null {
  return periodsBelow > 0 && retention !== null ? retention.periodsAllowed - retention.periodsBelow : null;
}

/**
 * A stored assignment with its explanation, progress and retention left as the JSON text they are
 * stored as: a read that sends them on splices the text into its response instead of parsing and
 * serializing them again.
 */
export interface StoredAssignmentJson extends Omit<StoredAssignment, 'explanation' | 'progress' | 'retention'>, ListFigures {
  readonly explanation: string;
  readonly progress: string | null;
  readonly retention: string | null;
}

export function toAssignmentJson(row: AssignmentRow): StoredAssignmentJson {
  return {
    subjectId: row.subject_id,
    scheme: row.scheme,
    level: row.level,
    rank: row.rank,
    periodsBelow: row.periods_below,
    base: { level: row.base_level, periodsBelow: row.base_periods_below },
    previousLevel: row.previous_level,
    explanation: row.explanation,
    progress: row.progress,
    retention: row.retention,
    approvalRequired: row.approval_required === 1,
    policyVersion: row.policy_version,
    period: row.period,
    evaluatedAt: row.evaluated_at,
    nextGap: row.next_gap === null ? null : Number(row.next_gap),
    graceLeft: row.grace_left,
  };
}

function toAssignment(row: AssignmentRow): StoredAssignment {
  const { nextGap: _n, graceLeft: _g, ...a } = toAssignmentJson(row);
  return {
    ...a,
    explanation: parseJson<Explanation>(a.explanation),
    progress: parseJsonOrNull<Progress>(a.progress),
    retention: parseJsonOrNull<Retention>(a.retention),
  };
}

/** The columns of an assignment row, in the order `toRow` writes them (raw statements and comparisons use it). */
export const ASSIGNMENT_COLUMNS = [
  'tenant_id',
  'subject_id',
  'scheme',
  'level',
  'rank',
  'periods_below',
  'base_level',
  'base_periods_below',
  'previous_level',
  'explanation',
  'progress',
  'retention',
  'approval_required',
  'policy_version',
  'period',
  'evaluated_at',
  'next_gap',
  'grace_left',
] as const satisfies readonly (keyof AssignmentRow)[];

/**
 * An assignment with its explanation, progress and retention serialized as stored: a re-tier chunk
 * serializes each subject's rows as soon as they are evaluated, so that the engine's object graphs
 * die young instead of surviving (and being promoted by the GC) until the chunk's write.
 */
export function serializeAssignment(a: StoredAssignment): StoredAssignmentJson {
  // Every property named, not `{ ...a, explanation: JSON.stringify(…) }`: the spread copied the
  // row's object-valued JSON fields and then overwrote them with strings, which cost V8 as much as the
  // three JSON.stringify calls together (half the CPU a row now, paired: serialize-assignment.bench.ts,
  // BENCHMARKS.md session 37). The properties are StoredAssignment's, in its order, then the figures:
  // the row the spread made, and the one a read of the stored row gives (toAssignmentJson).
  return {
    subjectId: a.subjectId,
    scheme: a.scheme,
    level: a.level,
    rank: a.rank,
    periodsBelow: a.periodsBelow,
    base: a.base,
    previousLevel: a.previousLevel,
    explanation: JSON.stringify(a.explanation),
    progress: a.progress === null ? null : JSON.stringify(a.progress),
    retention: a.retention === null ? null : JSON.stringify(a.retention),
    approvalRequired: a.approvalRequired,
    policyVersion: a.policyVersion,
    period: a.period,
    evaluatedAt: a.evaluatedAt,
    nextGap: nextGapOf(a.progress),
    graceLeft: graceLeftOf(a.periodsBelow, a.retention),
  };
}

/**
 * {@link StoredAssignmentJson} with its JSON as UTF-8 bytes: how a re-tier's prepare thread hands a
 * chunk's rows to the writer (see packages/api's utf8-rows.ts). Received as strings, each value
 * cost the writer a copy on arrival and a conversion to UTF-8 when bound; bytes over one transferred
 * buffer cost neither, and SQLite stores them as the same text.
 */
export interface StoredAssignmentUtf8 extends Omit<StoredAssignment, 'explanation' | 'progress' | 'retention'>, ListFigures {
  readonly explanation: Uint8Array;
  readonly progress: Uint8Array | null;
  readonly retention: Uint8Array | null;
}

/** An assignment to write: its JSON columns as objects, or already serialized ({@link serializeAssignment}), as text or UTF-8. */
export type AssignmentToWrite = StoredAssignment | StoredAssignmentJson | StoredAssignmentUtf8;

type JsonColumn = object | string | Uint8Array | null;
const jsonText = (v: JsonColumn) => (v === null || typeof v === 'string' || v instanceof Uint8Array ? v : JSON.stringify(v));

/** The columns an assignment row holds JSON in. */
const JSON_COLUMNS = ['explanation', 'progress', 'retention'] as const;

/**
 * Push an assignment's column values, in {@link ASSIGNMENT_COLUMNS} order, onto `out`: a re-tier chunk
 * binds a thousand rows' values straight into one parameter array instead of building a row object each.
 */
function pushAssignmentValues(tenantId: string, a: AssignmentToWrite, out: unknown[]): void {
  const serialized = 'nextGap' in a;
  out.push(
    tenantId,
    a.subjectId,
    a.scheme,
    a.level,
    a.rank,
    a.periodsBelow,
    a.base.level,
    a.base.periodsBelow,
    a.previousLevel,
    jsonText(a.explanation),
    jsonText(a.progress),
    jsonText(a.retention),
    a.approvalRequired ? 1 : 0,
    a.policyVersion,
    a.period,
    a.evaluatedAt,
    serialized ? a.nextGap : nextGapOf(a.progress),
    serialized ? a.graceLeft : graceLeftOf(a.periodsBelow, a.retention),
  );
}

/** The row object of an assignment, for Kysely's `values` (the same values as {@link pushAssignmentValues}). */
function toRow(tenantId: string, a: AssignmentToWrite): Insertable<AssignmentTable> {
  return rowOfValues(ASSIGNMENT_COLUMNS, (out) => pushAssignmentValues(tenantId, a, out)) as Insertable<AssignmentTable>;
}

/**
 * {@link toRow} for {@link writeAssignments} on SQLite: the JSON columns cast to text, so that UTF-8
 * bytes are stored as the text they encode (a cast reinterprets a blob's bytes in the database's
 * encoding, UTF-8) and a string is stored as it is. PostgreSQL needs no cast: node-postgres sends
 * bytes as a parameter's binary form, and the binary form of `text` is its UTF-8.
 */
function toRowCastingJson(tenantId: string, a: AssignmentToWrite): Insertable<AssignmentTable> {
  const row = toRow(tenantId, a) as Record<string, unknown>;
  for (const column of JSON_COLUMNS) row[column] = sql`cast(${row[column]} as text)`;
  return row as Insertable<AssignmentTable>;
}

// Built once: every tiers and entitlements read asks.
const assignmentRows: (db: Executor, tenantId: string, subjectId: string) => Promise<AssignmentRow[]> = reusableQuery(
  (db, tenantId: string, subjectId: string) =>
    db.selectFrom('assignments').selectAll().where('tenant_id', '=', tenantId).where('subject_id', '=', subjectId).orderBy('scheme'),
);

/** Every current assignment of one subject, by scheme key order. */
export async function listAssignments(db: Executor, tenantId: string, subjectId: string): Promise<StoredAssignment[]> {
  return (await assignmentRows(db, tenantId, subjectId)).map(toAssignment);
}

// One scheme's row by its primary key: a front page asking for one scheme reads one row, not nine.
const assignmentRow = reusableQuery((db, tenantId: string, subjectId: string, scheme: string) =>
  db
    .selectFrom('assignments')
    .selectAll()
    .where('subject_id', '=', subjectId)
    .where('scheme', '=', scheme)
    .where('tenant_id', '=', tenantId),
);

/**
 * {@link listAssignments} with the JSON columns as stored, for reads that send them on unchanged;
 * only those of `schemes` when given.
 */
export async function listAssignmentsJson(
  db: Executor,
  tenantId: string,
  subjectId: string,
  schemes?: ReadonlySet<string>,
): Promise<StoredAssignmentJson[]> {
  if (schemes?.size === 1) {
    const [scheme = ''] = schemes;
    return (await assignmentRow(db, tenantId, subjectId, scheme)).map(toAssignmentJson);
  }
  const rows = (await assignmentRows(db, tenantId, subjectId)).map(toAssignmentJson);
  return schemes ? rows.filter((a) => schemes.has(a.scheme)) : rows;
}

/** A subject's current level in one scheme, without its explanation, progress and retention. */
export interface CurrentLevel {
  readonly scheme: string;
  readonly level: string;
  readonly period: string;
  readonly approvalRequired: boolean;
}

// Entitlements resolve over levels alone: reading the stored explanations too doubled the query.
const levelRows = reusableQuery((db, tenantId: string, subjectId: string) =>
  db
    .selectFrom('assignments')
    .select(['scheme', 'level', 'period', 'approval_required'])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', subjectId)
    .orderBy('scheme'),
);

/** A subject's current levels, by scheme key order. */
export async function listCurrentLevels(db: Executor, tenantId: string, subjectId: string): Promise<CurrentLevel[]> {
  return (await levelRows(db, tenantId, subjectId)).map((r) => ({
    scheme: r.scheme,
    level: r.level,
    period: r.period,
    approvalRequired: r.approval_required === 1,
  }));
}

/**
 * The current level in one scheme of each of `subjectIds` (a page of a list: at most a few hundred),
 * read in one query; a subject with none is absent from the map. Read as {@link currentLevelsOf}
 * reads, by subject ids alone: told the tenant and scheme, SQLite walked the scheme's every customer.
 */
export async function levelsInScheme(
  db: Executor,
  tenantId: string,
  scheme: string,
  subjectIds: readonly string[],
): Promise<Map<string, string>> {
  const levels = await currentLevelsOf(
    db,
    tenantId,
    subjectIds.map((subjectId) => ({ subjectId, scheme })),
  );
  const out = new Map<string, string>();
  for (const id of subjectIds) {
    const level = levels.get(currentLevelKey(id, scheme));
    if (level !== undefined) out.set(id, level);
  }
  return out;
}

/**
 * The current levels of the subjects with ids in `first … last` (a job chunk), by subject: the
 * scheme, level and period columns alone, for a chunk deciding whom it leaves alone before it locks
 * anyone ({@link listAssignmentsInRange} reads each row's state too).
 */
export async function listCurrentLevelsInRange(
  db: Executor,
  tenantId: string,
  first: string,
  last: string,
): Promise<Map<string, CurrentLevel[]>> {
  const rows = await db
    .selectFrom('assignments')
    .select(['subject_id', 'scheme', 'level', 'period', 'approval_required'])
    .where(rangeTenant(tenantId))
    .where('subject_id', '>=', first)
    .where('subject_id', '<=', last)
    .execute();
  const out = new Map<string, CurrentLevel[]>();
  for (const r of rows) {
    const level: CurrentLevel = { scheme: r.scheme, level: r.level, period: r.period, approvalRequired: r.approval_required === 1 };
    const list = out.get(r.subject_id);
    if (list) list.push(level);
    else out.set(r.subject_id, [level]);
  }
  return out;
}

/**
 * The current level of each (subject, scheme) pair asked, keyed `subjectId` NUL `scheme`: a page of
 * the approvals queue shows the level a request would move, read for that page's items only (one
 * query, at most a page's subjects), never for the whole queue. A pair with no level is absent.
 */
export async function currentLevelsOf(
  db: Executor,
  tenantId: string,
  pairs: readonly { readonly subjectId: string; readonly scheme: string }[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (pairs.length === 0) return out;
  const wanted = new Set(pairs.map((p) => currentLevelKey(p.subjectId, p.scheme)));
  // By the primary key's subject ids alone (internal ids, unique across tenants): told the tenant and
  // the schemes too, SQLite's planner takes the (tenant, scheme, level) index and walks every customer
  // of the scheme — 50,000 rows for a page of 50. The few other schemes' rows are dropped here.
  const rows = await db
    .selectFrom('assignments')
    .select(['tenant_id', 'subject_id', 'scheme', 'level'])
    .where('subject_id', 'in', [...new Set(pairs.map((p) => p.subjectId))])
    .execute();
  for (const r of rows) {
    const k = currentLevelKey(r.subject_id, r.scheme);
    if (r.tenant_id === tenantId && wanted.has(k)) out.set(k, r.level);
  }
  return out;
}

/** Why a subject has its level: the stored explanation and the line it holds the level by. */
export interface LevelReason {
  readonly level: string;
  readonly period: string;
  readonly explanation: Explanation;
  readonly retention: Retention | null;
}

/**
 * {@link currentLevelsOf} with each level's explanation and retention, for the level sign-offs of one
 * page of the approvals queue (at most a page's pairs): what an approver signs off, shown beside it.
 */
export async function currentReasonsOf(
  db: Executor,
  tenantId: string,
  pairs: readonly { readonly subjectId: string; readonly scheme: string }[],
): Promise<Map<string, LevelReason>> {
  const out = new Map<string, LevelReason>();
  if (pairs.length === 0) return out;
  const wanted = new Set(pairs.map((p) => currentLevelKey(p.subjectId, p.scheme)));
  // By subject ids alone, as currentLevelsOf reads (its note on SQLite's planner).
  const rows = await db
    .selectFrom('assignments')
    .select(['tenant_id', 'subject_id', 'scheme', 'level', 'period', 'explanation', 'retention'])
    .where('subject_id', 'in', [...new Set(pairs.map((p) => p.subjectId))])
    .execute();
  for (const r of rows) {
    const k = currentLevelKey(r.subject_id, r.scheme);
    if (r.tenant_id !== tenantId || !wanted.has(k)) continue;
    out.set(k, {
      level: r.level,
      period: r.period,
      explanation: parseJson<Explanation>(r.explanation),
      retention: parseJsonOrNull<Retention>(r.retention),
    });
  }
  return out;
}

/**
 * The stored assignments in one scheme of a page of subjects (a listed page's call-list columns), by
 * subject id. By the primary key (subject ids, then the scheme) as {@link currentLevelsOf} reads: a page's
 * rows, never the scheme's; their JSON is parsed for those rows only.
 */
export async function assignmentsOfPage(
  db: Executor,
  tenantId: string,
  scheme: string,
  subjectIds: readonly string[],
): Promise<Map<string, StoredAssignment>> {
  const out = new Map<string, StoredAssignment>();
  if (subjectIds.length === 0) return out;
  const rows = await db
    .selectFrom('assignments')
    .selectAll()
    .where('subject_id', 'in', [...new Set(subjectIds)])
    .where('scheme', '=', scheme)
    .execute();
  for (const r of rows) if (r.tenant_id === tenantId) out.set(r.subject_id, toAssignment(r));
  return out;
}

/** The key of {@link currentLevelsOf}'s answer. */
export function currentLevelKey(subjectId: string, scheme: string): string {
  return `${subjectId}\u0000${scheme}`;
}

/** The row's key and `level`: what a rewrite of a stored assignment does not set ({@link REWRITTEN}). */
const NOT_REWRITTEN: readonly string[] = ['tenant_id', 'subject_id', 'scheme', 'level'];
/**
 * The columns a rewrite of a stored assignment sets, `level` aside (see {@link writeAssignments}):
 * taken from {@link ASSIGNMENT_COLUMNS}, which the INSERT of the same statement writes, so that a column
 * added to the row is rewritten by every re-tier too instead of keeping the value of its first write.
 */
const REWRITTEN = ASSIGNMENT_COLUMNS.filter(
  (c): c is Exclude<(typeof ASSIGNMENT_COLUMNS)[number], 'tenant_id' | 'subject_id' | 'scheme' | 'level'> => !NOT_REWRITTEN.includes(c),
);

/**
 * Insert or replace assignments without the version bump: upsertAssignments and storeReevaluations
 * (reevaluations.ts) bump. `levelKept`: rows the caller read the stored level of as the row's own (a
 * monthly re-tier's customers who stay where they are, nearly all of them). On SQLite these are
 * rewritten by a statement that leaves `level` out of its SET: SQLite rewrites an index when the
 * UPDATE names one of its columns, changed or not, so naming `level` redid the (tenant, scheme, level)
 * index for every row, 6–12% of a monthly re-tier's upsert (BENCHMARKS.md, retier bench, sessions 32
 * and 34). That statement writes a row only where the stored level is still the row's; should any not
 * match (the level moved since the caller read it), the rows are written again in full, so the hint
 * never decides what is stored. PostgreSQL ignores it: an UPDATE that changes an indexed column (the
 * period, every month) adds an entry to every index of the row whatever columns it names.
 */
export async function writeAssignments(
  db: Executor,
  tenantId: string,
  assignments: readonly AssignmentToWrite[],
  levelKept?: ReadonlySet<AssignmentToWrite>,
): Promise<void> {
  const postgres = isPostgres(db);
  if (postgres || !levelKept || levelKept.size === 0) {
    await upsertAssignmentRows(db, tenantId, assignments, true);
    return;
  }
  const moved: AssignmentToWrite[] = [];
  const kept: AssignmentToWrite[] = [];
  for (const a of assignments) (levelKept.has(a) ? kept : moved).push(a);
  if (moved.length) await upsertAssignmentRows(db, tenantId, moved, true);
  if (kept.length === 0) return;
  const written = await upsertAssignmentRows(db, tenantId, kept, false);
  if (written < kept.length) await upsertAssignmentRows(db, tenantId, kept, true);
}

/**
 * The upsert of {@link writeAssignments}, with `level` in its SET (`withLevel`) or, without it, only
 * onto stored rows already at the row's level. Answers the rows written (inserted or updated).
 */
async function upsertAssignmentRows(
  db: Executor,
  tenantId: string,
  assignments: readonly AssignmentToWrite[],
  withLevel: boolean,
): Promise<number> {
  const postgres = isPostgres(db);
  let written = 0;
  // Re-tier jobs write a million rows: the statement is compiled once per batch size (executeInBatches).
  await executeInBatches(
    db,
    assignments,
    // 18 parameters a row: 18,000 per statement, inside both dialects' limits (SQLite 32,766).
    1000,
    (batch) =>
      db
        .insertInto('assignments')
        .values(batch.map((a) => (postgres ? toRow(tenantId, a) : toRowCastingJson(tenantId, a))))
        .onConflict((oc) => {
          const set = oc.columns(['subject_id', 'scheme']).doUpdateSet((eb) => {
            const out: Record<string, unknown> = withLevel ? { level: eb.ref('excluded.level') } : {};
            for (const c of REWRITTEN) out[c] = eb.ref(`excluded.${c}`);
            return out as UpdateObject<Database, 'assignments'>;
          });
          return withLevel ? set : set.where(sql<SqlBool>`assignments.level = excluded.level`);
        }),
    withLevel ? 'assignments.upsert' : 'assignments.upsert-level-kept',
    (a, out) => pushAssignmentValues(tenantId, a, out),
    (_rows, affected) => {
      written += Number(affected ?? 0);
    },
  );
  return written;
}

/** Bulk insert for seeding (rows must be new). */
export async function insertAssignments(db: Executor, tenantId: string, assignments: readonly StoredAssignment[]): Promise<void> {
  await atomically(db, async (trx) => {
    for (const batch of chunks(assignments, 200))
      await trx
        .insertInto('assignments')
        .values(batch.map((a) => toRow(tenantId, a)))
        .execute();
    await bumpSubjectVersions(
      trx,
      assignments.map((a) => a.subjectId),
    );
  });
}

/**
 * Portfolio counts per (row level, column level) of two schemes, computed in the database: one
 * GROUP BY over the subjects that hold a level in both. `kind` restricts to one subject kind.
 */
export async function countLevelPairs(
  db: Executor,
  tenantId: string,
  rowScheme: string,
  colScheme: string,
  kind?: string,
  managedBy?: Books,
): Promise<{ row: string; col: string; count: number }[]> {
  let q = db
    .selectFrom('assignments as r')
    .innerJoin('assignments as c', (j) => j.onRef('c.subject_id', '=', 'r.subject_id').on('c.scheme', '=', colScheme))
    .where('r.tenant_id', '=', tenantId)
    .where('c.tenant_id', '=', tenantId)
    .where('r.scheme', '=', rowScheme)
    // The current book only: a customer who left keeps their levels as history, in no cell. The few
    // closed ones are read once from their partial index; joining every row to its subject instead
    // cost the count half as much again.
    .where((eb) =>
      eb(
        'r.subject_id',
        'not in',
        eb.selectFrom('subjects as x').select('x.id').where('x.tenant_id', '=', tenantId).where('x.closed_at', 'is not', null),
      ),
    );
  if (kind) q = q.innerJoin('subjects as s', 's.id', 'r.subject_id').where('s.kind', '=', kind);
  if (managedBy !== undefined)
    q = q
      .innerJoin('subject_managers as m', (j) => j.onRef('m.subject_id', '=', 'r.subject_id').on('m.tenant_id', '=', tenantId))
      .where('m.staff_id', 'in', bookIds(managedBy));
  const rows = await q
    .select((eb) => ['r.level as row', 'c.level as col', eb.fn.countAll<number>().as('count')])
    .groupBy(['r.level', 'c.level'])
    .execute();
  return rows.map((r) => ({ row: r.row, col: r.col, count: Number(r.count) }));
}

/**
 * What re-evaluating a subject reads of a stored assignment: every column but the explanation,
 * progress and retention, of which it needs only who decided the level (its kind, and its id: which
 * override, whose approval a catch-up dates the level from). A {@link StoredAssignment} is one too.
 */
export interface AssignmentState extends Omit<StoredAssignment, 'explanation' | 'progress' | 'retention'> {
  readonly explanation: { readonly decidedBy: Pick<Explanation['decidedBy'], 'kind' | 'id'> };
}

const NOT_STATE_COLUMNS: readonly string[] = ['tenant_id', 'explanation', 'progress', 'retention', 'next_gap', 'grace_left'];
/** The columns an {@link AssignmentState} is read from, besides who decided the level. */
const STATE_COLUMNS = ASSIGNMENT_COLUMNS.filter(
  (
    c,
  ): c is Exclude<
    (typeof ASSIGNMENT_COLUMNS)[number],
    'tenant_id' | 'explanation' | 'progress' | 'retention' | 'next_gap' | 'grace_left'
  > => !NOT_STATE_COLUMNS.includes(c),
);

/**
 * The current assignments of the subjects with ids in `first … last` (a job chunk), by subject, as
 * {@link AssignmentState}s: a re-tier rewrites every row anyway, and reading and parsing each one's
 * 1–2 KB of JSON only to learn who decided it cost more than the SQL (the database extracts that).
 */
export async function listAssignmentsInRange(
  db: Executor,
  tenantId: string,
  first: string,
  last: string,
): Promise<Map<string, AssignmentState[]>> {
  // The explanation parsed once per row for both fields: PostgreSQL's driver hands `json` back parsed,
  // SQLite's json_extract a small JSON text (the decidedBy object alone) that JS parses.
  const decidedBy = isPostgres(db)
    ? sql<Explanation['decidedBy'] | string>`explanation::json -> 'decidedBy'`
    : sql<string>`json_extract(explanation, '$.decidedBy')`;
  const rows = await db
    .selectFrom('assignments')
    .select([...STATE_COLUMNS, decidedBy.as('decided_by')])
    .where(rangeTenant(tenantId))
    .where('subject_id', '>=', first)
    .where('subject_id', '<=', last)
    .orderBy('subject_id')
    .orderBy('scheme')
    .execute();
  const out = new Map<string, AssignmentState[]>();
  for (const row of rows) {
    // The row lacks only the JSON columns, which this mapping copies and the state leaves out.
    const {
      explanation: _e,
      progress: _p,
      retention: _r,
      nextGap: _n,
      graceLeft: _g,
      ...head
    } = toAssignmentJson(row as unknown as AssignmentRow);
    const by: Explanation['decidedBy'] = typeof row.decided_by === 'string' ? JSON.parse(row.decided_by) : row.decided_by;
    const state: AssignmentState = { ...head, explanation: { decidedBy: { kind: by.kind, id: by.id } } };
    const list = out.get(row.subject_id);
    if (list) list.push(state);
    else out.set(row.subject_id, [state]);
  }
  return out;
}
