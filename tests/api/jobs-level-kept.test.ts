import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { drainJobs, enqueueRetier, provisionTenant, type PipelineOptions } from '@tierkit/api';
import { listAssignments, storeReevaluations, type Db, type StoredAssignment, type StoredAssignmentJson } from '@tierkit/db';
import { allDialects, sqliteHarness } from '../support/databases.js';
import { loadBook } from '../support/book.js';
import { approvalTestPack } from '../support/test-pack.js';

/*
 * A monthly re-tier keeps nearly every customer's level, and on SQLite writes those rows without
 * naming `level` in its upsert's SET, so that the (tenant, scheme, level) index is not rewritten for
 * them (writeAssignments, packages/db/src/repositories/assignments.ts; BENCHMARKS.md, retier bench).
 * What is stored must not depend on it: a row said to keep its level whose stored level moved since
 * is written in full all the same.
 */

const NOW = new Date('2025-11-15T04:00:00.000Z');
const NEXT = new Date('2025-12-15T04:00:00.000Z');
const TENANT = 'bank-k';

const row = (subjectId: string, level: string, period: string): StoredAssignment => ({
  subjectId,
  scheme: 'retail-tier',
  level,
  rank: level === 'gold' ? 2 : 1,
  periodsBelow: 0,
  base: { level: null, periodsBelow: 0 },
  previousLevel: null,
  explanation: {
    policyId: 'retail-tier',
    policyVersion: 1,
    decidedBy: { kind: 'default', id: null, label: { en: period } },
    inputs: [],
    asOf: period,
  } as unknown as StoredAssignment['explanation'],
  progress: null,
  retention: null,
  approvalRequired: false,
  policyVersion: 1,
  period,
  evaluatedAt: NOW.toISOString(),
});

for (const harness of allDialects()) {
  describe(`assignments written as keeping their level (${harness.dialect})`, () => {
    let db: Db;
    before(async () => {
      db = await harness.open();
      await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: approvalTestPack(), now: NOW });
      await loadBook(db.db, TENANT, 4, ['2025-10'], NOW.toISOString());
    });
    after(() => harness.stopAll());

    it('stores every row as given, also one whose stored level moved since it was read, and one not stored yet', async () => {
      const [a, b, c, d] = [0, 1, 2, 3].map((i) => `${TENANT}-000000${i}`) as [string, string, string, string];
      await storeReevaluations(db.db, TENANT, [row(a, 'silver', '2025-10'), row(b, 'silver', '2025-10'), row(d, 'silver', '2025-10')], []);
      const next = [row(a, 'silver', '2025-11'), row(b, 'gold', '2025-11'), row(c, 'silver', '2025-11'), row(d, 'gold', '2025-11')];
      // a keeps its level; b was read at gold but is stored at silver (moved since: the hint is wrong);
      // c has no row yet; d moves and is written in full.
      const [ra, rb, rc] = next as [StoredAssignment, StoredAssignment, StoredAssignment];
      await storeReevaluations(db.db, TENANT, next, [], undefined, new Set([ra, rb, rc]));
      for (const r of next) assert.deepEqual(await listAssignments(db.db, TENANT, r.subjectId), [r], r.subjectId);
    });

    it('rewrites every column but the level as a write naming the level does', async () => {
      // Two customers stored alike, then given alike a month later with every column but the key and
      // the level changed: one row said to keep its level, one not. Their stored rows must then be the
      // same column for column (list figures included), and none may hold its first write's value.
      const [e, f] = [3, 2].map((i) => `${TENANT}-000000${i}`) as [string, string];
      const first = (id: string): StoredAssignmentJson => ({
        ...row(id, 'silver', '2025-12'),
        nextGap: null,
        graceLeft: null,
        explanation: '{"first":true}',
        progress: null,
        retention: null,
      });
      const second = (id: string): StoredAssignmentJson => ({
        subjectId: id,
        scheme: 'retail-tier',
        level: 'silver',
        rank: 7,
        periodsBelow: 1,
        base: { level: 'gold', periodsBelow: 2 },
        previousLevel: 'gold',
        explanation: '{"second":true}',
        progress: '{"paths":[]}',
        retention: '{"held":true}',
        approvalRequired: true,
        policyVersion: 9,
        period: '2026-01',
        evaluatedAt: NEXT.toISOString(),
        nextGap: 12_345,
        graceLeft: 2,
      });
      await storeReevaluations(db.db, TENANT, [first(e), first(f)], []);
      const stored = async (id: string) => {
        const { subject_id, ...rest } = await db.db
          .selectFrom('assignments')
          .selectAll()
          .where('subject_id', '=', id)
          .executeTakeFirstOrThrow();
        return rest;
      };
      const was = await stored(e);
      const [kept, named] = [second(e), second(f)];
      await storeReevaluations(db.db, TENANT, [kept, named], [], undefined, new Set([kept]));
      const [ke, nf] = [await stored(e), await stored(f)];
      assert.deepEqual(ke, nf);
      for (const [column, value] of Object.entries(was))
        if (!['tenant_id', 'scheme', 'level'].includes(column)) assert.notDeepEqual(ke[column as keyof typeof ke], value, column);
    });
  });
}

