// A metrics file's conflicting rows are found in memory while its observations fit the bound, then in
// the import's staging table (services/import/duplicates.ts): the batch that would pass the bound
// moves what memory holds there first. Here the bound is made small (observationsInMemory, for tests
// only) so a conflict falls on either side of it: a row after the bound is held to a first row before
// it, a row rejected before the bound gives no observation after it, and a dry run finds the same.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { loadTenantPack, runImport, type ImportContext, type ImportMode } from '@tierkit/api';
import { insertSubjects } from '@tierkit/db';
import { previewImport } from '../../packages/api/src/services/import/run-import.js';
import { forEachDialect, NOW } from '../support/api-fixture.js';
import { stagingLeft } from '../support/staging-tables.js';

const TENANT = 'bank-a';
const SUBJECTS = 500;
const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10'];
const ext = (i: number) => `DB${String(i).padStart(4, '0')}`;
/** Above one batch's observations (2,000 rows of one each), below two: batch 2 passes it, batch 3 is checked in SQL only. */
const BOUND = 2500;
const row = (i: number, month: string, value: number | string = i * 100) => `${ext(i)},avg_daily_balance,${month},${value}`;

/**
 * 5,000 distinct observations (500 subjects × 10 months, month by month, subject i's value i × 100),
 * with `extra` rows put after line `n` of the file (the header is line 1).
 */
function file(extra: Record<number, string[]>): string {
  const rows = ['subject,metric,period,value'];
  for (const m of MONTHS)
    for (let i = 0; i < SUBJECTS; i++) {
      rows.push(row(i, m));
      rows.push(...(extra[rows.length] ?? []));
    }
  return `${rows.join('\n')}\n`;
}
const lineOf = (text: string, r: string) => text.split('\n').indexOf(r) + 1;
/** Rows 1–2,000 are batch 1 (lines 2–2,001), then 2,001–4,000 batch 2, then batch 3. */
const batchOf = (line: number) => Math.ceil((line - 1) / 2000);

// Batch 1 (in memory): a conflict with line 2, and line 2 repeated with its own value. Batch 2 (the
// one that passes the bound): conflicts with rows of batch 1 and of batch 2 itself. Batch 3: with
// rows of batch 1 and batch 2, read from the staging table.
const CONFLICTS: Record<number, string[]> = {
  10: [row(0, '2025-01', 1), row(0, '2025-01')],
  2500: [row(0, '2025-01', 2), row(2, '2025-01', 7), row(50, '2025-05', 1)],
  4500: [row(3, '2025-01', 1), row(60, '2025-06', 1)],
};
/** The conflicting rows' lines and the lines they name, in file order. */
function expectedConflicts(text: string): [number, string, number][] {
  return [
    [lineOf(text, row(0, '2025-01', 1)), 'duplicate', 2],
    [lineOf(text, row(0, '2025-01', 2)), 'duplicate', 2],
    [lineOf(text, row(2, '2025-01', 7)), 'duplicate', lineOf(text, row(2, '2025-01'))],
    [lineOf(text, row(50, '2025-05', 1)), 'duplicate', lineOf(text, row(50, '2025-05'))],
    [lineOf(text, row(3, '2025-01', 1)), 'duplicate', lineOf(text, row(3, '2025-01'))],
    [lineOf(text, row(60, '2025-06', 1)), 'duplicate', lineOf(text, row(60, '2025-06'))],
  ];
}

