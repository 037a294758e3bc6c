import { sql, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database, SubjectRow } from '../schema.js';
import { isPostgres, type Executor } from './executor.js';
import { toSubject, type Subject } from './subjects.js';
import { bookIds, type Books } from './staff.js';
import { latestRetierPeriod } from './retier-periods.js';

/** A scheme and level every listed subject must currently hold. */
export interface LevelCondition {
  readonly scheme: string;
  readonly level: string;
}

export interface ListSubjectsQuery {
  readonly kind?: string;
  /** All must hold (a matrix cell is two: the row scheme's level and the column scheme's level). */
  readonly levels: readonly LevelCondition[];
  readonly limit: number;
  /** List subjects whose external id sorts after this one (before it when `descending`; keyset pagination). */
  readonly afterExternalId?: string;
  /** Only subjects managed by this staff member (their book). */
  readonly managedBy?: Books;
  /** Only subjects whose external id starts with this text (exactly, case included, on both dialects). */
  readonly externalIdPrefix?: string;
  /**
   * Only subjects whose external id holds this text anywhere (exactly, case included): no index serves
   * it, so each id the list reads is tested — the API asks for it only within a book.
   */
  readonly externalIdContains?: string;
  /**
   * Only subjects whose display name holds this text: CJK exactly, Latin letters A–Z in either case,
   * `%`, `_` and `\\` as themselves (both dialects).
   */
  readonly nameContains?: string;
  /** External-id order from the last. */
  readonly descending?: boolean;
  /** Customers who left the bank: left out (the default), listed with the others, or the only ones listed. */
  readonly closed?: ClosedFilter;
  /**
   * Only subjects whose level in `scheme` changed at the scheme's latest re-tier (latestRetierPeriod:
   * the month a re-tier job with no filter last evaluated it at, which nothing done to some customers
   * moves — a decision, a metric write, a filtered job): down or
   * up by the levels' ranks, or either.
   */
  readonly change?: LevelChangeFilter;
  /** Only subjects below their level's line in `scheme` now: in a grace period (periods below > 0). */
  readonly graceIn?: string;
  /**
   * Only subjects within `within` minor units of the next level in `scheme`: its stored gap
   * (assignments' `next_gap`, nextGapOf) is at most that. At the top level, or with no money way up, nobody is.
   */
  readonly nearNext?: NearNextFilter;
}

export interface NearNextFilter {
  readonly scheme: string;
  readonly within: number;
}

/**
 * A page in the order of a stored figure of one scheme's assignments instead of external ids: `gap`,
 * the next level's money gap, nearest first (subjects with one only); `graceLeft`, the periods left
 * in a grace period, fewest first (everyone in grace: one an override holds has none stored and comes
 * last, {@link GRACE_LEFT_UNKNOWN}). Ties by internal id, so a page is a seek of the figure's index.
 */
export interface FigureOrder {
  readonly scheme: string;
  readonly by: 'gap' | 'graceLeft';
  /** Keyset position: the figure and internal id of the last subject of the previous page. */
  readonly after?: { readonly value: number; readonly subjectId: string };
}

/** A subject of a page read in {@link FigureOrder}, with its figure (the cursor's position). */
export interface SubjectByFigure {
  readonly subject: Subject;
  readonly value: number;
}

export const LEVEL_CHANGES = ['down', 'up', 'any'] as const;
export type LevelChange = (typeof LEVEL_CHANGES)[number];

export interface LevelChangeFilter {
  readonly scheme: string;
  readonly direction: LevelChange;
  /** The scheme's levels by key, with their ranks: what `down` and `up` compare. */
  readonly ranks: Readonly<Record<string, number>>;
}

export const CLOSED_FILTERS = ['exclude', 'include', 'only'] as const;
export type ClosedFilter = (typeof CLOSED_FILTERS)[number];

/** How a filtered page is read (see listSubjects); tests make them small to reach every way. */
export interface ListPlan {
  /** A level or book at most this many subjects are in is read from its index and sorted. */
  readonly fewMatches: number;
  /**
   * PostgreSQL: when the walk found no page, the matches are read by id if fewer than this many (matchingIds);
   * `fewMatches` when not given.
   */
  readonly idMatches?: number;
  /** Subjects read in external-id order, per row of the page, before the page is looked for from an index instead. */
  readonly scanPerRow: number;
}

