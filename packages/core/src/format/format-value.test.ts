import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatGap, formatPeriod, formatValue, metricWithWindow } from './format-value.js';

describe('labels and months, one way for every surface', () => {
  it('names a metric with its window in each language’s brackets, and alone without one', () => {
    const window = { fn: 'avg', months: 3, missing: 'zero' } as const;
    assert.equal(metricWithWindow('月日均资产', window, 'zh-CN'), '月日均资产（近3个月平均）');
    assert.equal(metricWithWindow('月日均資產', window, 'zh-TW'), '月日均資產（近3個月平均）');
    assert.equal(metricWithWindow('Average daily balance', window, 'en'), 'Average daily balance (average of the last 3 months)');
    assert.equal(metricWithWindow('月日均资产', null, 'zh-CN'), '月日均资产');
  });

  it('writes a YYYY-MM period as the locale writes a month, and anything else as given', () => {
    assert.equal(formatPeriod('2025-10', 'zh-CN'), '2025年10月');
    assert.equal(formatPeriod('2025-03', 'zh-TW'), '2025年3月');
    assert.equal(formatPeriod('2025-03', 'en'), 'Mar 2025');
    assert.equal(formatPeriod('2025-Q1', 'en'), '2025-Q1');
  });
});

describe('formatGap', () => {
  it('says a money gap in whole yuan rounded up, and any other gap as formatValue writes it', () => {
    assert.equal(formatGap(3_333_334, 'money', 'CNY', 'zh-CN'), '¥33,334');
    assert.equal(formatValue(3_333_334, 'money', 'CNY', 'zh-CN'), '¥33,333.34', 'a balance stays exact');
    assert.equal(formatGap(3_333_334, 'money', 'JPY', 'en'), '¥3,333,334');
    assert.equal(formatGap(3_333_334, 'money', undefined, 'en'), 'CN¥33,334', 'the yuan, to an English reader');
    assert.equal(formatValue(3_333_334, 'money', 'CNY', 'zh-TW'), 'CN¥33,333.34');
    assert.equal(formatGap(13.9, 'score', undefined, 'en'), '13.9 points');
    assert.equal(formatGap(3, 'days', undefined, 'zh-CN'), '3 天');
  });
});
