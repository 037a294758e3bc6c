// What internal audit reads of imports and teams through the kit, against the real API: the imports
// newest first with each one's outcome, one opened with its refused rows paged (line, column, code —
// never the refused cell's text), and the teams of books.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImportHistory, readTeams } from '@tierkit/admin';
import { mintStaffToken } from '@tierkit/api';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

/** Two balances mistyped, one customer unknown: the cells an auditor must not read back. */
const FILE = 'subject,period,avg_daily_balance\nK01,2025-10,4000\nK02,2025-10,12万3\nNOPE9,2025-10,1\nK03,2025-10,四千\n';

describe('ImportHistory and readTeams, as internal audit reads them', () => {
  const f = kitFixture();
  let auditor: ReturnType<typeof f.clientWith>;

  const post = (method: string, path: string, body: string, type = 'application/json') =>
    f.app.request(path, { method, headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': type }, body });

  it('lists the imports with their outcome and opens one: refused rows by line and column, a page at a time, no cell text', async () => {
    // Made an auditor by a grant a second admin approves (202), as the role must be.
    assert.equal(await f.putStaff('AUD1', { name: '审计员', role: 'auditor', scope: 'tenant' }), 202);
    auditor = f.clientWith((await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'AUD1', now: NOW })).token);
    const made = await post(
      'POST',
      `/v1/imports?kind=metrics&amounts=yuan&mode=valid-rows&fileName=${encodeURIComponent('十月.csv')}`,
      FILE,
      'text/csv',
    );
    assert.equal(made.status, 201, await made.clone().text());
    const id = ((await made.json()) as { id: string }).id;

    const history = new ImportHistory(auditor, { pageSize: 5, errorPageSize: 2 });
    await history.refresh();
    assert.equal(history.state.status, 'ready', JSON.stringify(history.state.error));
    const listed = history.state.items.find((i) => i.id === id);
    assert.deepEqual(
      [listed?.fileName, listed?.status, listed?.rows, listed?.written, listed?.rejectedRows, listed?.errorCount],
      ['十月.csv', 'partial', 4, 1, 3, 3],
    );

    await history.open(id);
    assert.equal(history.state.openedStatus, 'ready');
    assert.equal(history.state.opened?.id, id);
    assert.deepEqual(
      history.state.openedErrors.map((e) => [e.line, e.column]),
      [
        [3, 'avg_daily_balance'],
        [4, 'subject'],
      ],
    );
    assert.notEqual(history.state.openedNextCursor, null, 'a third error to page to');
    await history.loadMoreErrors();
    assert.deepEqual(
      history.state.openedErrors.map((e) => e.line),
      [3, 4, 5],
    );
    assert.equal(history.state.openedNextCursor, null);
    const said = JSON.stringify(history.state);
    for (const cell of ['12万3', 'NOPE9', '四千']) assert.ok(!said.includes(cell), `the refused cell ${cell} reached the auditor`);

    history.close();
    assert.equal(history.state.opened, undefined);
  });

  it('reads the teams of books, each with its books', async () => {
    assert.equal((await post('PUT', '/v1/teams/T1', JSON.stringify({ name: '一组' }))).status, 201);
    assert.equal((await post('POST', '/v1/teams/T1/books', JSON.stringify({ add: ['RM2', 'RM1'] }))).status, 200);
    const teams = await readTeams(auditor, new AbortController().signal);
    assert.deepEqual(
      teams.map((t) => [t.id, t.name, t.lead, t.books]),
      [['T1', '一组', null, ['RM1', 'RM2']]],
    );
  });
});
