// A subjects file of more than one batch (2,000 rows) naming customers who exist: their changes are
// staged as the file is read and made at its end in ascending subject id. What a user sees must be what
// writing each batch as it was read gave: a customer named in two batches changed twice (the later
// row's attributes added to the earlier's), named twice in one batch changed once (the later row wins),
// the counts, the closings and what they withdrew, and the same file again changing nothing. An
// import that ends without committing leaves no change and no staging table behind.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ImportRefused, loadTenantPack, runImport, type ImportContext, type ImportMode } from '@tierkit/api';
import { findSubjectByExternalId, insertOverride, insertSubjects } from '@tierkit/db';
import { forEachDialect, LONG_AGO, NOW } from '../support/api-fixture.js';
import { stagingLeft } from '../support/staging-tables.js';

const TENANT = 'bank-a';
const N = 2500;
const id = (i: number) => `ss-${String(i).padStart(5, '0')}`;
const ext = (i: number) => `SS${String(i).padStart(5, '0')}`;
/** Customers whose first row closes them, each with a pending override request the closing withdraws. */
const CLOSED = [2401, 1703, 305, 201];
const STAGING = ['import_subject_changes'];

/**
 * Every customer in descending subject id (the first 2,000 rows are batch 1, the last 500 batch 2),
 * then every 10th named again with another attribute: for those below 500 that second row is in the
 * same batch as their first.
 */
function file(): string {
  const rows = ['id,name,attr:segment,attr:branch,closedAt,closedReason'];
  for (let i = N - 1; i >= 0; i--) rows.push(`${ext(i)},新-${i},A,,${CLOSED.includes(i) ? '2025-11-14T00:00:00Z,销户' : ','}`);
  for (let i = 0; i < N; i += 10) rows.push(`${ext(i)},新-${i},,B${i},,`);
  return `${rows.join('\n')}\n`;
}

forEachDialect('a subjects file of customers who exist, over more than one batch', (f) => {
  let ctx: ImportContext;
  before(async () => {
    const now = NOW.toISOString();
    const subjects = Array.from({ length: N }, (_, i) => ({
      id: id(i),
      externalId: ext(i),
      kind: 'customer',
      displayName: '客户',
      attributes: {},
    }));
    // Recorded long before the file closes them: a closing dated before a customer was recorded is refused.
    await insertSubjects(f.db.db, TENANT, subjects, LONG_AGO);
    for (const i of CLOSED)
      await insertOverride(
        f.db.db,
        TENANT,
        id(i),
        {
          id: `ovr-ss-${i}`,
          scheme: 'retail-tier',
          level: 'gold',
          mode: 'fixed',
          reason: 'x',
          expiresAt: null,
          requestedBy: 'rm',
          approvedBy: null,
        },
        now,
        { status: 'pending', contentHash: 'h' },
      );
    ctx = {
      tenantId: TENANT,
      catalogue: (await loadTenantPack(f.db.db, TENANT)).metrics,
      currentPeriod: '2025-11',
      actor: 'test',
      now: () => NOW,
      fileName: 'subjects.csv',
    };
  });
  const run = (text: string, mode: ImportMode = 'all-or-nothing') =>
    runImport(f.db.db, { kind: 'subjects', encoding: 'utf-8', mode, mapping: {} }, ctx, async function* () {
      yield new TextEncoder().encode(text);
    });
  const stored = (i: number) => findSubjectByExternalId(f.db.db, TENANT, ext(i));

  it('a bad row in all-or-nothing changes nobody and leaves no staging table', async () => {
    const bad = file().replace(`${ext(5)},新-5,A,,`, `${ext(5)},,A,,`);
    const r = await run(bad);
    assert.deepEqual([r.status, r.written, r.rejectedRows], ['failed', 0, 1]);
    assert.equal((await stored(N - 1))?.displayName, '客户', 'a customer of the first batch is unchanged');
    assert.equal((await stored(CLOSED[0] ?? 0))?.closedAt, null);
    assert.equal(await stagingLeft(f.db, STAGING), 0);
  });

  it('a file refused at the CSV stage after two batches were staged changes nobody; the next import works', async () => {
    await assert.rejects(run(`${file()}"unterminated,x,,,,\n`, 'valid-rows'), ImportRefused);
    assert.equal((await stored(N - 1))?.displayName, '客户');
    assert.equal(await stagingLeft(f.db, STAGING), 0);
  });

  it('is changed as if each batch were written as read; the same file again changes nothing', async () => {
    const r = await run(file());
    // One write per customer and batch naming them: the 200 customers of 500 and up named again in batch 2 twice.
    assert.deepEqual([r.status, r.rows, r.written, r.unchanged], ['succeeded', N + N / 10, N + 200, 0]);
    assert.equal(await stagingLeft(f.db, STAGING), 0);
    // Named in two batches: the later row's attribute added to the earlier's.
    assert.deepEqual((await stored(1000))?.attributes, { segment: 'A', branch: 'B1000' });
    // Named twice in one batch: the later row alone.
    assert.deepEqual((await stored(100))?.attributes, { branch: 'B100' });
    assert.deepEqual((await stored(101))?.attributes, { segment: 'A' });
    assert.equal((await stored(7))?.displayName, '新-7');
    for (const i of CLOSED) assert.equal((await stored(i))?.closedAt, '2025-11-14T00:00:00.000Z', ext(i));
    // Withdrawn by the closings, listed in the file's order (descending here), not the order they were made in.
    assert.deepEqual([r.withdrawn.overrides, r.withdrawn.overrideIds], [CLOSED.length, CLOSED.map((i) => `ovr-ss-${i}`)]);

    const again = await run(file());
    assert.deepEqual([again.status, again.written, again.unchanged], ['succeeded', 0, N + 200]);
    assert.deepEqual([again.withdrawn.overrides, again.withdrawn.overrideIds], [0, []]);
    assert.equal(await stagingLeft(f.db, STAGING), 0);
  });
});

