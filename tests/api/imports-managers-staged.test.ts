// A managers file larger than one page of moves (`STAGED_MOVE_PAGE`): staged as it is read and moved
// at its end in ascending subject id, a page at a time. What a user sees: every customer in the book
// the file's last row for them names, the same file again moving nobody, and the moves' times — each
// page's read after its book rows are locked — rising with the subject id whatever the file's order.
// Moving the whole file in one call (every row held in memory) gives every move one time; moving each
// batch as it is read gives times rising in file order, here the reverse of subject order.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { loadTenantPack, runImport, type ImportContext } from '@tierkit/api';
import { insertSubjects, STAGED_MOVE_PAGE, upsertStaff } from '@tierkit/db';
import { authHeader, forEachDialect, NOW } from '../support/api-fixture.js';

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
      .select(['target', 'detail'])
      .where('chain', '=', TENANT)
      .where('phase', '=', 'change')
      .where('route', '=', '/v1/imports')
      .orderBy('seq')
      .execute();
    const counts = records.map((r) => Number((JSON.parse(r.target) as { moves: string }).moves));
    assert.deepEqual(counts, [1000, 1000, 1000, 1000, 1000, 1000, SUBJECTS - 6000]);
    const named = records.flatMap((r) => (JSON.parse(r.detail ?? '{}') as { moves: { subject: string }[] }).moves.map((m) => m.subject));
    assert.deepEqual(
      named,
      Array.from({ length: SUBJECTS }, (_, i) => external(i)),
      'every customer once, in subject order',
    );
  });
});
