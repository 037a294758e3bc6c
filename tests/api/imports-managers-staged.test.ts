// A managers file larger than one page of moves (`STAGED_MOVE_PAGE`): staged as it is read and moved
// at its end in ascending subject id, a page at a time. What a user sees: every customer in the book
// the file's last row for them names, the same file again moving nobody, and the moves' times — each
// page's read after its book rows are locked — rising with the subject id whatever the file's order.
// Moving the whole file in one call (every row held in memory) gives every move one time; moving each
// batch as it is read gives times rising in file order, here the reverse of subject order.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ImportRefused, loadTenantPack, runImport, type ImportContext } from '@tierkit/api';
import { insertSubjects, STAGED_MOVE_PAGE, upsertStaff } from '@tierkit/db';
import { authHeader, forEachDialect, NOW } from '../support/api-fixture.js';
import { stagingLeft as tablesLeft } from '../support/staging-tables.js';

const TENANT = 'bank-a';
const SUBJECTS = STAGED_MOVE_PAGE + 1500;
const id = (i: number) => `stg-${String(i).padStart(6, '0')}`;
const external = (i: number) => `SG${String(i).padStart(6, '0')}`;

/** Descending subject order; every 10th customer named twice, the later row (RS2) winning; every 7th in no book. */
function file(book: (i: number) => string): string {
  const rows = ['subject,manager'];
  for (let i = SUBJECTS - 1; i >= 0; i--) {
    if (i % 10 === 0) rows.push(`${external(i)},RS1`);
    rows.push(`${external(i)},${book(i)}`);
  }
  return `${rows.join('\n')}\n`;
}

