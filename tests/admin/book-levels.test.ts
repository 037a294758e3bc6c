import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  BookLevels,
  bookChoices,
  choiceOf,
  countAt,
  countFilter,
  defaultSubjectFilter,
  managerOf,
  SessionStore,
  SubjectBrowser,
  spansBooks,
} from '@tierkit/admin';
import { createApiKey } from '@tierkit/api';
import { kitFixture } from './kit-fixture.js';

/**
 * A team lead's console (docs/permissions.md, "team lead column"): RM1 leads a team holding RM2's book.
 * The lead picks an RM for their lists (全部 / 我的 / RM2), reads the counts per book, and a count's
 * list is that count's customers. RM2, with no team, has no picker. Against the real API.
 */
describe('a lead’s books and their RM picker', () => {
  const f = kitFixture();
  const ids = (b: SubjectBrowser) => b.state.items.map((s) => s.id);

  before(async () => {
    const checker = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'admin', label: 'second admin', now: new Date() })).secret;
    const as = (key: string, method: string, path: string, body: unknown) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    // Naming a lead and adding books widen the lead's reach: each a grant a second admin approves.
    for (const [method, path, body] of [
      ['PUT', '/v1/teams/T1', { name: '一组', lead: 'RM1' }],
      ['POST', '/v1/teams/T1/books', { add: ['RM2'] }],
    ] as const) {
      const res = await as(f.adminKey, method, path, body);
      assert.equal(res.status, 202, await res.clone().text());
      const grant = (await res.json()) as { id: string; contentHash: string };
      const ok = await as(checker, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash });
      assert.equal(ok.status, 200, await ok.text());
    }
  });

  it('the lead chooses 全部, 我的 or a team RM; an RM with no team has no choice', async () => {
    const lead = new SessionStore(f.client('RM1'));
    await lead.load();
    const choices = bookChoices(lead.state.session);
    assert.deepEqual(choices, [{ kind: 'all' }, { kind: 'mine' }, { kind: 'book', book: 'RM2' }]);
    const rm = new SessionStore(f.client('RM2'));
    await rm.load();
    assert.deepEqual(bookChoices(rm.state.session), []);
    const staff = new SessionStore(f.client('OFF1'));
    await staff.load();
    assert.deepEqual(bookChoices(staff.state.session), [], 'tenant-wide staff have no team to choose in');

    const b = new SubjectBrowser(f.client('RM1'), { pageSize: 100, filter: defaultSubjectFilter(lead.state.session) });
    await b.load();
    assert.deepEqual(ids(b), ['K01', 'K02', 'K03', 'K04', 'K05', 'K06', 'K07'], 'their own book first');
    assert.deepEqual(choiceOf(b.state.filter.manager, lead.state.session), { kind: 'mine' });
    await b.showLevel('retail-tier', 'standard');
    await b.showBook(managerOf({ kind: 'book', book: 'RM2' }));
    assert.deepEqual(ids(b), ['K08', 'K09'], 'RM2’s customers, the level kept');
    assert.equal(b.state.filter.level, 'standard');
    await b.showBook(managerOf({ kind: 'all' }));
    assert.deepEqual(ids(b), ['K08', 'K09'], 'every book of the team at that level: K10 is in none');
    assert.equal(spansBooks(b.state.filter.manager, lead.state.session), true);
    assert.equal(spansBooks('RM2', lead.state.session), false);
    assert.equal(spansBooks(undefined, rm.state.session), false);
  });

  it('counts per book: each count’s list is as long as the count', async () => {
    const levels = new BookLevels(f.client('RM1'));
    await levels.load('retail-tier');
    assert.equal(levels.state.status, 'ready');
    const books = levels.state.levels?.books ?? [];
    assert.deepEqual(
      books.map((r) => [r.manager, r.total]),
      [
        ['RM1', 7],
        ['RM2', 2],
      ],
    );
    const b = new SubjectBrowser(f.client('RM1'), { pageSize: 100 });
    for (const row of books)
      for (const { key } of levels.state.levels?.levels ?? []) {
        const filter = countFilter(row, 'retail-tier', key);
        assert.ok(filter);
        await b.setFilter(filter);
        assert.equal(b.state.items.length, countAt(row, key), `${row.manager} ${key}`);
      }

    const refused = new BookLevels(f.client('RM2'));
    await refused.load('nope');
    assert.equal(refused.state.status, 'error');
    assert.equal(refused.state.error?.status, 400);
  });
});