export const LIST_PLAN: ListPlan = { fewMatches: 5_000, scanPerRow: 40, idMatches: 50_000 };

/** What a listed subject must be in: a level of a scheme, or a staff member's book. */
type Holding =
  | { readonly kind: 'level'; readonly scheme: string; readonly level: string }
  | { readonly kind: 'book'; readonly staffId: Books }
  // `closed=only`: the few who left, read from the partial index of closed subjects. Without it as a
  // holding, the list walked every subject of the tenant in external-id order to find them.
  | { readonly kind: 'closed' }
  // Call lists: each read from a partial index holding only its few rows (migration
  // 2026-12-15T00-00-80-book-call-lists).
  | { readonly kind: 'changed'; readonly filter: LevelChangeFilter; readonly period: string }
  | { readonly kind: 'grace'; readonly scheme: string }
  // 潜力客户: within an amount of the next level (migration 2026-12-16T00-00-40-near-next).
  | { readonly kind: 'near'; readonly filter: NearNextFilter };

type Eb = ExpressionBuilder<Database & { s: Database['subjects'] }, 's'>;

/**
 * Subjects of a tenant in external-id order, optionally only those holding given levels or in a book.
 *
 * A filtered page is read one of two ways, since neither is cheap for every filter. Walking the
 * subjects in external-id order and keeping those that pass reads `limit / share` subjects: few for a
 * level most customers hold, every subject of the tenant for one almost nobody holds — a million
 * customers and 9 to 15 s for an empty matrix cell on SQLite, with the server's event loop held all
 * along. Reading the subjects that hold a level (or are in a book) from its index and sorting them
 * reads as many subjects as hold it: few for a rare level, the whole book for a common one. So: a
 * filter few subjects pass (counted, at most `fewMatches` index entries) is read from its index;
 * otherwise a bounded walk in order (`scanPerRow` subjects per row of the page) finds the page when
 * the filters are common together; when it does not, matches are sparse, and the page is read from
 * the index of the filter fewest pass, checking the others per entry before any subject row is read
 * (an empty cell of two levels each held by a third of a million customers: about 0.1–0.3 s on SQLite).
 * PostgreSQL first joins the filters' indexes alone for at most `idMatches` ids, and when fewer come
 * reads just those subjects by key (matchingIds): its planner would otherwise read every subject row.
 */
export async function listSubjects(
  db: Executor,
  tenantId: string,
  query: ListSubjectsQuery,
  plan: ListPlan = LIST_PLAN,
): Promise<Subject[]> {
  const holdings: Holding[] = query.levels.map((c) => ({ kind: 'level', scheme: c.scheme, level: c.level }));
  if (query.managedBy !== undefined) holdings.push({ kind: 'book', staffId: query.managedBy });
  if (query.closed === 'only') holdings.push({ kind: 'closed' });
  if (query.graceIn !== undefined) holdings.push({ kind: 'grace', scheme: query.graceIn });
  if (query.nearNext !== undefined) holdings.push({ kind: 'near', filter: query.nearNext });
  if (query.change !== undefined) {
    const period = await latestRetierPeriod(db, tenantId, query.change.scheme);
    // A scheme never evaluated has no re-tier, so nobody changed at it.
    if (period === undefined) return [];
    holdings.push({ kind: 'changed', filter: query.change, period });
  }
  if (holdings.length === 0) return inOrder(db, tenantId, query, holdings, undefined);
  const few = await Promise.all(holdings.map((h) => holders(db, tenantId, h, plan.fewMatches)));
  const fewest = few.indexOf(Math.min(...few));
  if ((few[fewest] ?? 0) < plan.fewMatches) return fromIndex(db, tenantId, query, holdings, fewest);
  const page = await inOrder(db, tenantId, query, holdings, query.limit * plan.scanPerRow);
  if (page.length >= query.limit) return page;
  if (isPostgres(db)) {
    const upTo = plan.idMatches ?? plan.fewMatches;
    const byId = (await spreadMatches(db, page.length, query.limit * plan.scanPerRow)) < upTo;
    const found = byId ? await byIds(db, tenantId, query, holdings, upTo) : undefined;
    if (found !== undefined) return found;
  }
  const all = await Promise.all(holdings.map((h) => holders(db, tenantId, h, undefined)));
  return fromIndex(db, tenantId, query, holdings, all.indexOf(Math.min(...all)));
}

