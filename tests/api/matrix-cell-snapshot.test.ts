import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { insertSubjects, insertTenant, listSubjects, type Db, type ListPlan } from '@tierkit/db';
import { allDialects } from '../support/databases.js';

/*
 * A nearly empty matrix cell is read in several statements (counts, a bounded walk, then on PostgreSQL
 * the matches by id). A transaction that moves customer A out of the cell and B into it, committing
 * while the list is being read, must give a page of one moment: A (before) or B (after), never
 * neither or both. The move is committed after the list's k-th statement, for every k, by a plugin
 * awaiting a commit on another connection: deterministic, no sleeps.
 */

const NOW = '2025-11-01T00:00:00.000Z';
const TENANT = 'bank-a';
const N = 90;
const CELL = [
  { scheme: 'risk-band', level: 'high' },
  { scheme: 'value-band', level: 'high' },
];
// Counts bounded at 1 and a walk of one subject per row: the sparse cell is read as a million customers'
// is by default (on PostgreSQL, its matches by id).
const PLAN: ListPlan = { fewMatches: 1, scanPerRow: 1, idMatches: 1_000 };

/** Subjects s000…: a third at each risk level, value medium; A (s001) high × high, B (s002) high × medium. */
async function load(db: Db): Promise<void> {
  await insertTenant(db.db, { id: TENANT, name: TENANT, metrics: [], now: NOW });
  const ids = Array.from({ length: N }, (_, i) => `s${String(i).padStart(3, '0')}`);
  await insertSubjects(
    db.db,
    TENANT,
    ids.map((id) => ({ id, externalId: `C${id}`, kind: 'customer', displayName: id, attributes: {} })),
    NOW,
  );
  const risk = (i: number) => (i < 3 ? 'high' : ['low', 'medium', 'high'][i % 3]);
  const row = (subjectId: string, scheme: string, level: string) => ({
    tenant_id: TENANT,
    subject_id: subjectId,
    scheme,
    level,
    rank: 0,
    periods_below: 0,
    base_level: null,
    base_periods_below: 0,
    previous_level: level,
    explanation: '{}',
    progress: null,
    retention: null,
    approval_required: 0,
    policy_version: 1,
    period: '2025-10',
    evaluated_at: NOW,
    next_gap: null,
    grace_left: null,
  });
  await db.db
    .insertInto('assignments')
    .values(ids.flatMap((id, i) => [row(id, 'risk-band', risk(i) as string), row(id, 'value-band', id === 's001' ? 'high' : 'medium')]))
    .execute();
}

/** A's and B's value level, in one transaction: A into the cell when `aIn`, else B. */
async function place(db: Db, aIn: boolean): Promise<void> {
  await db.db.transaction().execute(async (trx) => {
    for (const [id, inCell] of [
      ['s001', aIn],
      ['s002', !aIn],
    ] as const)
      await trx
        .updateTable('assignments')
        .set({ level: inCell ? 'high' : 'medium' })
        .where('tenant_id', '=', TENANT)
        .where('subject_id', '=', id)
        .where('scheme', '=', 'value-band')
        .execute();
  });
}

for (const harness of allDialects()) {
  describe(`a matrix cell's list is of one moment while a move commits (${harness.dialect})`, () => {
    let db: Db;
    before(async () => {
      db = await harness.open();
      await load(db);
    });
    after(() => harness.stopAll());

    it('lists A (before the move) or B (after it), whichever statement the move commits after', async () => {
      let statements = 0;
      for (let k = 1; k <= statements + 1 || k === 1; k++) {
        await place(db, true);
        let seen = 0;
        let moved = false;
        const watched = db.db.withPlugin({
          transformQuery: (args) => args.node,
          async transformResult(args) {
            if (++seen === k) {
              await place(db, false);
              moved = true;
            }
            return args.result;
          },
        });
        const page = await listSubjects(watched, TENANT, { levels: CELL, limit: 51 }, PLAN);
        statements = Math.max(statements, seen);
        const ids = page.map((s) => s.id);
        assert.ok(
          JSON.stringify(ids) === '["s001"]' || (moved && JSON.stringify(ids) === '["s002"]'),
          `move committed after statement ${k} of ${seen}: listed ${JSON.stringify(ids)}`,
        );
      }
      assert.ok(statements >= 2, 'the list is read in more than one statement, so a move can fall between them');
    });
  });
}
