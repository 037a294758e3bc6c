import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultSubjectFilter, SessionStore, SubjectBrowser } from '@tierkit/admin';
import { kitFixture } from './kit-fixture.js';

describe('SubjectBrowser against the real API', () => {
  const f = kitFixture();
  const ids = (b: SubjectBrowser) => b.state.items.map((s) => s.id);

  it('an RM starts on their own book and pages through all of it, not only the first page', async () => {
    const session = new SessionStore(f.client('RM1'));
    await session.load();
    const b = new SubjectBrowser(f.client('RM1'), { pageSize: 3, filter: defaultSubjectFilter(session.state.session) });
    assert.deepEqual(b.state.filter, { manager: 'me' });
    await b.load();
    assert.deepEqual(ids(b), ['K01', 'K02', 'K03']);
    assert.ok(b.state.nextCursor);
    await b.loadMore();
    assert.deepEqual(ids(b), ['K01', 'K02', 'K03', 'K04', 'K05', 'K06']);
    await b.loadMore();
    assert.deepEqual(ids(b), ['K01', 'K02', 'K03', 'K04', 'K05', 'K06', 'K07']);
    assert.equal(b.state.nextCursor, null);
    assert.equal(b.state.pages, 3);
    await b.loadMore();
    assert.equal(b.state.pages, 3, 'nothing more to load');
  });

  it('a matrix cell, a level, a search and either order; loadAll reads the whole result', async () => {
    const b = new SubjectBrowser(f.client('RM1'), { pageSize: 2 });
    await b.showCell('risk-value-test', 'low', 'platinum');
    await b.loadAll();
    assert.deepEqual(ids(b), ['K01', 'K03', 'K04', 'K05', 'K06', 'K07'], 'the RM’s cell: K02 is high risk, K08+ not theirs');
    await b.showLevel('retail-tier', 'standard');
    assert.equal(b.state.empty, true, 'no standard customer in RM1’s book');
    assert.equal(b.state.status, 'ready');

    const all = new SubjectBrowser(f.client('OFF1'), { pageSize: 100 });
    await all.setFilter({ q: 'K0', order: 'desc' });
    assert.deepEqual(ids(all), ['K09', 'K08', 'K07', 'K06', 'K05', 'K04', 'K03', 'K02', 'K01']);
    await all.updateFilter({ q: undefined, order: undefined, manager: 'RM2' });
    assert.deepEqual(all.state.filter, { manager: 'RM2' });
    assert.deepEqual(ids(all), ['K08', 'K09']);
  });

  it('a newer filter cancels the older load: the list is always the latest filter’s', async () => {
    const b = new SubjectBrowser(f.client('OFF1'), { pageSize: 100 });
    const first = b.setFilter({ manager: 'RM1' });
    const second = b.setFilter({ manager: 'RM2' });
    await Promise.all([first, second]);
    assert.deepEqual(b.state.filter, { manager: 'RM2' });
    assert.deepEqual(ids(b), ['K08', 'K09']);
    assert.equal(b.state.status, 'ready');
  });

  it('what the API refuses is an error state carrying its problem; refresh reads past the cache', async () => {
    const b = new SubjectBrowser(f.client('RM1'));
    await b.setFilter({ manager: 'RM2' });
    assert.equal(b.state.status, 'error');
    assert.equal(b.state.error?.status, 403);
    await b.setFilter({ scheme: 'retail-tier', level: 'nope' });
    assert.equal(b.state.error?.status, 400);
    assert.equal(b.state.error?.type, 'https://tierkit.dev/problems/validation');

    const officer = new SubjectBrowser(f.client('OFF1'));
    await officer.setFilter({ manager: 'RM2' });
    assert.deepEqual(ids(officer), ['K08', 'K09']);
    // Reassigned by someone else (the admin's own client): this browser's client still holds the old page.
    await f.client('admin').setManager('K10', 'RM2');
    await officer.load();
    assert.deepEqual(ids(officer), ['K08', 'K09'], 'within freshFor the client answers from its cache');
    await officer.refresh();
    assert.deepEqual(ids(officer), ['K08', 'K09', 'K10']);
  });
});