/**
 * PostgreSQL: how many subjects pass the filters, guessed from the walk in order: `hits` of the first
 * `walked` subjects passed, and the subjects table holds about `reltuples` rows (the statistics'
 * figure, a catalog read). A cell of more than `idMatches` spread matches would otherwise pay the id
 * join up to its bound (a merge join of 50,000 matches) and then read the page the old way too. All
 * tenants' subjects are counted, so in a small tenant of a shared database the guess is high: such a
 * cell is read the old way, which is as right, only slower. No hits guess none: the id join, bounded.
 */
async function spreadMatches(db: Executor, hits: number, walked: number): Promise<number> {
  if (hits === 0) return 0;
  const { rows } = await sql<{
    n: number;
  }>`select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'subjects'::regclass`.execute(db);
  return (hits / walked) * Number(rows[0]?.n ?? 0);
}

/**
 * PostgreSQL: the ids of the subjects in every holding's index, at most `upTo` of them. The holdings
 * together are sparse here (the walk in order found no page), yet PostgreSQL takes them for
 * independent: a cell of two levels a third of a million customers each, it expects 78,000 matches
 * in one of 20 or none, and so reads every subject row to hash-join them to the matches (2.3 s at
 * 1,000,000, BENCHMARKS.md). Joined on their own, the levels' index entries are read in subject id
 * order, side by side (a merge join), and no subject row is read; a LIMIT tells the planner to expect
 * few. Counting each level's entries to choose a driving index is not needed either.
 */
function matchingIds(db: Executor, tenantId: string, holdings: readonly Holding[], upTo: number) {
  const [first, ...rest] = holdings;
  let q = db.selectFrom(entries(db, tenantId, first as Holding).as('m0')).select('m0.subject_id');
  rest.forEach((h, i) => {
    const alias = `m${i + 1}` as 'm0';
    q = q.innerJoin(entries(db, tenantId, h).as(alias), `${alias}.subject_id`, 'm0.subject_id');
  });
  return q.limit(upTo);
}

/**
 * PostgreSQL: the page among the subjects matchingIds finds, each read by its key and checked against
 * every holding again; undefined when `upTo` ids or more match (too many to read by key: the caller
 * reads the page another way). The ids and the subjects are read in one REPEATABLE READ READ ONLY
 * transaction, so of one snapshot: as two statements each with its own, a transaction moving one
 * customer out of the cell and another in, committed between them, gave a page of neither moment (the
 * one who left checked out again, the one who came never among the ids). Not one statement: with the
 * ids an array built inside it, the planner takes `id = any(…)` for ten ids whatever their number, and a
 * sparse cell of 10,000 cost 2.8× the CPU (BENCHMARKS.md); given as a value, it plans for them all. In
 * a caller's transaction, its own isolation decides.
 */
async function byIds(
  db: Executor,
  tenantId: string,
  query: ListSubjectsQuery,
  holdings: readonly Holding[],
  upTo: number,
): Promise<Subject[] | undefined> {
  const read = async (trx: Executor): Promise<Subject[] | undefined> => {
    const ids = (await matchingIds(trx, tenantId, holdings, upTo).execute()).map((r) => r.subject_id);
    if (ids.length >= upTo) return undefined;
    if (ids.length === 0) return [];
    const rows = await subjectFilters(
      trx
        .selectFrom('subjects as s')
        .selectAll('s')
        .where('s.tenant_id', '=', tenantId)
        .where(sql<SqlBool>`${sql.ref('s.id')} = any(${ids})`),
      query,
      true,
    )
      .where((eb) => passesTheRest(eb, tenantId, holdings, 's.id', true))
      .orderBy('s.external_id', query.descending ? 'desc' : 'asc')
      .limit(query.limit)
      .execute();
    return (rows as SubjectRow[]).map(toSubject);
  };
  if (holdings.length === 0) return undefined;
  return db.isTransaction ? read(db) : db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
}

