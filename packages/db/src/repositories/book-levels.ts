import { sql } from 'kysely';
import type { Executor } from './executor.js';
import { bookIds, type Books } from './staff.js';

/** One book's customers at one level of a scheme now: `book` null for customers in no book. */
export interface BookLevelCount {
  readonly book: string | null;
  readonly level: string;
  readonly count: number;
}

/** One book's customers moved between two levels of a scheme in a window: `from` null for a first level. */
export interface BookMoveCount {
  readonly book: string | null;
  readonly from: string | null;
  readonly to: string;
  readonly count: number;
}

/**
 * Per book, how many open customers hold each level of `scheme` now, and how many of them the window's
 * tier events (`at` in `[from, to)`) moved between which levels, each customer once: from the level
 * before their first change of the window to the one after their last (none when those are the same);
 * a first level given (`from` null) counts the customers given one, apart. A move counts in the book the customer is in
 * now: a lead reads what their team's customers did, not which RM held them then. `books` undefined:
 * every book, and the customers in none.
 */
export async function countBookLevels(
  db: Executor,
  tenantId: string,
  scheme: string,
  books: Books | undefined,
  window: { readonly from: string; readonly to: string },
): Promise<{ levels: BookLevelCount[]; moves: BookMoveCount[] }> {
  const inBooks = books === undefined ? sql`` : sql`AND m.staff_id IN (${sql.join(bookIds(books))})`;
  const join = books === undefined ? sql`LEFT JOIN` : sql`JOIN`;
  const levels = await sql<{ book: string | null; level: string; count: number | string }>`
    SELECT m.staff_id AS book, a.level AS level, count(*) AS count
    FROM assignments a
    JOIN subjects s ON s.id = a.subject_id AND s.tenant_id = a.tenant_id
    ${join} subject_managers m ON m.tenant_id = a.tenant_id AND m.subject_id = a.subject_id
    WHERE a.tenant_id = ${tenantId} AND a.scheme = ${scheme} AND s.closed_at IS NULL ${inBooks}
    GROUP BY m.staff_id, a.level`.execute(db);
  // A lead's few books are read from the book index, then each customer's events by subject and time
  // (tier_events_subject_at_idx): the month's events of the whole tenant would be read otherwise, a
  // re-tier month's hundreds of thousands for a team's few thousand customers. `CROSS JOIN` keeps that
  // order on SQLite (its planner joins in the order written); PostgreSQL plans from its statistics.
  // A customer moves once, by where the month took them: the level before their first change to the one
  // after their last (a first level given counts as entered, apart). Counted per event, a drop an override then held (gold → standard by the rule,
  // standard → gold by the override) was one move down and one up for a customer who never left gold,
  // and the counts disagreed with every list of the book (tests/api/book-levels-agree.test.ts).
  const moves = await sql<{ book: string | null; from_level: string | null; to_level: string; count: number | string }>`
    WITH month_events AS (
      SELECT m.staff_id AS book, e.subject_id AS subject_id, e.from_level AS from_level, e.to_level AS to_level, e.at AS at, e.id AS id
      FROM ${
        books === undefined
          ? sql`tier_events e LEFT JOIN subject_managers m ON m.tenant_id = e.tenant_id AND m.subject_id = e.subject_id`
          : sql`subject_managers m CROSS JOIN tier_events e`
      }
      JOIN subjects s ON s.id = e.subject_id AND s.tenant_id = e.tenant_id
      WHERE e.tenant_id = ${tenantId} AND e.scheme = ${scheme} AND e.at >= ${window.from} AND e.at < ${window.to}
        AND s.closed_at IS NULL ${
          books === undefined
            ? sql``
            : sql`AND m.tenant_id = ${tenantId} AND e.subject_id = m.subject_id AND m.staff_id IN (${sql.join(bookIds(books))})`
        }
    ),
    changes AS (
      SELECT book, subject_id, from_level, to_level,
        row_number() OVER (PARTITION BY subject_id ORDER BY at, id) AS first_n,
        row_number() OVER (PARTITION BY subject_id ORDER BY at DESC, id DESC) AS last_n
      FROM month_events WHERE from_level IS NOT NULL
    ),
    net AS (
      SELECT max(book) AS book,
        max(CASE WHEN first_n = 1 THEN from_level END) AS from_level,
        max(CASE WHEN last_n = 1 THEN to_level END) AS to_level
      FROM changes
      WHERE first_n = 1 OR last_n = 1
      GROUP BY subject_id
    )
    SELECT book, from_level, to_level, count(*) AS count FROM net WHERE from_level <> to_level
    GROUP BY book, from_level, to_level
    UNION ALL
    SELECT book, NULL AS from_level, to_level, count(DISTINCT subject_id) AS count FROM month_events WHERE from_level IS NULL
    GROUP BY book, to_level`.execute(db);
  return {
    levels: levels.rows.map((r) => ({ book: r.book, level: r.level, count: Number(r.count) })),
    moves: moves.rows.map((r) => ({ book: r.book, from: r.from_level, to: r.to_level, count: Number(r.count) })),
  };
}
