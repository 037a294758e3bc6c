import assert from 'node:assert/strict';
import { it } from 'node:test';
import { csvText } from '../../apps/admin/src/csv.js';
import { callListFileName, callListPreamble } from '../../apps/admin/src/pages/call-list-csv.js';

const title = {
  list: '宽限期内（将降级）',
  period: '2026-11',
  manager: '王芳 · RM001',
  generatedAt: '2026-12-05 18:05 (Asia/Shanghai)',
  timeZone: 'Asia/Shanghai',
  written: 10_000,
  truncated: false,
};

it('a call list downloads by its name, the day and the month evaluated, not as one 客户名单.csv', () => {
  assert.equal(callListFileName(title, '2026-12-05'), '宽限期内（将降级）-2026-12-05-2026-11.csv');
  assert.equal(
    callListFileName({ list: 'Moved down at the latest re-tier', period: null }, '2026-12-05'),
    'Moved-down-at-the-latest-re-tier-2026-12-05.csv',
  );
  assert.equal(callListFileName({ list: 'a/b:c', period: '2026-11' }, '2026-12-05'), 'a-b-c-2026-12-05-2026-11.csv');
});

it('the file opens with what it is: list, month, RM, when, zone — in each language', () => {
  assert.deepEqual(callListPreamble(title, 'zh-CN'), [
    ['tierkit 客户名单导出'],
    ['名单', '宽限期内（将降级）'],
    ['评定月份', '2026-11'],
    ['客户经理', '王芳 · RM001'],
    ['生成时间', '2026-12-05 18:05 (Asia/Shanghai)'],
    ['时区', 'Asia/Shanghai'],
  ]);
  assert.equal(callListPreamble({ ...title, manager: null }, 'zh-TW')[3]?.[1], '全行');
  assert.equal(callListPreamble(title, 'en')[0]?.[0], 'tierkit customer list export');
});

it('a list cut at the export’s bound says so, with how many customers it holds, in each language', () => {
  for (const [locale, words] of [
    ['zh-CN', /只导出了前 10,000 位客户/],
    ['zh-TW', /只匯出了前 10,000 位客戶/],
    ['en', /only the first 10,000 customers/],
  ] as const) {
    const lines = callListPreamble({ ...title, truncated: true }, locale);
    assert.match(lines.at(-1)?.[0] ?? '', words, locale);
    assert.match(csvText(lines), words);
  }
  assert.equal(callListPreamble(title, 'zh-CN').length, 6, 'a whole list says nothing of the kind');
});
