import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Overrides } from '@tierkit/admin';
import { CUSTOMER_WORDS } from '../../apps/admin/src/pages/customer.words.js';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

/*
 * "我的申请 / My requests": a relationship manager's own requests by default (`mine`: the API's
 * `requestedBy=me`), every request on their book with the box ticked — against the real API.
 */
describe('My requests: the RM’s own, or the whole book', () => {
  const f = kitFixture();
  const file = async (who: string, subject: string) => {
    const o = new Overrides(f.client(who), { now: () => NOW });
    await o.open(subject);
    const done = await o.request({ scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: '客户维护', expiresAt: null });
    assert.equal(done, true, JSON.stringify(o.state.actionError));
  };

  before(async () => {
    await file('RM1', 'K04');
    // A tenant-wide colleague's request for a customer of RM1's book, and RM2's for their own.
    await file('OFF1', 'K05');
    await file('RM2', 'K08');
  });

  it('mine by default lists only what the RM filed; unticked mine lists the book; never another book', async () => {
    const o = new Overrides(f.client('RM1'), { now: () => NOW });
    await o.open(undefined, { mine: true });
    assert.deepEqual(
      o.state.items.map((i) => [i.subject, i.requestedByYou]),
      [['K04', true]],
    );
    await o.setFilter({ mine: false });
    assert.deepEqual(o.state.items.map((i) => i.subject).sort(), ['K04', 'K05']);
    await o.setFilter({ mine: true, status: 'pending' });
    assert.deepEqual(
      o.state.items.map((i) => i.subject),
      ['K04'],
    );
  });

  it('the toggle’s words in each language', () => {
    assert.deepEqual(
      (['zh-CN', 'zh-TW', 'en'] as const).map((l) => CUSTOMER_WORDS[l].myRequestsAll),
      ['显示我名下客户的全部申请', '顯示我名下客戶的全部申請', 'Show every request on my book'],
    );
  });
});