/** The index entries of a holding: subject ids of the tenant's subjects at the level, or in the book. */
function entries(db: Executor, tenantId: string, h: Holding) {
  if (h.kind === 'closed') {
    // `closed_at IS NOT NULL` as the index's own condition, so the partial index (subjects_closed_idx)
    // can serve it. On SQLite, a subquery of `subjects` joined back to `subjects` is flattened into
    // one walk of the tenant's subjects in external-id order, the very walk this avoids; a LIMIT
    // (-1: none) keeps it a subquery of its own, read from the partial index.
    const closed = db
      .selectFrom('subjects as e')
      .select('e.id as subject_id')
      .where('e.tenant_id', '=', tenantId)
      .where('e.closed_at', 'is not', null);
    return isPostgres(db) ? closed : closed.limit(-1);
  }
  if (h.kind === 'book')
    return db
      .selectFrom('subject_managers as e')
      .select('e.subject_id')
      .where('e.tenant_id', '=', tenantId)
      .where('e.staff_id', 'in', bookIds(h.staffId));
  return db
    .selectFrom('assignments as e')
    .select('e.subject_id')
    .where('e.tenant_id', '=', tenantId)
    .where((eb) => assignmentHolds(eb as unknown as AssignmentEb, 'e', h));
}

type AssignmentEb = ExpressionBuilder<Database & { e: Database['assignments'] }, 'e'>;

/**
 * The conditions on an assignment row (as `alias`) of a level, change or grace holding. The change
 * and grace conditions are written as their partial indexes' own (`previous_level <> level`,
 * `periods_below > 0`), which is how SQLite's planner knows an index holding only those rows serves.
 */
function assignmentHolds(eb: AssignmentEb, alias: string, h: Exclude<Holding, { kind: 'book' } | { kind: 'closed' }>) {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  if (h.kind === 'level') return eb.and([eb(col('scheme'), '=', h.scheme), eb(col('level'), '=', h.level)]);
  if (h.kind === 'grace') return eb.and([eb(col('scheme'), '=', h.scheme), sql<SqlBool>`${col('periods_below')} > 0`]);
  if (h.kind === 'near')
    return eb.and([
      eb(col('scheme'), '=', h.filter.scheme),
      sql<SqlBool>`${col('next_gap')} is not null`,
      eb(col('next_gap'), '<=', h.filter.within),
    ]);
  const { filter, period } = h;
  const conditions = [
    eb(col('scheme'), '=', filter.scheme),
    eb(col('period'), '=', period),
    sql<SqlBool>`${col('previous_level')} <> ${col('level')}`,
  ];
  if (filter.direction !== 'any') {
    // The previous level's rank from the scheme's definition, in the query: only the changed rows
    // the partial index holds are compared, with no JSON read.
    const ranks = Object.entries(filter.ranks);
    const before =
      ranks.length === 0
        ? sql<number>`null`
        : sql<number>`case ${col('previous_level')} ${sql.join(
            ranks.map(([key, rank]) => sql`when ${key} then ${sql.lit(rank)}`),
            sql` `,
          )} end`;
    conditions.push(sql<SqlBool>`${before} ${sql.raw(filter.direction === 'down' ? '>' : '<')} ${col('rank')}`);
  }
  return eb.and(conditions);
}

