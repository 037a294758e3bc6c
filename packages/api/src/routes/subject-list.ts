import { createRoute, z } from '@hono/zod-openapi';
import { SUBJECT_KINDS } from '@tierkit/core';
import { assignmentsOfPage, CLOSED_FILTERS, LEVEL_CHANGES, listSubjects, type LevelChangeFilter, type LevelCondition } from '@tierkit/db';
import { auditDetail } from '../middleware/audit.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { packOf } from '../deps.js';
import { may, PERMISSIONS } from '../auth/permissions.js';
import { invalid, ProblemError, type FieldError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { SubjectListResponseSchema } from '../schemas/entitlements.js';
import { CursorQuery, LimitQuery, ManagerQuery } from '../schemas/params.js';
import { bookOf } from '../services/books.js';
import type { TenantPack } from '../services/tenant-pack.js';
import { subjectRef } from '../services/views.js';

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
      description: 'One page of subjects in external-id order',
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
  },
): LevelCondition[] {
  const errors: FieldError[] = [];
  const out: LevelCondition[] = [];
  const hasLevel = (scheme: string, level: string) => tp.schemes.get(scheme)?.levels.some((l) => l.key === level) ?? false;
  if (!query.scheme) {
    for (const k of ['level', 'row', 'col', 'change', 'grace'] as const)
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
    const levels = conditions(pack, query);
    const scheme = query.scheme === undefined ? undefined : pack.schemes.get(query.scheme);
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
    const after = query.cursor === undefined ? undefined : decodeCursor(cursorKind(query.order), query.cursor, ['after'] as const).after;
    const rows = await listSubjects(deps.db, deps.tenantId, {
      levels,
      limit: query.limit + 1,
      ...(query.kind ? { kind: query.kind } : {}),
      ...(after !== undefined ? { afterExternalId: after } : {}),
      ...(book !== undefined ? { managedBy: book } : {}),
      ...(query.q !== undefined ? { externalIdPrefix: query.q } : {}),
      ...(query.name !== undefined ? { nameContains: query.name } : {}),
      ...(query.idContains !== undefined ? { externalIdContains: query.idContains } : {}),
      descending: query.order === 'desc',
      closed: query.closed,
      ...(change ? { change } : {}),
      ...(query.grace && scheme ? { graceIn: scheme.key } : {}),
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const levelOf = query.levelOf;
    const shown =
      levelOf === undefined
        ? undefined
        : await assignmentsOfPage(
            deps.db,
            deps.tenantId,
            levelOf,
            page.map((s) => s.id),
          );
    const body = {
      items: page.map((s) => {
        const ref = subjectRef(s, deps.unmaskNames);
        if (!shown) return ref;
        const a = shown.get(s.id);
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
              }
            : null,
        };
      }),
      nextCursor: rows.length > query.limit && last ? encodeCursor(cursorKind(query.order), { after: last.externalId }) : null,
    };
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