describe('a monthly re-tier on SQLite rewrites the level of those who move alone', () => {
  const harness = sqliteHarness();
  after(() => harness.stopAll());

  /** The subjects whose row an UPDATE naming `level` touched during `work`, on the writer's connection. */
  async function levelUpdates(db: Db, work: () => Promise<void>): Promise<Set<string>> {
    // SQLite fires UPDATE OF a column when the statement's SET names it, whether or not its value
    // changes: the same test that decides whether the level's index is rewritten.
    await sql`CREATE TEMP TABLE level_writes (subject_id TEXT NOT NULL)`.execute(db.db);
    await sql`CREATE TEMP TRIGGER level_written AFTER UPDATE OF level ON main.assignments
      BEGIN INSERT INTO level_writes VALUES (new.subject_id); END`.execute(db.db);
    try {
      await work();
      const rows = await sql<{ subject_id: string }>`SELECT subject_id FROM temp.level_writes`.execute(db.db);
      return new Set(rows.rows.map((r) => r.subject_id));
    } finally {
      await sql`DROP TRIGGER temp.level_written`.execute(db.db);
      await sql`DROP TABLE temp.level_writes`.execute(db.db);
    }
  }

  const levels = async (db: Db) =>
    new Map(
      (await db.db.selectFrom('assignments').select(['subject_id', 'scheme', 'level', 'period']).execute()).map((r) => [
        `${r.subject_id} ${r.scheme}`,
        r,
      ]),
    );

  const retier = async (db: Db, period: string, now: Date, pipeline: PipelineOptions) => {
    await enqueueRetier(db.db, { tenantId: TENANT, period, now, chunkSubjects: 4 });
    await drainJobs({ db: db.db, now: () => now, logError: (err) => assert.fail(String(err)), pipeline });
  };

  for (const [name, pipeline] of [
    ['each chunk in its transaction', { minChunks: Number.POSITIVE_INFINITY }],
    ['chunks prepared on the thread', { minChunks: 1, awaitThread: true }],
  ] as const)
    it(`${name}`, async () => {
      const db = await harness.open();
      await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: approvalTestPack(), now: NOW });
      await loadBook(db.db, TENANT, 40, ['2025-08', '2025-09', '2025-10', '2025-11'], NOW.toISOString(), 11);
      await retier(db, '2025-10', NOW, pipeline);
      const before = await levels(db);
      const touched = await levelUpdates(db, () => retier(db, '2025-11', NEXT, pipeline));
      const afterJob = await levels(db);
      const moved = new Set<string>();
      let kept = 0;
      for (const [key, was] of before) {
        const now = afterJob.get(key);
        assert.equal(now?.period, '2025-11', `${key} was re-tiered`);
        if (now.level !== was.level) moved.add(was.subject_id);
        else kept++;
      }
      assert.ok(moved.size > 0 && kept > 0, `some move (${moved.size}) and some keep their level (${kept})`);
      assert.deepEqual([...touched].sort(), [...moved].sort());
    });
});
