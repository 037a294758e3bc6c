import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customerGrades, mainCustomerScheme, readSchemes, SubjectBrowser } from '@tierkit/admin';
import { kitFixture } from './kit-fixture.js';

describe('a relationship manager’s view of a customer’s grades, against the real API', () => {
  const f = kitFixture();

  it('says why a customer is at their level: the deciding rule and its inputs, money in yuan with thousands grouped', async () => {
    const tiers = await f.client('RM1').getTiers('K01', { locale: 'zh-CN' });
    const grades = customerGrades(tiers, 'zh-CN');
    const retail = grades.find((g) => g.scheme === 'retail-tier');
    assert.ok(retail);
    assert.equal(retail.levelName, '白金卡');
    assert.match(retail.decidedBy, /\S/, 'the rule that decided, by name');
    // K01's balances: ¥200,000 then ¥400,000 twice, averaged over three months.
    assert.deepEqual(
      retail.inputs.filter((i) => i.metric === 'avg_daily_balance').map((i) => i.value),
      ['¥333,333.33'],
    );
    assert.match(retail.inputs.find((i) => i.metric === 'avg_daily_balance')?.label ?? '', /（近3个月平均）$/);
    assert.equal(retail.period, '2025-10');
  });

  it('lists every grade the API gives the reader, and no other', async () => {
    const tiers = await f.client('RM1').getTiers('K02', { locale: 'en' });
    const grades = customerGrades(tiers, 'en');
    assert.deepEqual(
      grades.map((g) => g.scheme),
      tiers.assignments.map((a) => a.scheme),
    );
    assert.ok(
      grades.some((g) => g.scheme === 'aml-test'),
      'an officer’s staff token is sent the AML grade, so it is listed',
    );
  });

  it('the list shows each customer’s level in the main customer scheme, read with the page', async () => {
    const client = f.client('RM1');
    const main = mainCustomerScheme(await readSchemes(client, new AbortController().signal));
    assert.equal(main?.key, 'retail-tier');
    const browser = new SubjectBrowser(client, { pageSize: 3, filter: { manager: 'me' }, levelOf: main?.key });
    await browser.load();
    assert.deepEqual(
      browser.state.items.map((s) => [s.id, s.level]),
      [
        ['K01', 'platinum'],
        ['K02', 'platinum'],
        ['K03', 'platinum'],
      ],
    );
    // A search, a level filter, the next page: the levels come along with every one.
    await browser.updateFilter({ q: 'K0' });
    await browser.loadMore();
    assert.equal(browser.state.items.length, 6);
    assert.ok(browser.state.items.every((s) => s.level === 'platinum'));
    await browser.showLevel('retail-tier', 'platinum');
    assert.equal(browser.state.items[0]?.level, 'platinum');
    // Tenant-wide, each row its own level: K08–K10 hold a tenth of the others' balances.
    const wide = new SubjectBrowser(f.client('OFF1'), { pageSize: 10, levelOf: main?.key });
    await wide.load();
    assert.deepEqual(
      wide.state.items.map((s) => [s.id, s.level]),
      [
        ...['K01', 'K02', 'K03', 'K04', 'K05', 'K06', 'K07'].map((id) => [id, 'platinum']),
        ...['K08', 'K09', 'K10'].map((id) => [id, 'standard']),
      ],
    );
    // Outside the book, nothing: RM2's customers are at standard, and none of them is listed.
    await browser.setFilter({ manager: 'me', name: '张' });
    assert.deepEqual(
      browser.state.items.map((s) => s.id),
      ['K01', 'K02', 'K03'],
    );
  });
});