/** How many subjects of the tenant pass a holding, counting at most `upTo` index entries. */
async function holders(db: Executor, tenantId: string, h: Holding, upTo: number | undefined): Promise<number> {
  const some = upTo === undefined ? entries(db, tenantId, h) : entries(db, tenantId, h).limit(upTo);
  const row = await db
    .selectFrom(some.as('e'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The subject-side filters of a query: kind, closed or not, id prefix and the cursor. */
function subjectFilters<Q extends SelectQueryBuilder<Database & { s: Database['subjects'] }, 's', object>>(
  q: Q,
  query: ListSubjectsQuery,
  postgres: boolean,
): Q {
  let out = q;
  if (query.kind) out = out.where('s.kind', '=', query.kind) as Q;
  const closed = query.closed ?? 'exclude';
  if (closed !== 'include') out = out.where('s.closed_at', closed === 'only' ? 'is not' : 'is', null) as Q;
  const prefix = query.externalIdPrefix;
  if (prefix) {
    // substr, not LIKE: LIKE ignores case on SQLite and reads `%` and `_` in the prefix as wildcards.
    out = out.where(sql<string>`substr(${sql.ref('s.external_id')}, 1, ${prefix.length})`, '=', prefix) as Q;
    // The ids a prefix starts lie between it and the prefix with its last character one higher, in
    // SQLite's byte order: the walk starts and stops there instead of reading every id before and
    // after them (a third of a second over a million customers). PostgreSQL orders text by the
    // database's collation, where that need not hold; it keeps the check alone.
    const last = prefix.charCodeAt(prefix.length - 1);
    if (!postgres && /^[\x20-\x7e]+$/.test(prefix) && last < 0x7e) {
      out = out
        .where('s.external_id', '>=', prefix)
        .where('s.external_id', '<', `${prefix.slice(0, -1)}${String.fromCharCode(last + 1)}`) as Q;
    }
  }
  if (query.nameContains) out = out.where(nameHolds(query.nameContains)) as Q;
  const part = query.externalIdContains;
  // instr / strpos, not LIKE: exact and case-sensitive on both dialects, `%` and `_` only themselves.
  if (part)
    out = out.where(
      postgres
        ? sql<SqlBool>`strpos(${sql.ref('s.external_id')}, ${part}) > 0`
        : sql<SqlBool>`instr(${sql.ref('s.external_id')}, ${part}) > 0`,
    ) as Q;
  if (query.afterExternalId !== undefined) out = out.where('s.external_id', query.descending ? '<' : '>', query.afterExternalId) as Q;
  return out;
}

/**
 * `display_name` holds `text`. LIKE with its wildcards escaped, so `%` and `_` in a name are searched
 * for as they are; both sides lower-cased, since SQLite's LIKE ignores the case of A–Z and
 * PostgreSQL's does not (each dialect's lower() on both sides, so a name always finds itself).
 */
function nameHolds(text: string) {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${sql.ref('s.display_name')}) like lower(${pattern}) escape '\\'`;
}

/**
 * The assignments a level holding is checked in, as `alias`. On SQLite, by the level index
 * (tenant, scheme, level, subject id), which holds every column the check reads: left to itself the
 * planner takes the unique (subject, scheme) key, and each check then reads the assignment's whole row
 * (its stored explanation and progress) to see its level — for a cell whose matches are few, once per
 * entry of the driving level, a third of a million rows at 1,000,000 customers. PostgreSQL has no
 * such hint and plans the check from its statistics.
 */
function levelProbe(eb: Eb, alias: string, postgres: boolean) {
  if (postgres) return eb.selectFrom(`assignments as ${alias}` as 'assignments as h');
  return eb.selectFrom(sql`assignments`.as<'h'>(sql.raw(`"${alias}" indexed by assignments_tenant_scheme_level_idx`)));
}

/** Passes every holding but the one at `skip`, checked against `subjectId` (an index seek each). */
function passesTheRest(
  eb: Eb,
  tenantId: string,
  holdings: readonly Holding[],
  subjectId: 's.id' | 'd.subject_id',
  postgres: boolean,
  skip?: number,
) {
  return eb.and(
    holdings.flatMap((h, i) => {
      // Closed or not is a column of the subject row, checked there (subjectFilters).
      if (i === skip || h.kind === 'closed') return [];
      const alias = `h${i}` as 'h';
      const match =
        h.kind !== 'book'
          ? (h.kind === 'level' ? levelProbe(eb, alias, postgres) : eb.selectFrom(`assignments as ${alias}`))
              .select(sql.lit(1).as('one'))
              .whereRef(`${alias}.subject_id`, '=', subjectId as 's.id')
              .where(`${alias}.tenant_id`, '=', tenantId)
              .where((a) => assignmentHolds(a as unknown as AssignmentEb, alias, h))
          : eb
              .selectFrom(`subject_managers as ${alias}`)
              .select(sql.lit(1).as('one'))
              .whereRef(`${alias}.subject_id`, '=', subjectId as 's.id')
              .where(`${alias}.tenant_id`, '=', tenantId)
              .where(`${alias}.staff_id`, 'in', bookIds(h.staffId));
      return [eb.exists(match)];
    }),
  );
}

/** The page by walking the subjects in external-id order; with `window`, at most that many of them. */
async function inOrder(
  db: Executor,
  tenantId: string,
  query: ListSubjectsQuery,
  holdings: readonly Holding[],
  window: number | undefined,
): Promise<Subject[]> {
  const dir = query.descending ? 'desc' : 'asc';
  const walk = subjectFilters(db.selectFrom('subjects as s').selectAll('s').where('s.tenant_id', '=', tenantId), query, isPostgres(db));
  const rows =
    window === undefined
      ? await walk
          .where((eb) => passesTheRest(eb, tenantId, holdings, 's.id', isPostgres(db)))
          .orderBy('s.external_id', dir)
          .limit(query.limit)
          .execute()
      : await db
          .selectFrom(walk.orderBy('s.external_id', dir).limit(window).as('s'))
          .selectAll('s')
          .where((eb) => passesTheRest(eb as unknown as Eb, tenantId, holdings, 's.id', isPostgres(db)))
          .orderBy('s.external_id', dir)
          .limit(query.limit)
          .execute();
  return (rows as SubjectRow[]).map(toSubject);
}

/** The page from the index of holding `driver`: the others checked per entry, subject rows read for matches only. */
async function fromIndex(
  db: Executor,
  tenantId: string,
  query: ListSubjectsQuery,
  holdings: readonly Holding[],
  driver: number,
): Promise<Subject[]> {
  const postgres = isPostgres(db);
  const matches = subjectFilters(
    db
      .selectFrom(entries(db, tenantId, holdings[driver] as Holding).as('d'))
      .innerJoin('subjects as s', 's.id', 'd.subject_id')
      .selectAll('s')
      .where('s.tenant_id', '=', tenantId),
    query,
    postgres,
  ).where((eb) => passesTheRest(eb as unknown as Eb, tenantId, holdings, 'd.subject_id', postgres, driver));
  const dir = query.descending ? 'desc' : 'asc';
  // PostgreSQL guesses the levels of a cell independent, so it expects thousands of subjects in an
  // empty one and prefers walking every subject in external-id order until the page fills — the walk
  // this way exists to avoid (a million customers: seconds, against the request's 10 s timeout).
  // OFFSET 0 keeps the matches a subquery it will not merge into the ordered walk: they are found
  // from the driver's index first, then sorted. SQLite already plans it that way.
  const rows = postgres
    ? await db.selectFrom(matches.offset(0).as('s')).selectAll('s').orderBy('s.external_id', dir).limit(query.limit).execute()
    : await matches.orderBy('s.external_id', dir).limit(query.limit).execute();
  return (rows as SubjectRow[]).map(toSubject);
}

/**
 * The periods left a grace list by months left sorts a customer by when none are stored: in grace, but
 * the level held by an override (no line to keep, so no retention). Sorting must not change who is on
 * the grace list, so they come last instead of being left out.
 */
export const GRACE_LEFT_UNKNOWN = 2147483647;

/**
 * The figure of a {@link FigureOrder}, and the condition of the rows that have it (as its partial
 * index's). The grace figure is written exactly as assignments_grace_left_idx's expression (a literal,
 * not a parameter), so that SQLite's planner reads the order from that index.
 */
function figureOf(alias: string, by: FigureOrder['by']) {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  return by === 'gap'
    ? { value: col('next_gap'), has: sql<SqlBool>`${col('next_gap')} is not null` }
    : { value: sql`coalesce(${col('grace_left')}, ${sql.lit(GRACE_LEFT_UNKNOWN)})`, has: sql<SqlBool>`${col('periods_below')} > 0` };
}

/**
 * Subjects of a tenant passing the query's filters, in the order of a stored figure of `order.scheme`
 * (then internal id), with their figures. Within a book, the book's customers are read from its index
 * and each one's figure from its assignment row (by key; the grace rows from assignments_grace_idx),
 * then sorted — a book is thousands. Without a book, the grace list by periods left reads its own
 * index in order (assignments_grace_left_idx) and stops after `limit` matches; by gap, the scheme's
 * rows are scanned and sorted: `next_gap` has no index, since a monthly re-tier rewrites it for most
 * rows (migration 2026-12-16T00-00-40-near-next; the scan's cost is in packages/api/README.md,
 * "Subject lists").
 */
export async function listSubjectsByFigure(
  db: Executor,
  tenantId: string,
  query: ListSubjectsQuery,
  order: FigureOrder,
): Promise<SubjectByFigure[]> {
  const postgres = isPostgres(db);
  const holdings: Holding[] = query.levels.map((c) => ({ kind: 'level', scheme: c.scheme, level: c.level }));
  if (query.closed === 'only') holdings.push({ kind: 'closed' });
  // The figure's own rows are its driver: grace is implied by graceLeft, near by its bound on the gap.
  if (query.graceIn !== undefined && !(order.by === 'graceLeft' && query.graceIn === order.scheme))
    holdings.push({ kind: 'grace', scheme: query.graceIn });
  const near = query.nearNext !== undefined && order.by === 'gap' && query.nearNext.scheme === order.scheme ? query.nearNext : undefined;
  if (query.nearNext !== undefined && near === undefined) holdings.push({ kind: 'near', filter: query.nearNext });
  if (query.change !== undefined) {
    const period = await latestRetierPeriod(db, tenantId, query.change.scheme);
    if (period === undefined) return [];
    holdings.push({ kind: 'changed', filter: query.change, period });
  }
  const fig = figureOf('d', order.by);
  const book = query.managedBy;
  let rows = (book === undefined
    ? db.selectFrom('assignments as d').innerJoin('subjects as s', 's.id', 'd.subject_id')
    : // The book first: CROSS JOIN keeps SQLite from turning the query round into a walk of a
      // tenant-wide index of the scheme (PostgreSQL plans by its statistics).
      db
        .selectFrom('subject_managers as m')
        .crossJoin('assignments as d')
        .innerJoin('subjects as s', 's.id', 'd.subject_id')
        .whereRef('d.subject_id', '=', 'm.subject_id')
        .where('m.tenant_id', '=', tenantId)
        .where('m.staff_id', 'in', bookIds(book))
  )
    .selectAll('s')
    .select(fig.value.as('figure'))
    .where('d.tenant_id', '=', tenantId)
    .where('d.scheme', '=', order.scheme)
    .where(fig.has)
    .where('s.tenant_id', '=', tenantId) as unknown as SelectQueryBuilder<
    Database & { s: Database['subjects'] },
    's',
    SubjectRow & { figure: number | string }
  >;
  if (near !== undefined) rows = rows.where(sql.ref('d.next_gap'), '<=', near.within);
  if (order.after !== undefined)
    rows = rows.where(sql<SqlBool>`(${fig.value}, ${sql.ref('d.subject_id')}) > (${order.after.value}, ${order.after.subjectId})`);
  rows = subjectFilters(rows, { ...query, afterExternalId: undefined } as ListSubjectsQuery, postgres).where((eb) =>
    passesTheRest(eb as unknown as Eb, tenantId, holdings, 'd.subject_id' as 's.id', postgres),
  );
  const found = await rows
    .orderBy(fig.value)
    .orderBy('d.subject_id' as 's.id')
    .limit(query.limit)
    .execute();
  return found.map((r) => {
    const { figure, ...subject } = r;
    return { subject: toSubject(subject as SubjectRow), value: Number(figure) };
  });
}
