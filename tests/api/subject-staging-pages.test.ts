import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createSubjectStaging,
  dropSubjectStaging,
  stagedSubjectChanges,
  stageSubjectChanges,
  type Db,
  type StagedSubjectChange,
} from '@tierkit/db';
import { allDialects } from '../support/databases.js';

/*
 * A subjects import applies its staged changes a page at a time, each page read once (on PostgreSQL the
 * customers it changes then locked and read again). A customer's changes split over two pages would be
 * applied partly to the first page's read and partly to the second's, so `stagedSubjectChanges` runs a
 * page on to its last customer's last row. Small pages put that on a handful of rows: every page holds
 * whole customers, in subject id then batch order, and every staged row comes back exactly once.
 */

const change = (subjectId: string, seq: number): StagedSubjectChange => ({
  subjectId,
  seq,
  line: seq * 10,
  externalId: subjectId.toUpperCase(),
  displayName: `${subjectId} ${seq}`,
  attributes: { seq: String(seq) },
});

/**
 * Staged out of order, as batches are: `b` has four rows (a page of 2 from `a` runs on through three
 * of them), `c` two, its batches 2 and 10 (in batch order, not as text).
 */
const STAGED = [
  change('c', 10),
  change('b', 3),
  change('a', 1),
  change('d', 1),
  change('b', 1),
  change('c', 2),
  change('b', 4),
  change('b', 2),
];
const key = (c: StagedSubjectChange) => `${c.subjectId}${c.seq}`;
const ORDER = ['a1', 'b1', 'b2', 'b3', 'b4', 'c2', 'c10', 'd1'];

for (const harness of allDialects()) {
  describe(`staged subject changes read back in pages of whole customers [${harness.dialect}]`, () => {
    let db: Db;
    before(async () => {
      db = await harness.open();
    });
    after(() => harness.stopAll());

    /** The pages `stagedSubjectChanges` gives for `rows` staged, as `a1,b1` strings. */
    async function pages(rows: readonly StagedSubjectChange[], pageRows: number): Promise<string[][]> {
      // A transaction: the staging table is the session's own (PostgreSQL drops it at the commit).
      return db.db.transaction().execute(async (trx) => {
        await createSubjectStaging(trx);
        await stageSubjectChanges(trx, rows);
        const out: string[][] = [];
        for await (const page of stagedSubjectChanges(trx, pageRows)) out.push(page.map(key));
        await dropSubjectStaging(trx);
        return out;
      });
    }

    it("a page that ends inside a customer's rows runs on to their last; one that ends on a customer's last row stops there", async () => {
      // Two rows reach b1: the rest of b's three rows join the page. The next two are c's, all of c.
      assert.deepEqual(await pages(STAGED, 2), [['a1', 'b1', 'b2', 'b3', 'b4'], ['c2', 'c10'], ['d1']]);
      // Three rows end on b2, four on b3: the same first page either way.
      assert.deepEqual(await pages(STAGED, 3), [
        ['a1', 'b1', 'b2', 'b3', 'b4'],
        ['c2', 'c10', 'd1'],
      ]);
      assert.deepEqual(await pages(STAGED, 4), [
        ['a1', 'b1', 'b2', 'b3', 'b4'],
        ['c2', 'c10', 'd1'],
      ]);
      // Five rows end on b's last row exactly: nothing added.
      assert.deepEqual(await pages(STAGED, 5), [
        ['a1', 'b1', 'b2', 'b3', 'b4'],
        ['c2', 'c10', 'd1'],
      ]);
      assert.deepEqual(await pages(STAGED, 6), [['a1', 'b1', 'b2', 'b3', 'b4', 'c2', 'c10'], ['d1']]);
    });

    it('at every page size: whole customers a page, in subject id then batch order, each row once', async () => {
      for (let pageRows = 1; pageRows <= STAGED.length + 1; pageRows++) {
        const got = await pages(STAGED, pageRows);
        assert.deepEqual(got.flat(), ORDER, `pageRows ${pageRows}`);
        const seen = new Set<string>();
        for (const page of got) {
          assert.ok(page.length >= 1, `pageRows ${pageRows}: an empty page`);
          const customers = new Set(page.map((k) => k[0]));
          for (const c of customers) {
            assert.ok(!seen.has(c as string), `pageRows ${pageRows}: ${c} on two pages`);
            seen.add(c as string);
          }
          // No more than the page size and the rest of its last customer's rows.
          const cut = page.slice(0, pageRows);
          assert.ok(
            page.slice(pageRows).every((k) => k[0] === cut.at(-1)?.[0]),
            `pageRows ${pageRows}: ${page} runs past its last customer`,
          );
        }
      }
    });

    it('the rows a page runs on to come back as staged, closings too, a late one with when the customer left', async () => {
      // b's closing was learnt late: counted on the first open month's floor, `leftAt` when they really left.
      const late = {
        ...change('b', 2),
        closed: { at: '2025-11-30T16:00:00.000Z', reason: '销户', leftAt: '2025-10-20T02:00:00.000Z' },
      };
      // c's was not: no `leftAt` staged, and none comes back.
      const plain = { ...change('c', 10), closed: { at: '2025-11-14T00:00:00.000Z', reason: null } };
      const rows = await db.db.transaction().execute(async (trx) => {
        await createSubjectStaging(trx);
        await stageSubjectChanges(trx, [late, plain, change('b', 1), change('c', 2)]);
        const out: StagedSubjectChange[][] = [];
        // Pages of one row: b1's page runs on to b2, c2's to c10, so both closings ride on a run-on row.
        for await (const p of stagedSubjectChanges(trx, 1)) out.push(p);
        await dropSubjectStaging(trx);
        return out;
      });
      assert.deepEqual(rows, [
        // Neither row said closedLate: each comes back `late: false` (the closing's audit record says so).
        [change('b', 1), { ...late, closed: { ...late.closed, late: false } }],
        [change('c', 2), { ...plain, closed: { ...plain.closed, leftAt: null, late: false } }],
      ]);
    });
  });
}
