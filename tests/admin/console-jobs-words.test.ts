// The console says a refused re-tier job (`POST /v1/jobs`) in the staff's language, by the codes the
// API gives its checks, from the API's real refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldSays, whyFailed } from '../../apps/admin/src/why-failed.js';
import { kitFixture, refusal } from './kit-fixture.js';

describe('the console words a refused re-tier job', () => {
  const f = kitFixture();
  const start = (body: Record<string, unknown>) => () => f.client('OFF1').http.send('POST', '/v1/jobs', { kind: 'retier', ...body });

  it('a second scheme, a level and customers the bank does not have, a month that is none: each field named and said', async () => {
    const cases: [body: Record<string, unknown>, zhCN: string, zhTW: string, en: string][] = [
      [
        { period: '2025-10', schemes: ['retail-tier', 'nope'] },
        '方案: 没有方案“nope”',
        '方案: 沒有方案「nope」',
        'Schemes: no scheme “nope”',
      ],
      [
        { period: '2025-10', filter: { level: { scheme: 'retail-tier', level: 'emerald' } } },
        '按等级筛选的等级: “emerald”不是该方案的等级',
        '依等級篩選的等級: 「emerald」不是該方案的等級',
        'Level of the level filter: “emerald” is not a level of this scheme',
      ],
      [
        { period: '2025-10', filter: { subjects: ['K01', 'K99'] } },
        '客户: 本机构没有客户“K99”，请先导入客户',
        '客戶: 本機構沒有客戶「K99」，請先匯入客戶',
        'Customers: no customer “K99” in this bank; import the customer first',
      ],
      [
        { period: '2025-10', filter: { evaluatedSince: '2025-13' } },
        '已评估起始月份: “2025-13”不是月份（YYYY-MM）',
        '已評估起始月份: 「2025-13」不是月份（YYYY-MM）',
        'Evaluated since: “2025-13” is not a month (YYYY-MM)',
      ],
      [
        // A month before 2000 is a month, only too early: said as such, not as "not a month".
        { period: '1999-12' },
        '月份: 须为 2000-01 或之后的月份',
        '月份: 須為 2000-01 或之後的月份',
        'Month: must be 2000-01 or later',
      ],
      [
        { period: '2025-10', filter: { evaluatedSince: '2025-11' } },
        '已评估起始月份: 不能晚于任务的评估月份（2025-10）：否则没有客户会被重评',
        '已評估起始月份: 不能晚於任務的評估月份（2025-10）：否則沒有客戶會被重評',
        'Evaluated since: must not be after the job’s month (2025-10): no customer would be re-evaluated',
      ],
    ];
    for (const [body, zhCN, zhTW, en] of cases) {
      const e = await refusal(start(body));
      assert.equal(e.status, 400, JSON.stringify(e));
      assert.ok(
        e.errors?.every((x) => x.code !== undefined),
        JSON.stringify(e.errors),
      );
      assert.equal(whyFailed(e, 'zh-CN'), `请求未通过校验: ${zhCN}`);
      assert.equal(whyFailed(e, 'zh-TW'), `請求未通過驗證: ${zhTW}`);
      assert.equal(whyFailed(e, 'en'), `The request is not valid: ${en}`);
    }
  });

  it('a month with no data at all: its field said by its code, for a host that lists a 422’s fields', async () => {
    const e = await refusal(start({ period: '2024-01' }));
    assert.equal(e.status, 422);
    const field = e.errors?.find((x) => x.path === 'period');
    assert.ok(field, JSON.stringify(e.errors));
    assert.equal(
      fieldSays(field, 'zh-CN'),
      '2024-01 的数据尚未导入，未创建任务：此时重评会把每位客户都按无余额评级。请先导入 2024-01 的数据再重评。',
    );
    assert.equal(
      fieldSays(field, 'zh-TW'),
      '2024-01 的資料尚未匯入，未建立任務：此時重評會把每位客戶都按無餘額評級。請先匯入 2024-01 的資料再重評。',
    );
    assert.equal(
      fieldSays(field, 'en'),
      'No data for 2024-01 has been loaded, so no job was started: re-tiering it now would rate every customer as if they had no balances. Load 2024-01’s data first, then re-tier.',
    );
    // One wording: the console's refusal (jobs page, approvals) is the field's, by its code and month,
    // not a copy of its own keyed on the problem type and the month the page asked for.
    assert.equal(whyFailed(e, 'zh-CN'), fieldSays(field, 'zh-CN'));
    assert.equal(whyFailed(e, 'en'), fieldSays(field, 'en'));
  });
});
