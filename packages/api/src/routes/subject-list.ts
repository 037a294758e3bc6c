import { createRoute, z } from '@hono/zod-openapi';
import { assignmentDrop, schemeMetrics, SUBJECT_KINDS, type EventReason } from '@tierkit/core';
import {
  assignmentsOfPage,
  CLOSED_FILTERS,
  currentLevelKey,
  LEVEL_CHANGES,
  latestEventReasons,
  listSubjects,
  managersOf,
  listSubjectsByFigure,
  type FigureOrder,
  type LevelChangeFilter,
  type LevelCondition,
  type NearNextFilter,
} from '@tierkit/db';
import { auditDetail } from '../middleware/audit.js';
import { audienceOf, requireReadable } from '../services/audience.js';
import { recordRestrictedRead } from '../services/restricted-reads.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { packOf } from '../deps.js';
import { may, PERMISSIONS } from '../auth/permissions.js';
import { invalid, ProblemError, type FieldError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { SubjectListResponseSchema } from '../schemas/entitlements.js';
import { CursorQuery, LimitQuery, ManagerQuery } from '../schemas/params.js';
import { bookOf } from '../services/books.js';
import { knownEmptyCell } from '../services/matrix-cells.js';
import type { TenantPack } from '../services/tenant-pack.js';
import { subjectRef } from '../services/views.js';
import type { Subject } from '@tierkit/db';

const q = (name: string, description: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ param: { name, in: 'query' }, description });

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['subjects'],
  summary:
    'List subjects, optionally those at a level of a scheme, in one cell of a matrix scheme, in one staff member’s book, moved at the latest re-tier or in a grace period',
  request: {
    query: z.object({
      scheme: q('scheme', 'Scheme key; with `level`, or with `row` and `col` for a matrix scheme'),
      level: q('level', 'Level key in `scheme`'),
      row: q('row', 'Matrix schemes: level of the row scheme'),
      col: q('col', 'Matrix schemes: level of the column scheme'),
      kind: z
        .enum(SUBJECT_KINDS)
        .optional()
        .openapi({ param: { name: 'kind', in: 'query' } }),
      manager: ManagerQuery,
      q: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .openapi({ param: { name: 'q', in: 'query' }, description: 'Only subjects whose id starts with this text (case-sensitive)' }),
      idContains: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .openapi({
          param: { name: 'idContains', in: 'query' },
          description:
            'Only subjects whose id holds this text anywhere (case-sensitive; `%` and `_` are themselves) — a phone-tail-like search of an id. No index serves it, so it needs a book: a book-scoped credential, or `manager` (400 otherwise)',
        }),
      name: z
        .string()
        .trim()
        .min(1)
        .max(64)
        .optional()
        .openapi({
          param: { name: 'name', in: 'query' },
          description:
            'Only subjects whose display name holds this text (`%` and `_` are themselves; Latin letters in either case). Tests names in full, so it needs the unmask-names permission (403) and is audited as an unmasked read; the names answered stay masked unless `unmask=true`.',
        }),
      change: z
        .enum(LEVEL_CHANGES)
        .optional()
        .openapi({
          param: { name: 'change', in: 'query' },
          description:
            'With `scheme`: only subjects whose level in it changed at its latest re-tier (the latest month any of its customers was evaluated for) — `down` or `up` by the levels’ ranks, `any` either',
        }),
      grace: z
        .enum(['true'])
        .optional()
        .openapi({
          param: { name: 'grace', in: 'query' },
          description:
            'With `scheme`: only subjects below their level’s line in it now, in a grace period (`standing.retention` says how many are left)',
        }),
      nearNext: z
        .string()
        .regex(/^\d{1,15}$/)
        .optional()
        .openapi({
          param: { name: 'nearNext', in: 'query' },
          description:
            'With `scheme` and `currency`: only subjects within this amount, in minor units of `currency` (¥50,000 = `5000000`), of the next level in it — the smallest money gap of the ways there (`standing.progress`). Subjects at the top level or with no money way up are on no such list.',
          example: '5000000',
        }),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/)
        .optional()
        .openapi({
          param: { name: 'currency', in: 'query' },
          description: 'ISO 4217 code of `nearNext`’s amount: must be the currency the scheme’s money metrics are kept in (400 otherwise)',
          example: 'CNY',
        }),
      sort: z
        .enum(['gap', 'monthsLeft'])
        .optional()
        .openapi({
          param: { name: 'sort', in: 'query' },
          description:
            'With `scheme`: `gap` lists subjects with a money gap to the next level in it, nearest first; `monthsLeft` (with `grace=true`) those in a grace period, fewest periods left first (one an override holds has none and comes last: the same subjects as `grace=true` alone). Ties in an order of their own; a cursor keeps the sort it was issued for. Without it: external-id order.',
        }),
      levelOf: q(
        'levelOf',
        'A scheme key: each subject of the page carries `level`, its current level in that scheme (null: none), and `standing`, where it stands there (previous level, grace periods, gaps), read for the whole page at once',
      ),
      closed: z
        .enum(CLOSED_FILTERS)
        .default('exclude')
        .openapi({
          param: { name: 'closed', in: 'query' },
          description:
            'Customers who left the bank (`POST /v1/subjects/{id}/close`): left out by default, `include` lists them too, `only` lists only them',
        }),
      order: z
        .enum(['asc', 'desc'])
        .default('asc')
        .openapi({ param: { name: 'order', in: 'query' }, description: 'External-id order; a cursor keeps the order it was issued in' }),
      limit: LimitQuery,
      cursor: CursorQuery,
    }),
  },
  responses: {
    200: {
      description: 'One page of subjects in external-id order, or in the order `sort` asks for',
      content: { 'application/json': { schema: SubjectListResponseSchema } },
    },
    ...problemResponses(400),
  },
});

