import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SubjectDetail } from '@tierkit/admin';
import { kitFixture } from './kit-fixture.js';

describe('SubjectDetail against the real API', () => {
  const f = kitFixture();

  it('opens a customer of the book: tiers and history, paged', async () => {
    const d = new SubjectDetail(f.client('RM1'), { locale: 'en', historyPageSize: 1 });
    await d.open('K01');
    assert.equal(d.state.status, 'ready');
    assert.equal(d.state.tiers?.subject.id, 'K01');
    assert.equal(d.state.tiers?.assignments.find((a) => a.scheme === 'retail-tier')?.level, 'platinum');
    assert.equal(d.state.history.length, 1);
    while (d.state.historyCursor !== null) await d.loadMoreHistory();
    const whole = await f.client('RM1').getHistory('K01', { locale: 'en', limit: 100 });
    assert.ok(whole.items.length > 1, 'more than one page of one');
    assert.deepEqual(
      d.state.history.map((e) => e.id),
      whole.items.map((e) => e.id),
      'page by page, the whole history in order',
    );
  });

  it('a customer outside the book is “not found”, like one that does not exist', async () => {
    const d = new SubjectDetail(f.client('RM1'));
    await d.open('K08');
    assert.equal(d.state.status, 'error');
    assert.equal(d.state.notFound, true);
    await d.open('NOPE');
    assert.equal(d.state.notFound, true);
    await d.open('K03');
    assert.equal(d.state.status, 'ready', 'the next open starts clean');
    assert.equal(d.state.notFound, false);
  });

  it('opening another subject cancels the one still loading', async () => {
    const d = new SubjectDetail(f.client('OFF1'));
    const a = d.open('K01');
    const b = d.open('K09');
    await Promise.all([a, b]);
    assert.equal(d.state.id, 'K09');
    assert.equal(d.state.tiers?.subject.id, 'K09');
  });
});
