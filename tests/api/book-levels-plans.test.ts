import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { assignManagers, countBookLevels, insertSubjects, insertTenant, upsertStaff, type Db } from '@tierkit/db';
import { CompiledQuery, type KyselyPlugin, sql } from 'kysely';
import { allDialects } from '../support/databases.js';

/*
 * A lead's per-book counts (GET /v1/books/levels) read this month's moves of their few books. Read
 * from the tenant's month of events instead, a re-tier month's every move is walked to count a team's
 * few thousand customers (repositories/book-levels.ts). The counts must equal the tenant-wide read's
 * rows for those books on both dialects; the plan is checked on SQLite, whose planner keeps the join
 * order written (PostgreSQL's follows its statistics, which a small test table does not have).
 */

const NOW = '2026-12-05T00:00:00.000Z';
const MONTH = { from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' };

async function seed(db: Db): Promise<void> {
  await insertTenant(db.db, { id: 'bank', name: 'Bank', metrics: [], now: NOW });
  for (const id of ['RM1', 'RM2', 'RM3']) await upsertStaff(db.db, 'bank', { id, name: id, role: 'officer', scope: 'book' }, NOW);
  const subjects = Array.from({ length: 30 }, (_, i) => ({
    id: `s${i}`,
    externalId: `C${String(i).padStart(3, '0')}`,
    kind: 'customer',
    displayName: '王芳',
    attributes: {},
  }));
  await insertSubjects(db.db, 'bank', subjects, NOW);
  await assignManagers(
    db.db,
    'bank',
    subjects.map((s, i) => ({ subjectId: s.id, staffId: i % 4 === 3 ? null : `RM${(i % 3) + 1}` })),
    'test',
    () => NOW,
  );
  // Each customer: a first level last month, a move up this month, every third a move down after it.
  let n = 0;
  const event = (subject: string, from: string | null, to: string, at: string) =>
    sql`INSERT INTO tier_events (id, tenant_id, subject_id, scheme, from_level, to_level, at, reason, rule_id, note, actor, approved_by, policy_version, period)
      VALUES (${`e${++n}`}, 'bank', ${subject}, 'value', ${from}, ${to}, ${at}, 'policy', NULL, NULL, 'test', NULL, 1, '2026-11')`.execute(
      db.db,
    );
  for (const [i, s] of subjects.entries()) {
    await event(s.id, null, 'standard', '2026-11-03T00:00:00.000Z');
    await event(s.id, 'standard', 'gold', '2026-12-02T00:00:00.000Z');
    if (i % 3 === 0) await event(s.id, 'gold', 'standard', '2026-12-04T00:00:00.000Z');
  }
}

for (const harness of allDialects()) {
  describe(`per-book moves read by book [${harness.dialect}]`, () => {
    after(() => harness.stopAll());

    it('a lead’s books count what the tenant-wide read counts for them, read from the book index on SQLite', async () => {
      const db = await harness.open();
      await seed(db);
      const all = await countBookLevels(db.db, 'bank', 'value', undefined, MONTH);
      const seen: CompiledQuery[] = [];
      const noting: KyselyPlugin = {
        transformQuery({ node, queryId }) {
          seen.push(db.db.getExecutor().compileQuery(node, queryId));
          return node;
        },
        transformResult: async ({ result }) => result,
      };
      const team = await countBookLevels(db.db.withPlugin(noting), 'bank', 'value', ['RM1', 'RM3'], MONTH);
      const key = (m: { book: string | null; from: string | null; to: string; count: number }) => `${m.book}:${m.from}>${m.to}=${m.count}`;
      assert.deepEqual(
        team.moves.map(key).sort(),
        all.moves
          .filter((m) => m.book === 'RM1' || m.book === 'RM3')
          .map(key)
          .sort(),
      );
      assert.ok(team.moves.length > 0, 'the team’s books moved this month');
      if (harness.dialect !== 'sqlite') return;
      const moves = seen.at(-1) as CompiledQuery;
      const plan = await db.db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`EXPLAIN QUERY PLAN ${moves.sql}`, [...moves.parameters]),
      );
      const text = plan.rows.map((r) => r.detail).join(' | ');
      assert.match(text, /subject_managers_book_idx/, text);
      assert.match(text, /tier_events_subject_at_idx/, text);
    });
  });
}