forEachDialect('a managers file larger than a page of moves', (f) => {
  before(async () => {
    const now = NOW.toISOString();
    for (const staff of ['RS1', 'RS2']) await upsertStaff(f.db.db, TENANT, { id: staff, name: staff, role: 'viewer', scope: 'book' }, now);
    const subjects = Array.from({ length: SUBJECTS }, (_, i) => ({
      id: id(i),
      externalId: external(i),
      kind: 'customer',
      displayName: '客户',
      attributes: {},
    }));
    await insertSubjects(f.db.db, TENANT, subjects, now);
  });

  const books = async () =>
    new Map(
      (await f.db.db.selectFrom('subject_managers').select(['subject_id', 'staff_id']).where('tenant_id', '=', TENANT).execute()).map(
        (r) => [r.subject_id, r.staff_id],
      ),
    );

  it('is moved in ascending subject id, page by page; the same file again moves nobody', async () => {
    const text = file((i) => (i % 7 === 0 ? '' : 'RS2'));
    // A clock that ticks at every read: each page of moves reads it once after its locks.
    let tick = 0;
    const ctx: ImportContext = {
      tenantId: TENANT,
      catalogue: (await loadTenantPack(f.db.db, TENANT)).metrics,
      currentPeriod: '2025-11',
      actor: 'test',
      now: () => new Date(NOW.getTime() + tick++),
      fileName: 'managers.csv',
    };
    const run = () =>
      runImport(f.db.db, { kind: 'managers', encoding: 'utf-8', mode: 'all-or-nothing', mapping: {} }, ctx, async function* () {
        yield new TextEncoder().encode(text);
      });
    const inNoBook = Math.ceil(SUBJECTS / 7);
    const record = await run();
    assert.deepEqual(
      [record.status, record.rows, record.written, record.unchanged],
      ['succeeded', SUBJECTS + SUBJECTS / 10, SUBJECTS - inNoBook, inNoBook],
    );
    const held = await books();
    assert.equal(held.size, SUBJECTS - inNoBook);
    for (let i = 0; i < SUBJECTS; i++) assert.equal(held.get(id(i)), i % 7 === 0 ? undefined : 'RS2', external(i));

    const moves = await f.db.db
      .selectFrom('book_moves')
      .select(['subject_id', 'at', 'to_staff'])
      .where('tenant_id', '=', TENANT)
      .orderBy('subject_id')
      .execute();
    assert.equal(moves.length, SUBJECTS - inNoBook, 'one move per customer, its last row’s');
    assert.ok(moves.every((m) => m.to_staff === 'RS2'));
    const times = moves.map((m) => m.at);
    assert.ok(new Set(times).size > 1, 'more than one page of moves, each locked and timed on its own');
    for (let k = 1; k < times.length; k++)
      assert.ok((times[k - 1] ?? '') <= (times[k] ?? ''), `moves out of subject order at ${moves[k]?.subject_id}`);

    const again = await run();
    assert.deepEqual([again.status, again.written, again.unchanged], ['succeeded', 0, SUBJECTS]);
    assert.equal(
      (
        await f.db.db
          .selectFrom('book_moves')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', TENANT)
          .executeTakeFirst()
      )?.n,
      moves.length,
    );
  });

  it('is audited in records of 1,000 moves, every move once, over its pages', async () => {
    // Everyone to RS1 through the API: the request's audit records hold the moves.
    const res = await f.app.request('/v1/imports?kind=managers', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
      body: file(() => 'RS1'),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const records = await f.db.db
      .selectFrom('audit_records')
      .select(['seq', 'target', 'detail'])
      .where('chain', '=', TENANT)
      .where('phase', '=', 'change')
      .where('route', '=', '/v1/imports')
      .orderBy('seq')
      .execute();
    const counts = records.map((r) => Number((JSON.parse(r.target) as { moves: string }).moves));
    assert.deepEqual(counts, [1000, 1000, 1000, 1000, 1000, 1000, SUBJECTS - 6000]);
    // Each move's number is a listed entry (erased with its customer): the record keeps its digest, `audit_listed` the number.
    for (const r of records)
      for (const m of (JSON.parse(r.detail ?? '{}') as { moves: { subject: string }[] }).moves)
        assert.match(m.subject, /^sha256:[0-9a-f]{64}$/);
    const entries = await f.db.db
      .selectFrom('audit_listed')
      .select(['seq', 'pos', 'subject'])
      .where('chain', '=', TENANT)
      .where(
        'seq',
        'in',
        records.map((r) => r.seq),
      )
      .orderBy('seq')
      .orderBy('pos')
      .execute();
    const named = entries.map((e) => e.subject);
    assert.deepEqual(
      named,
      Array.from({ length: SUBJECTS }, (_, i) => external(i)),
      'every customer once, in subject order',
    );
  });
});

// The ways a managers import ends without committing: its staging tables go with it (a rollback drops
// them on both dialects), no book changes, no audit record of a move, and the next import — on
// SQLite the same connection, where a temporary table left behind would make the next
// `createBookStaging` fail — runs as if nothing had happened.
const N = 30;
const rvId = (i: number) => `rv-${String(i).padStart(4, '0')}`;
const rvExt = (i: number) => `RV${String(i).padStart(4, '0')}`;

forEachDialect('a managers import that rolls back', (f) => {
  let ctx: ImportContext;
  before(async () => {
    const now = NOW.toISOString();
    for (const s of ['RA', 'RB']) await upsertStaff(f.db.db, TENANT, { id: s, name: s, role: 'viewer', scope: 'book' }, now);
    const subjects = Array.from({ length: N }, (_, i) => ({
      id: rvId(i),
      externalId: rvExt(i),
      kind: 'customer',
      displayName: 'x',
      attributes: {},
    }));
    await insertSubjects(f.db.db, TENANT, subjects, now);
    ctx = {
      tenantId: TENANT,
      catalogue: (await loadTenantPack(f.db.db, TENANT)).metrics,
      currentPeriod: '2025-11',
      actor: 'test',
      now: () => NOW,
      fileName: 'managers.csv',
      // Audited, so the moves are staged too (import_book_moves) and must go with the rollback.
      audit: { tenantId: TENANT, requestId: 'rq-rollback', actor: 'test', credential: 'test', method: 'CLI', route: 'tierkit import' },
    };
  });
  const run = (text: string, mode: 'all-or-nothing' | 'valid-rows') =>
    runImport(f.db.db, { kind: 'managers', encoding: 'utf-8', mode, mapping: {} }, ctx, async function* () {
      yield new TextEncoder().encode(text);
    });
  /** Every customer to `book`; with `bad`, the 21st row names a staff member who does not exist. */
  const file = (book: string, bad = false) =>
    `${['subject,manager', ...Array.from({ length: N }, (_, i) => `${rvExt(i)},${bad && i === 20 ? 'NOPE' : book}`)].join('\n')}\n`;
  const inBook = async (staff: string) =>
    (
      await f.db.db
        .selectFrom('subject_managers')
        .select('subject_id')
        .where('tenant_id', '=', TENANT)
        .where('staff_id', '=', staff)
        .execute()
    ).length;
  const auditedMoves = async () =>
    (await f.db.db.selectFrom('audit_records').select('seq').where('chain', '=', TENANT).where('request_id', '=', 'rq-rollback').execute())
      .length;
  const stagingLeft = () => tablesLeft(f.db, ['import_book_targets', 'import_book_moves']);

  it('all-or-nothing with a bad row moves nobody and leaves no staging; the file corrected then imports', async () => {
    const failed = await run(file('RA', true), 'all-or-nothing');
    assert.deepEqual([failed.status, failed.written], ['failed', 0]);
    assert.equal(await inBook('RA'), 0);
    assert.equal(await auditedMoves(), 0);
    assert.equal(await stagingLeft(), 0);
    const ok = await run(file('RA'), 'all-or-nothing');
    assert.deepEqual([ok.status, ok.written, ok.unchanged], ['succeeded', N, 0]);
    assert.equal(await inBook('RA'), N);
    assert.equal(await auditedMoves(), 1);
    assert.equal(await stagingLeft(), 0);
  });

  it('"import the valid rows" with a bad row moves the others', async () => {
    const r = await run(file('RB', true), 'valid-rows');
    assert.deepEqual([r.status, r.written, r.unchanged, r.rejectedRows], ['partial', N - 1, 0, 1]);
    assert.equal(await inBook('RB'), N - 1);
    assert.equal(await inBook('RA'), 1, 'the customer of the bad row stays where they were');
    assert.equal(await stagingLeft(), 0);
  });

  it('a file refused at the CSV stage after two batches were staged changes nothing; the next import works', async () => {
    // 4,100 good rows (two batches of 2,000 staged, and more), then a quote never closed.
    const rows = Array.from({ length: 4100 }, (_, i) => `${rvExt(i % N)},RA`);
    const broken = `${['subject,manager', ...rows, '"unterminated,RA'].join('\n')}\n`;
    const audited = await auditedMoves();
    await assert.rejects(run(broken, 'valid-rows'), ImportRefused);
    assert.equal(await inBook('RB'), N - 1, 'no customer moved');
    assert.equal(await auditedMoves(), audited);
    assert.equal(await stagingLeft(), 0);
    const ok = await run(file('RA'), 'valid-rows');
    assert.deepEqual([ok.status, ok.written, ok.unchanged], ['succeeded', N - 1, 1]);
    assert.equal(await inBook('RA'), N);
    assert.equal(await stagingLeft(), 0);
  });
});