forEachDialect('a subjects file whose changes are applied at its end', (f) => {
  let ctx: ImportContext;
  before(async () => {
    ctx = {
      tenantId: TENANT,
      catalogue: (await loadTenantPack(f.db.db, TENANT)).metrics,
      currentPeriod: '2025-11',
      actor: 'test',
      now: () => NOW,
      fileName: 'subjects.csv',
    };
  });
  const run = (text: string, mode: ImportMode, context: ImportContext = ctx) =>
    runImport(f.db.db, { kind: 'subjects', encoding: 'utf-8', mode, mapping: {} }, context, async function* () {
      yield new TextEncoder().encode(text);
    });

  it('a customer the file creates in its first batch and renames and closes in its second is created, then changed', async () => {
    // Rejected rows (no id) fill the first batch, so the customer's second row is read once they exist.
    const filler = Array.from({ length: 2100 }, () => ',x,,,').join('\n');
    const text = `id,name,attr:seg,closedAt,closedReason\nNEW1,first,A,,\n${filler}\nNEW1,second,,2025-11-14T00:00:00Z,gone\n`;
    const r = await run(text, 'valid-rows');
    assert.deepEqual([r.status, r.written, r.unchanged, r.rejectedRows], ['partial', 2, 0, 2100]);
    const s = await findSubjectByExternalId(f.db.db, TENANT, 'NEW1');
    assert.deepEqual(
      { name: s?.displayName, attributes: s?.attributes, closedAt: s?.closedAt },
      { name: 'second', attributes: { seg: 'A' }, closedAt: '2025-11-14T00:00:00.000Z' },
    );
    // Again: each row changes what the one before left (first, then second), as writing each batch as it
    // was read did; the closing already recorded stays as it was.
    const again = await run(text, 'valid-rows');
    assert.deepEqual([again.written, again.unchanged], [2, 0]);
    const after = await findSubjectByExternalId(f.db.db, TENANT, 'NEW1');
    assert.deepEqual([after?.id, after?.displayName, after?.closedAt], [s?.id, 'second', '2025-11-14T00:00:00.000Z']);
  });

  it('a customer whose rows fall on both sides of the first apply page ends as the file says', async () => {
    // A paging guard: it passes with pages that split a customer too (SQLite has no such gap); only the
    // PostgreSQL test of a PUT between the pages (import-apply-locking.test.ts) reproduces the gap.
    // Staged rows sort by subject id: 1,999 customers, then SBZ's row of batch 1 (the file's 2,000th
    // row, the last of its first batch) and of batch 2; the first apply page ends on SBZ's first row.
    const others = Array.from({ length: 1999 }, (_, i) => `SB${String(i).padStart(4, '0')}`);
    await insertSubjects(
      f.db.db,
      TENANT,
      [
        ...others.map((ext, i) => ({
          id: `sb-${String(i).padStart(4, '0')}`,
          externalId: ext,
          kind: 'customer',
          displayName: 'x',
          attributes: {},
        })),
        { id: 'sb-z', externalId: 'SBZ', kind: 'customer', displayName: 'x', attributes: { segment: 'private' } },
      ],
      LONG_AGO,
    );
    const rows = [
      'id,name,attr:segment,attr:branch,closedAt,closedReason',
      ...others.map((ext) => `${ext},x,,,,`),
      'SBZ,first,retail,,2025-11-14T00:00:00Z,gone',
      'SBZ,second,,B9,,',
    ];
    const text = `${rows.join('\n')}\n`;
    const paged = { ...ctx, applyPageRows: others.length + 1 };
    const r = await run(text, 'all-or-nothing', paged);
    // Two writes of SBZ: its rows were staged in two batches (in one, the later row alone would count).
    assert.deepEqual([r.status, r.written, r.unchanged], ['succeeded', 2, 1999]);
    const s = await findSubjectByExternalId(f.db.db, TENANT, 'SBZ');
    assert.deepEqual(
      { name: s?.displayName, attributes: s?.attributes, closedAt: s?.closedAt },
      { name: 'second', attributes: { segment: 'retail', branch: 'B9' }, closedAt: '2025-11-14T00:00:00.000Z' },
    );
    // Again: the first row renames back, the second renames again; each of SBZ's rows is applied once.
    const again = await run(text, 'all-or-nothing', paged);
    assert.deepEqual([again.written, again.unchanged], [2, 1999]);
    assert.equal(await stagingLeft(f.db, STAGING), 0);
  });

  it('closings past the listing limit: every withdrawal counted, the first 50 of the file listed in its order', async () => {
    const n = 60;
    const wc = (i: number) => `wc-${String(i).padStart(3, '0')}`;
    await insertSubjects(
      f.db.db,
      TENANT,
      Array.from({ length: n }, (_, i) => ({ id: wc(i), externalId: `WC${i}`, kind: 'customer', displayName: 'x', attributes: {} })),
      LONG_AGO,
    );
    for (let i = 0; i < n; i++)
      await insertOverride(
        f.db.db,
        TENANT,
        wc(i),
        {
          id: `ov-${i}`,
          scheme: 'retail-tier',
          level: 'gold',
          mode: 'fixed',
          reason: 'x',
          expiresAt: null,
          requestedBy: 'rm',
          approvedBy: null,
        },
        NOW.toISOString(),
        { status: 'pending', contentHash: 'h' },
      );
    // Descending subject id: the file's order is the reverse of the order the closings are made in.
    const rows = ['id,name,closedAt,closedReason'];
    for (let i = n - 1; i >= 0; i--) rows.push(`WC${i},x,2025-11-14T00:00:00Z,gone`);
    const r = await run(`${rows.join('\n')}\n`, 'all-or-nothing');
    assert.equal(r.withdrawn.overrides, n);
    assert.deepEqual(
      r.withdrawn.overrideIds,
      Array.from({ length: 50 }, (_, k) => `ov-${n - 1 - k}`),
    );
  });
});
