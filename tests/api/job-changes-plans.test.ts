import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { jobSpan, sortableId } from '@tierkit/api';
import { assignManagers, insertSubjects, insertTenant, jobChangesPage, upsertStaff, type Db } from '@tierkit/db';
import { CompiledQuery, type KyselyPlugin, sql } from 'kysely';
import { allDialects } from '../support/databases.js';

/*
 * A re-tier job's file (GET /v1/jobs/{id}/affected) reads the job's tier events by `actor`, which no
 * index holds: an index on tier events costs each of the million writes of a month's re-tier. The read
 * is bounded instead by when the job ran — event ids start with their time — so a download walks the
 * primary key's span of the job, not every tenant's history; a book-scoped reader's, the books' customers
 * from the job's start. A job that ran for hours still lists every change; another job's, none. The plan
 * is checked on SQLite, whose planner keeps the join order written (PostgreSQL's follows its statistics,
 * which a small test table does not have).
 */

const QUEUED = '2026-12-05T00:00:00.000Z';
const HOUR = 3_600_000;
const at = (hours: number) => new Date(Date.parse(QUEUED) + hours * HOUR);

async function seed(db: Db): Promise<void> {
  await insertTenant(db.db, { id: 'bank', name: 'Bank', metrics: [], now: QUEUED });
  for (const id of ['RM1', 'RM2']) await upsertStaff(db.db, 'bank', { id, name: id, role: 'officer', scope: 'book' }, QUEUED);
  const subjects = Array.from({ length: 20 }, (_, i) => ({
    id: `s${i}`,
    externalId: `C${i}`,
    kind: 'customer',
    displayName: '王芳',
    attributes: {},
  }));
  await insertSubjects(db.db, 'bank', subjects, QUEUED);
  await assignManagers(
    db.db,
    'bank',
    subjects.map((s, i) => ({ subjectId: s.id, staffId: `RM${(i % 2) + 1}` })),
    'test',
    () => QUEUED,
  );
  const event = (subject: string, actor: string, when: Date) =>
    sql`INSERT INTO tier_events (id, tenant_id, subject_id, scheme, from_level, to_level, at, reason, rule_id, note, actor, approved_by, policy_version, period)
      VALUES (${sortableId(when)}, 'bank', ${subject}, 'value', NULL, 'gold', ${when.toISOString()}, 'policy', NULL, NULL, ${actor}, NULL, 1, '2026-11')`.execute(
      db.db,
    );
  // job_a: queued at QUEUED, its chunks stored over six hours; job_b: a later job over the same customers.
  for (const [i, s] of subjects.entries()) {
    await event(s.id, 'job:job_a', at((i * 6) / subjects.length));
    await event(s.id, 'job:job_b', at(8 + i / 100));
    await event(s.id, 'key:k1', at(-48));
  }
}

for (const harness of allDialects()) {
  describe(`a re-tier job's changes read within its run [${harness.dialect}]`, () => {
    after(() => harness.stopAll());

    it('lists every change of a long job and none of another, from the primary key or the book index', async () => {
      const db = await harness.open();
      await seed(db);
      const seen: CompiledQuery[] = [];
      const noting: KyselyPlugin = {
        transformQuery({ node, queryId }) {
          seen.push(db.db.getExecutor().compileQuery(node, queryId));
          return node;
        },
        transformResult: async ({ result }) => result,
      };
      const noted = db.db.withPlugin(noting);
      const a = jobSpan({ created_at: QUEUED, finished_at: at(6).toISOString() });
      const all = await jobChangesPage(noted, 'bank', 'job_a', a, { limit: 100 });
      assert.equal(all.length, 20, 'every change of the six hours');
      const bankWide = seen.at(-1) as CompiledQuery;
      // Paged: the cursor and the span together.
      const first = await jobChangesPage(db.db, 'bank', 'job_a', a, { limit: 7 });
      const rest = await jobChangesPage(db.db, 'bank', 'job_a', a, { after: first.at(-1)?.id as string, limit: 100 });
      assert.deepEqual([...first, ...rest], all);
      const book = await jobChangesPage(noted, 'bank', 'job_a', a, { books: ['RM1'], limit: 100 });
      assert.deepEqual(
        book.map((c) => c.externalId),
        all.filter((_, i) => i % 2 === 0).map((c) => c.externalId),
      );
      const byBook = seen.at(-1) as CompiledQuery;
      // Running (no end yet): open-ended, still only its own.
      const running = await jobChangesPage(db.db, 'bank', 'job_a', jobSpan({ created_at: QUEUED, finished_at: null }), { limit: 100 });
      assert.equal(running.length, 20);
      const b = await jobChangesPage(
        db.db,
        'bank',
        'job_b',
        jobSpan({ created_at: at(7.5).toISOString(), finished_at: at(9).toISOString() }),
        {
          limit: 100,
        },
      );
      assert.equal(b.length, 20);
      assert.equal(new Set([...all, ...b].map((c) => c.id)).size, 40, 'no change in both files');
      if (harness.dialect !== 'sqlite') return;
      const plan = async (q: CompiledQuery) =>
        (await db.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]))).rows
          .map((r) => r.detail)
          .join(' | ');
      const wide = await plan(bankWide);
      assert.match(wide, /SEARCH e USING INDEX sqlite_autoindex_tier_events_1 \(id>\? AND id<\?\)/, wide);
      const books = await plan(byBook);
      assert.match(books, /subject_managers_book_idx/, books);
      assert.match(books, /SEARCH e USING INDEX tier_events_subject_at_idx \(subject_id=\? AND at>\?\)/, books);
    });
  });
}