/** The cursor's kind names the order, so a cursor of one order cannot be replayed in the other. */
const cursorKind = (order: 'asc' | 'desc') => (order === 'asc' ? 'subjects' : 'subjects-desc');

/** Turn the query into level conditions, checking every key against the pack. */
function conditions(
  tp: TenantPack,
  query: {
    scheme?: string | undefined;
    level?: string | undefined;
    row?: string | undefined;
    col?: string | undefined;
    change?: string | undefined;
    grace?: string | undefined;
    nearNext?: string | undefined;
    sort?: string | undefined;
  },
): LevelCondition[] {
  const errors: FieldError[] = [];
  const out: LevelCondition[] = [];
  const hasLevel = (scheme: string, level: string) => tp.schemes.get(scheme)?.levels.some((l) => l.key === level) ?? false;
  if (!query.scheme) {
    for (const k of ['level', 'row', 'col', 'change', 'grace', 'nearNext', 'sort'] as const)
      if (query[k]) errors.push({ path: `query.${k}`, message: 'needs `scheme`', code: 'requires', params: { field: 'query.scheme' } });
  } else {
    const def = tp.schemes.get(query.scheme);
    if (!def)
      errors.push({
        path: 'query.scheme',
        message: `unknown scheme "${query.scheme}"`,
        code: 'unknown_scheme',
        params: { scheme: query.scheme },
      });
    else {
      if (query.level) {
        if (hasLevel(def.key, query.level)) out.push({ scheme: def.key, level: query.level });
        else
          errors.push({
            path: 'query.level',
            message: `"${query.level}" is not a level of ${def.key}`,
            code: 'unknown_level',
            params: { level: query.level, scheme: def.key },
          });
      }
      if (query.row || query.col) {
        if (!def.matrix)
          errors.push({
            path: query.row ? 'query.row' : 'query.col',
            message: `${def.key} is not a matrix scheme`,
            code: 'not_matrix',
            params: { scheme: def.key },
          });
        else {
          for (const [k, scheme] of [
            ['row', def.matrix.rowScheme],
            ['col', def.matrix.colScheme],
          ] as const) {
            const level = query[k];
            if (!level) continue;
            if (hasLevel(scheme, level)) out.push({ scheme, level });
            else
              errors.push({
                path: `query.${k}`,
                message: `"${level}" is not a level of ${scheme}`,
                code: 'unknown_level',
                params: { level, scheme },
              });
          }
        }
      }
    }
  }
  if (errors.length) throw invalid(errors);
  return out;
}

