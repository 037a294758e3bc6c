import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callListFilter, callListRows, customerGrades, mainCustomerScheme, readSchemes, SubjectBrowser } from '@tierkit/admin';
import { CUSTOMER_WORDS } from '../../apps/admin/src/pages/customer.words.js';
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

  it('a lowering waiting is named with the grade approving lets in (降级待审批 → …), in each language; none otherwise', async () => {
    const tiers = await f.client('RM1').getTiers('K01', { locale: 'zh-CN' });
    assert.ok(
      customerGrades(tiers, 'zh-CN').every((g) => g.loweringTo === null),
      'nothing waits for K01',
    );
    // The staff read's field as the API sends it while a lowering request is pending (tests/api/aml-lowering.test.ts).
    if (tiers.audience === 'customer') throw new Error('a relationship manager reads as staff');
    const waiting = {
      ...tiers,
      assignments: tiers.assignments.map((a) => (a.scheme === 'retail-tier' ? { ...a, loweringTo: 'gold' } : a)),
    };
    const grade = customerGrades(waiting, 'zh-CN').find((g) => g.scheme === 'retail-tier');
    assert.ok(grade);
    assert.equal(grade.levelName, '白金卡', 'the held level stays the one shown');
    assert.deepEqual(grade.loweringTo, { level: 'gold', name: '金卡' });
    assert.equal(CUSTOMER_WORDS['zh-CN'].loweringPending(grade.loweringTo.name), '降级待审批 → 金卡');
    assert.equal(CUSTOMER_WORDS['zh-TW'].loweringPending('金卡'), '降級待審核 → 金卡');
    assert.equal(CUSTOMER_WORDS.en.loweringPending('Gold'), 'lowering awaiting approval → Gold');
  });

  it('says what keeps the level of a customer below its line: the gap in money, the grace periods used', async () => {
    // K11: platinum for three months, then a month at nothing: kept in grace, one period below.
    const res = await f.app.request('/v1/subjects/K11', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'customer', displayName: '陶怡' }),
    });
    assert.equal(res.status, 201);
    // One month at a time, as re-tiers evaluate them: the level carried from each to the next.
    for (const [i, period] of ['2025-07', '2025-08', '2025-09', '2025-10'].entries()) {
      const metrics = await f.app.request('/v1/subjects/K11/metrics', {
        method: 'PUT',
        headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ metrics: [{ metric: 'avg_daily_balance', period, value: i < 3 ? 40_000_000 : 0 }] }),
      });
      assert.equal(metrics.status, 200, await metrics.text());
    }
    const tiers = await f.client('OFF1').getTiers('K11', { locale: 'zh-CN' });
    const retail = customerGrades(tiers, 'zh-CN').find((g) => g.scheme === 'retail-tier');
    assert.equal(retail?.levelName, '白金卡');
    // ¥266,666.66 on average against the ¥300,000 line: ¥33,333.34 short, said as the customer's badge
    // would, in whole yuan rounded up (core's formatGap);
    // or a household income it does not have. Down to 金卡 when the grace periods run out.
    assert.deepEqual(retail?.keep, {
      toLevel: 'gold',
      toLevelName: '金卡',
      lines: [
        { metric: 'avg_daily_balance', label: '月日均资产（近3个月平均）', gap: '¥33,334', flag: false, below: true },
        { metric: 'household_income', label: '家庭年收入（近12个月最近值）', gap: '¥800,000', flag: false, below: true },
      ],
      periodsBelow: 1,
      periodsAllowed: 3,
    });
    // K01 is above its line: nothing to keep it but what it has; none in grace.
    const k01 = customerGrades(await f.client('RM1').getTiers('K01', { locale: 'en' }), 'en').find((g) => g.scheme === 'retail-tier');
    assert.equal(k01?.keep?.periodsBelow ?? 0, 0);
  });

  it('a call list: the customers in grace with the periods used and the gap that keeps their level', async () => {
    // K11 of the test before: in grace, in no book — tenant-wide staff list it, RM1 does not.
    const client = f.client('OFF1');
    const main = mainCustomerScheme(await readSchemes(client, new AbortController().signal));
    assert.ok(main);
    const browser = new SubjectBrowser(client, { filter: callListFilter('grace', main.key), levelOf: main.key });
    await browser.load();
    assert.deepEqual(callListRows(browser.state.items, main, 'zh-CN'), [
      {
        id: 'K11',
        name: '陶*',
        level: 'platinum',
        levelName: '白金卡',
        fromName: '白金卡',
        decidedBy: '已连续 1 期低于标准（第 3 期起降级），保留原等级',
        period: '2025-10',
        periodsBelow: 1,
        periodsAllowed: 3,
        keepGap: '¥33,334',
        // ¥266,666.66 on average against 钻石卡's ¥1,500,000: ¥1,233,333.34 short, told as ¥1,233,334, the
        // figure the RM calls the customer with and the customer's badge says.
        nextGap: '¥1,233,334',
        // The money part of that gap, what the 潜力客户 list sorts by.
        moneyGap: '¥1,233,334',
      },
    ]);
    const mine = new SubjectBrowser(f.client('RM1'), {
      filter: { manager: 'me', ...callListFilter('grace', main.key) },
      levelOf: main.key,
    });
    await mine.load();
    assert.deepEqual(mine.state.items, [], 'not in RM1’s book');
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