forEachDialect('conflicting metrics rows across the in-memory bound', (f) => {
  let ctx: ImportContext;
  before(async () => {
    await insertSubjects(
      f.db.db,
      TENANT,
      Array.from({ length: SUBJECTS }, (_, i) => ({
        id: `db-${i}`,
        externalId: ext(i),
        kind: 'customer',
        displayName: '客户',
        attributes: {},
      })),
      NOW.toISOString(),
    );
    ctx = {
      tenantId: TENANT,
      catalogue: (await loadTenantPack(f.db.db, TENANT)).metrics,
      currentPeriod: '2025-11',
      actor: 'test',
      now: () => NOW,
      fileName: 'metrics.csv',
      observationsInMemory: BOUND,
    };
  });
  const source = (text: string) =>
    async function* () {
      yield new TextEncoder().encode(text);
    };
  const run = (text: string, mode: ImportMode) =>
    runImport(f.db.db, { kind: 'metrics', encoding: 'utf-8', mode, mapping: {} }, ctx, source(text));
  const errorsOf = async (importId: string) =>
    (
      await f.db.db
        .selectFrom('import_errors')
        .select(['line', 'code', 'params'])
        .where('import_id', '=', importId)
        .orderBy('line')
        .execute()
    ).map((e) => [e.line, e.code, (JSON.parse(e.params ?? '{}') as { line?: number }).line]);
  const value = async (i: number, month: string) =>
    (
      await f.db.db
        .selectFrom('metrics')
        .select('value')
        .where('subject_id', '=', `db-${i}`)
        .where('metric', '=', 'avg_daily_balance')
        .where('period', '=', month)
        .executeTakeFirst()
    )?.value;

  it('valid-rows: conflicts on each side of the bound are rejected naming the first line; the rest written', async () => {
    const text = file(CONFLICTS);
    const expected = expectedConflicts(text);
    // Where they fell: one in batch 1, three in batch 2 (one naming a line of batch 2), two in batch 3.
    assert.deepEqual(
      expected.map(([line, , first]) => [batchOf(line), batchOf(first)]),
      [
        [1, 1],
        [2, 1],
        [2, 1],
        [2, 2],
        [3, 1],
        [3, 2],
      ],
    );
    const r = await run(text, 'valid-rows');
    assert.deepEqual([r.status, r.rows, r.rejectedRows, r.written], ['partial', 5007, 6, 5000]);
    assert.deepEqual(await errorsOf(r.id), expected);
    assert.equal(Number(await value(0, '2025-01')), 0);
    assert.equal(Number(await value(60, '2025-06')), 6000);
    assert.equal(await stagingLeft(f.db, ['import_metric_keys']), 0);
  });

  it('a row rejected before the bound gives no observation: a batch past it is held to the first kept row', async () => {
    // Line 5 (DB0003's January) is rejected for its value; line 6 gives that month 9 and is kept; a row
    // in batch 3 giving 300 conflicts with line 6, not with the rejected line 5.
    const text = file({ 5: [row(3, '2025-01', 9)], 4500: [row(3, '2025-01', 300)] }).replace(
      `${row(3, '2025-01')}\n`,
      `${row(3, '2025-01', 'x')}\n`,
    );
    const conflict = lineOf(text, row(3, '2025-01', 300));
    assert.deepEqual([lineOf(text, row(3, '2025-01', 'x')), lineOf(text, row(3, '2025-01', 9)), batchOf(conflict)], [5, 6, 3]);
    const r = await run(text, 'valid-rows');
    assert.deepEqual(await errorsOf(r.id), [
      [5, 'invalid_format', undefined],
      [conflict, 'duplicate', 6],
    ]);
    assert.equal(Number(await value(3, '2025-01')), 9);
  });

  it('a dry run finds the same conflicts across the bound; all-or-nothing writes nothing', async () => {
    await f.db.db.deleteFrom('metrics').where('tenant_id', '=', TENANT).execute();
    const text = file(CONFLICTS);
    const preview = await previewImport(
      f.db.db,
      { kind: 'metrics', encoding: 'utf-8', mode: 'valid-rows', mapping: {} },
      ctx,
      source(text),
    );
    assert.deepEqual(
      preview.errors.map((e) => [e.line, e.code, e.params?.line]),
      expectedConflicts(text),
    );
    const all = await run(text, 'all-or-nothing');
    assert.deepEqual([all.status, all.written, all.rejectedRows], ['failed', 0, 6]);
    const left = await f.db.db
      .selectFrom('metrics')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('tenant_id', '=', TENANT)
      .executeTakeFirst();
    assert.equal(Number(left?.n), 0);
    assert.equal(await stagingLeft(f.db, ['import_metric_keys']), 0);
  });
});