/**
 * The bound of a 潜力客户 list, checked against the scheme: an amount compares with its gaps only in
 * the one currency its money metrics are kept in (assignments store the gap in that currency's minor units).
 */
function nearNextOf(tp: TenantPack, scheme: string, query: { nearNext?: string | undefined; currency?: string | undefined }) {
  if (query.nearNext === undefined) {
    if (query.currency !== undefined)
      throw invalid([{ path: 'query.currency', message: 'needs `nearNext`', code: 'requires', params: { field: 'query.nearNext' } }]);
    return undefined;
  }
  const def = tp.schemes.get(scheme);
  const currencies = new Set<string>();
  if (def)
    for (const key of schemeMetrics(def)) {
      const m = tp.metrics.get(key);
      if (m?.unit === 'money' && m.currency !== undefined) currencies.add(m.currency);
    }
  if (currencies.size !== 1)
    throw invalid([
      {
        path: 'query.nearNext',
        message:
          currencies.size === 0
            ? `the levels of ${scheme} read no money, so no amount measures how near the next one is`
            : `${scheme} reads money in ${[...currencies].join(', ')}: no one amount measures how near the next level is`,
        code: 'no_money_gap',
        params: { scheme },
      },
    ]);
  const [currency = ''] = currencies;
  if (query.currency === undefined)
    throw invalid([
      { path: 'query.currency', message: `the currency of the amount: ${currency}`, code: 'requires', params: { field: 'query.currency' } },
    ]);
  if (query.currency !== currency)
    throw invalid([
      {
        path: 'query.currency',
        message: `${scheme}'s gaps are in ${currency}, not ${query.currency}`,
        code: 'currency_mismatch',
        params: { currency: query.currency, expected: currency },
      },
    ]);
  const within = Number(query.nearNext);
  return { scheme, within } satisfies NearNextFilter;
}

/** A cursor's kind for a sorted list names the sort and scheme: a cursor of one order cannot page another. */
const figureCursorKind = (order: Pick<FigureOrder, 'by' | 'scheme'>) => `subjects-by-${order.by}:${order.scheme}`;

/**
 * `GET /v1/subjects`: the subjects behind a matrix cell or a level, of a book, or whose id starts
 * with a text; cursor-paginated. A book-scoped credential lists its own book whatever it asks.
 */
