// The jobs page's counts, statuses and the schemes a job adds, as the console words them in each
// language: counts grouped by the console's one count formatter, customers only when the job covers
// customers only, a status said once, and the start form's "also re-tiers" line from the API's answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Jobs } from '@tierkit/admin';
import { JOBS_WORDS } from '../../apps/admin/src/pages/jobs.words.js';
import { count } from '../../apps/admin/src/pages/analytics-format.js';
import { whyFailed } from '../../apps/admin/src/why-failed.js';
import { kitFixture, refusal } from './kit-fixture.js';

describe('the jobs page words', () => {
  const f = kitFixture();

  it('groups its counts: 10,460 subjects, not 10460 customers, when the job is not customers-only', () => {
    assert.equal(JOBS_WORDS['zh-CN'].progressText(10_460, 10_460, false), '已处理 10,460 / 10,460 个对象（100%）');
    assert.equal(JOBS_WORDS['zh-CN'].progressText(6_104, 10_000, true), '已处理 6,104 / 10,000 位客户（61%）');
    assert.equal(JOBS_WORDS['zh-TW'].progressText(10_460, 10_460, true), '已處理 10,460 / 10,460 位客戶（100%）');
    assert.equal(JOBS_WORDS.en.progressText(3_238, 10_460, false), '3,238 of 10,460 subjects done (30%)');
    assert.equal(JOBS_WORDS.en.progressText(1, 1, true), '1 of 1 customer done (100%)');
    // The matrix cells and summary figures use the console's count formatter, the one analytics uses.
    assert.equal(count(6104), '6,104');
  });

  it('says a month corrected after its re-tier is out of date, in every language', () => {
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const w = JOBS_WORDS[locale];
      for (const text of [w.stale('M', 'T'), w.staleImporting('M', 'imp_1'), w.staleByHand('M')]) {
        assert.ok(text.startsWith('M'), text);
        assert.notEqual(text, w.done('M'), 'not worded as done');
      }
      assert.ok(w.stale('M', 'T').includes('T') && w.staleImporting('M', 'imp_1').includes('imp_1'));
    }
    assert.equal(JOBS_WORDS['zh-CN'].staleByHand('2026年11月'), '2026年11月重评后又有数据更正，当前等级未反映更正：请再次启动该月重评');
  });

  it('says an earlier month corrected after a later re-tier waits for an operator, with the command, in every language', () => {
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const w = JOBS_WORDS[locale];
      for (const text of [w.decision('M', 'L', 'tierkit retier --period L'), w.decisionOutside('M', 'L', 'tierkit retier --period M')]) {
        assert.ok(text.startsWith('M') && text.includes('L'), text);
        assert.ok(text.includes('tierkit retier --period'), text);
        assert.notEqual(text, w.stale('M', 'T'), 'not worded as re-tiered by the schedule');
      }
      assert.notEqual(w.decision('M', 'L', 'c'), w.decisionOutside('M', 'L', 'c'));
    }
    assert.equal(
      JOBS_WORDS['zh-CN'].decision('2026年9月', '2026年11月', 'tierkit retier --period 2026-11'),
      '2026年9月重评后又有数据更正，而2026年11月已在此后重评：排程不会自动重评，请运维人员决定。运行 tierkit retier --period 2026-11 可按更正后的数据重评（2026年9月在2026年11月读取的月份内），其间各月已记录的等级保持不变',
    );
  });

  it('says a job count with its plural, and each status once', () => {
    assert.equal(JOBS_WORDS.en.shown(1, false), '1 job');
    assert.equal(JOBS_WORDS.en.shown(2, false), '2 jobs');
    assert.equal(JOBS_WORDS.en.shown(1_200, true), '1,200 jobs shown, more to load');
    assert.equal(JOBS_WORDS['zh-CN'].shown(1_200, false), '共 1,200 个任务');
    assert.equal(JOBS_WORDS['zh-CN'].statuses.completed, '已完成');
    assert.equal(JOBS_WORDS.en.statuses.completed, 'completed');
  });

  it('tells on the start form which schemes a job for the one chosen adds, from the API', async () => {
    const jobs = new Jobs(f.client('OFF1'));
    await jobs.loadDependents(['aml-test'], '2025-10');
    assert.deepEqual(jobs.state.dependents, {
      schemes: ['aml-test', 'retail-tier', 'risk-value-test'],
      dependents: [
        { scheme: 'retail-tier', readBy: ['risk-value-test'] },
        { scheme: 'risk-value-test', reads: ['aml-test'] },
      ],
    });
    // The form's month goes with the question: a month not begun is the API's refusal, not a preview.
    await jobs.loadDependents(['aml-test'], '2026-01');
    assert.equal(jobs.state.dependents, undefined);
    const w = JOBS_WORDS['zh-CN'];
    assert.equal(w.alsoRetiers([w.dependsOn('价值分档', ['客户等级'])]), '也将重评：价值分档（依赖客户等级）');
    assert.equal(
      JOBS_WORDS.en.alsoRetiers([JOBS_WORDS.en.dependsOn('Value band', ['Card tier'])]),
      'Also re-tiers: Value band (reads Card tier)',
    );
    assert.equal(w.readBy('AML 风险', ['风险分档']), 'AML 风险（风险分档依赖它）');
    assert.equal(JOBS_WORDS['zh-TW'].readBy('AML 風險', ['風險分檔']), 'AML 風險（風險分檔依賴它）');
    assert.equal(JOBS_WORDS.en.readBy('AML risk', ['Risk band']), 'AML risk (read by Risk band)');
    // "All schemes" adds nothing: the line is cleared.
    await jobs.loadDependents([]);
    assert.equal(jobs.state.dependents, undefined);
  });

  it('words the API’s refusal of an open month not confirmed, by its code', async () => {
    const e = await refusal(() => f.client('OFF1').http.send('POST', '/v1/jobs', { kind: 'retier', period: '2025-11' }));
    assert.equal(e.status, 400);
    assert.equal(whyFailed(e, 'zh-CN'), '请求未通过校验: 重评尚未结束的月份: 2025-11 尚未结束：须确认按部分数据重评');
    assert.equal(whyFailed(e, 'zh-TW'), '請求未通過驗證: 重評尚未結束的月份: 2025-11 尚未結束：須確認按部分資料重評');
    assert.equal(
      whyFailed(e, 'en'),
      'The request is not valid: Re-tier a month not yet ended: 2025-11 has not ended: confirm re-tiering it on part of its data',
    );
  });
});
