import { createRoute, z } from '@hono/zod-openapi';
import { periodEnd, periodOf, startOfDay } from '@tierkit/core';
import { countBookLevels, findTeam, staffNamesOf } from '@tierkit/db';
import { booksRead } from '../auth/principal.js';
import { packOf } from '../deps.js';
import { invalid, ProblemError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { ManagerQuery } from '../schemas/params.js';
import { BankId } from '../schemas/staff.js';
import { BookLevelsSchema } from '../schemas/teams.js';
import { requireReadable } from '../services/audience.js';
import { bookOf } from '../services/books.js';

const levelsRoute = createRoute({
  method: 'get',
  path: '/levels',
  tags: ['staff'],
  summary: 'Per book: customers at each level of a scheme now, and moves up and down this month',
  description:
    'A team lead’s view of their RMs: one row per book they read (their own, then their team’s; a relationship manager: their own), zeros included. Tenant-wide staff get every book with customers and the customers in none (`manager: null`), or one book (`manager`) or one team’s (`team`). A move counts in the book its customer is in now; `period` is the bank’s calendar month (`timeZone`). A scheme the caller may not read is a 403 `scheme_not_readable`.',
  request: {
    query: z.object({
      scheme: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: 'scheme', in: 'query' }, example: 'value' }),
      manager: ManagerQuery,
      team: BankId.optional().openapi({ param: { name: 'team', in: 'query' }, description: 'Only the books of this team' }),
    }),
  },
  responses: {
    200: { description: 'Counts per book', content: { 'application/json': { schema: BookLevelsSchema } } },
    ...problemResponses(400, 404),
  },
});

/** `/v1/books`: figures per book, for those who oversee several. */
export function bookLevels() {
  return router().openapi(levelsRoute, async (c) => {
    const deps = c.var.deps;
    const q = c.req.valid('query');
    const tp = await packOf(deps);
    const scheme = tp.schemes.get(q.scheme);
    if (!scheme)
      throw invalid([
        { path: 'query.scheme', message: `unknown scheme "${q.scheme}"`, code: 'unknown_scheme', params: { scheme: q.scheme } },
      ]);
    requireReadable(deps.principal, tp, q.scheme, 'query.scheme');
    if (q.team !== undefined && q.manager !== undefined)
      throw invalid([
        { path: 'query.team', message: 'name a team or a manager, not both', code: 'conflicts', params: { field: 'query.manager' } },
      ]);
    let books = await bookOf(deps, q.manager);
    if (q.team !== undefined) {
      const team = await findTeam(deps.db, deps.tenantId, q.team);
      if (!team) throw new ProblemError('not-found', `No team "${q.team}" in this tenant.`);
      const reads = booksRead(deps.principal);
      if (reads !== undefined && team.books.some((b) => !reads.includes(b)))
        throw new ProblemError('forbidden', 'A book-scoped staff credential reads only its own book and those of the teams it leads.');
      books = team.books;
    }
    const period = periodOf(deps.now(), deps.timeZone);
    const [year, month] = period.split('-').map(Number);
    const from = startOfDay({ year: year ?? 0, month: month ?? 1, day: 1 }, deps.timeZone).toISOString();
    const to = periodEnd(period, deps.timeZone);
    // An empty team reads no book, never the whole tenant.
    const found =
      books !== undefined && [books].flat().length === 0
        ? { levels: [], moves: [] }
        : await countBookLevels(deps.db, deps.tenantId, q.scheme, books, { from, to });
    const rank = new Map(scheme.levels.map((l) => [l.key, l.rank]));
    const listed = books === undefined ? [...new Set([...found.levels, ...found.moves].map((r) => r.book))] : [books].flat();
    const names = await staffNamesOf(
      deps.db,
      deps.tenantId,
      listed.filter((b): b is string => b !== null),
    );
    const rows = listed.map((book) => {
      const counts = scheme.levels.map((l) => ({
        level: l.key,
        count: found.levels.find((r) => r.book === book && r.level === l.key)?.count ?? 0,
      }));
      let up = 0;
      let down = 0;
      let entered = 0;
      for (const m of found.moves) {
        if (m.book !== book) continue;
        const [a, b] = [m.from === null ? undefined : rank.get(m.from), rank.get(m.to)];
        if (m.from === null) entered += m.count;
        else if (a !== undefined && b !== undefined && b > a) up += m.count;
        else if (a !== undefined && b !== undefined && b < a) down += m.count;
      }
      return {
        manager: book,
        name: book === null ? null : (names.get(book) ?? null),
        counts,
        total: counts.reduce((n, x) => n + x.count, 0),
        up,
        down,
        entered,
      };
    });
    // Books in id order, the customers in none last.
    rows.sort((a, b) => (a.manager === null ? 1 : b.manager === null ? -1 : a.manager.localeCompare(b.manager)));
    return c.json(
      {
        scheme: q.scheme,
        period,
        timeZone: deps.timeZone,
        from,
        to,
        levels: [...scheme.levels].sort((a, b) => b.rank - a.rank).map((l) => ({ key: l.key, rank: l.rank })),
        books: rows,
      },
      200,
    );
  });
}