export function subjectList() {
  return router().openapi(listRoute, async (c) => {
    const deps = c.var.deps;
    const query = c.req.valid('query');
    // A search by name tells a reader whether a name they guessed is a customer's, as much as an
    // unmasked read would: the same permission, and the same audit record (below).
    if (query.name !== undefined && !may(deps.principal, 'unmask-names'))
      throw new ProblemError(
        'forbidden',
        `A search by name needs the unmask-names permission: an API key or staff credential with the ${PERMISSIONS['unmask-names'].role} role or higher.`,
      );
    const pack = await packOf(deps);
    // A list filtered, sorted or labelled by a scheme the caller may not read is refused, never answered
    // empty: who is missing from it would tell (docs/domain.md §4, "Who reads a grade").
    if (query.scheme !== undefined) requireReadable(deps.principal, pack, query.scheme, 'query.scheme');
    if (query.levelOf !== undefined) requireReadable(deps.principal, pack, query.levelOf, 'query.levelOf');
    const levels = conditions(pack, query);
    for (const l of levels) requireReadable(deps.principal, pack, l.scheme, 'query.scheme');
    const scheme = query.scheme === undefined ? undefined : pack.schemes.get(query.scheme);
    if (query.currency !== undefined && query.nearNext === undefined) nearNextOf(pack, '', query);
    const nearNext = scheme === undefined ? undefined : nearNextOf(pack, scheme.key, query);
    if (query.sort === 'monthsLeft' && !query.grace)
      throw invalid([
        {
          path: 'query.sort',
          message: '`monthsLeft` sorts the grace list: needs `grace=true`',
          code: 'requires',
          params: { field: 'query.grace' },
        },
      ]);
    const order: Omit<FigureOrder, 'after'> | undefined =
      query.sort === undefined || scheme === undefined ? undefined : { scheme: scheme.key, by: query.sort === 'gap' ? 'gap' : 'graceLeft' };
    const change: LevelChangeFilter | undefined =
      query.change === undefined || scheme === undefined
        ? undefined
        : { scheme: scheme.key, direction: query.change, ranks: Object.fromEntries(scheme.levels.map((l) => [l.key, l.rank])) };
    if (query.levelOf !== undefined && !pack.schemes.has(query.levelOf))
      throw invalid([
        {
          path: 'query.levelOf',
          message: `unknown scheme "${query.levelOf}"`,
          code: 'unknown_scheme',
          params: { scheme: query.levelOf },
        },
      ]);
    const book = await bookOf(deps, query.manager);
    // Tested on each id the list reads: bounded by a book (thousands), never a walk of the tenant.
    if (query.idContains !== undefined && book === undefined)
      throw invalid([
        {
          path: 'query.idContains',
          message: 'needs a book: `manager`, or a book-scoped credential',
          code: 'requires',
          params: { field: 'query.manager' },
        },
      ]);
    const filters = {
      levels,
      limit: query.limit + 1,
      ...(query.kind ? { kind: query.kind } : {}),
      ...(book !== undefined ? { managedBy: book } : {}),
      ...(query.q !== undefined ? { externalIdPrefix: query.q } : {}),
      ...(query.name !== undefined ? { nameContains: query.name } : {}),
      ...(query.idContains !== undefined ? { externalIdContains: query.idContains } : {}),
      descending: query.order === 'desc',
      closed: query.closed,
      ...(change ? { change } : {}),
      ...(query.grace && scheme ? { graceIn: scheme.key } : {}),
      ...(nearNext ? { nearNext } : {}),
    };
    let rows: Subject[];
    let nextCursor: string | null = null;
    const matrixOf = query.scheme === undefined ? undefined : pack.schemes.get(query.scheme)?.matrix;
    // A first page only: a cursor is checked as the read below checks it (a forged or foreign one is a
    // 400), and an empty cell never issued one.
    const cell =
      matrixOf !== undefined &&
      query.scheme !== undefined &&
      query.row !== undefined &&
      query.col !== undefined &&
      query.cursor === undefined
        ? { scheme: query.scheme, def: matrixOf, row: query.row, col: query.col, kind: query.kind, book, closed: query.closed }
        : undefined;
    // A cell the matrix just counted 0 in, with nothing written since: its list is empty without
    // reading an axis level's whole index to find that out again (services/matrix-cells.ts).
    if (cell !== undefined && (await knownEmptyCell(deps, cell))) rows = [];
    else if (order === undefined) {
      const after = query.cursor === undefined ? undefined : decodeCursor(cursorKind(query.order), query.cursor, ['after'] as const).after;
      // A tenant-wide 潜力客户 list in id order walks subjects until it has found a page within the bound:
      // the whole tenant when few are. Off the server's thread where it has one, as above.
      const scan = book === undefined && nearNext !== undefined ? (deps.heavyReads ?? deps.db) : deps.db;
      rows = await listSubjects(scan, deps.tenantId, { ...filters, ...(after !== undefined ? { afterExternalId: after } : {}) });
      const last = rows[query.limit - 1];
      if (rows.length > query.limit && last) nextCursor = encodeCursor(cursorKind(query.order), { after: last.externalId });
    } else {
      const at = query.cursor === undefined ? undefined : decodeCursor(figureCursorKind(order), query.cursor, ['value', 'id'] as const);
      // A figure that is no whole number was never issued: the same 400 as any cursor not ours (decoding nothing throws it).
      if (at !== undefined && !/^-?\d{1,16}$/.test(at.value)) decodeCursor(figureCursorKind(order), '', []);
      // Tenant-wide by gap, no index holds the order: the scheme's every row is read and sorted (26.9 s
      // at 1,000,000 customers, BENCHMARKS.md). Off the server's thread where it has one; a book's list,
      // or the grace list (its own index), stays on the fast path.
      const scan = book === undefined && (order.by === 'gap' || nearNext !== undefined) ? (deps.heavyReads ?? deps.db) : deps.db;
      const found = await listSubjectsByFigure(scan, deps.tenantId, filters, {
        ...order,
        ...(at !== undefined ? { after: { value: Number(at.value), subjectId: at.id } } : {}),
      });
      rows = found.map((r) => r.subject);
      const last = found[query.limit - 1];
      if (found.length > query.limit && last)
        nextCursor = encodeCursor(figureCursorKind(order), { value: String(last.value), id: last.subject.id });
    }
    const page = rows.slice(0, query.limit);
    const levelOf = query.levelOf;
    const levelScheme = levelOf === undefined ? undefined : pack.schemes.get(levelOf);
    const shown =
      levelOf === undefined
        ? undefined
        : await assignmentsOfPage(
            deps.db,
            deps.tenantId,
            levelOf,
            page.map((s) => s.id),
          );
    // What lowered each listed level, for those shown lowered only: a rules drop has a reason to tell,
    // a policy change or an override's expiry has none (core assignmentDrop).
    const latest =
      shown === undefined || levelScheme === undefined
        ? new Map<string, EventReason>()
        : await latestEventReasons(
            deps.db,
            deps.tenantId,
            [...shown.values()].filter((a) => a.previousLevel !== null && a.previousLevel !== a.level).map((a) => a.subjectId),
            [levelScheme.key],
          );
    // Whose book each listed customer is in, for staff whose list spans books (a lead's team, tenant-wide
    // staff): a book is staff's own classification, never a customer credential's to read.
    const managers =
      deps.principal.subject === null
        ? await managersOf(
            deps.db,
            deps.tenantId,
            page.map((s) => s.id),
          )
        : undefined;
    const body = {
      items: page.map((s) => {
        const ref = managers
          ? { ...subjectRef(s, deps.unmaskNames), manager: managers.get(s.id) ?? null }
          : subjectRef(s, deps.unmaskNames);
        if (!shown) return ref;
        const a = shown.get(s.id);
        // The downgrade list's why: the sentence the customer was told, not the rule now deciding.
        const because =
          a && levelScheme
            ? assignmentDrop(levelScheme, a, latest.get(currentLevelKey(a.subjectId, levelScheme.key)), pack.pack.metrics)
            : undefined;
        return {
          ...ref,
          level: a?.level ?? null,
          standing: a
            ? {
                previousLevel: a.previousLevel,
                period: a.period,
                periodsBelow: a.periodsBelow,
                decidedBy: a.explanation.decidedBy,
                progress: a.progress,
                retention: a.retention,
                ...(because ? { because } : {}),
              }
            : null,
        };
      }),
      nextCursor,
    };
    // Whose names a page revealed (or a search confirmed): the record of an unmasked read is what an
    // examiner asks "who saw which customers" of, and the route alone names none (an auditor found
    // `target: {}` on 300 names read in three pages). A page is at most 100 subjects: the ids, in order.
    // Each customer's level in a restricted scheme this page shows: by `levelOf`, or by the filter the page meets.
    const read = new Set([
      ...(levelOf !== undefined ? [levelOf] : []),
      ...levels.map((l) => l.scheme),
      ...(change || query.grace ? [scheme?.key ?? ''] : []),
    ]);
    recordRestrictedRead(c, audienceOf(deps.principal, pack), page, read);
    if (deps.unmaskNames || query.name !== undefined) auditDetail(c, { subjects: page.map((s) => s.externalId), count: page.length });
    // The audit trail records the search as it records an unmasked read, with the name tested, since
    // the route and status alone cannot say whose name was confirmed; the page above keeps the masking
    // the reader asked for.
    if (query.name !== undefined) {
      auditDetail(c, { name: query.name });
      c.set('deps', { ...deps, unmaskNames: true });
    }
    return c.json(body, 200);
  });
}
