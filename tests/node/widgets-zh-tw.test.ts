// The widgets' zh-TW words as a Taiwanese bank's customer reads them: Taiwan's words, not the mainland's
// that a character-by-character conversion leaves behind (the console has the same check over its own
// words, tests/admin/console-zh-tw.test.ts, with a longer list for its staff vocabulary).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockStateTerms } from '../../packages/components/src/common/block-terms.js';
import { entitlementPanelTerms } from '../../packages/components/src/entitlement-panel/entitlement-panel.terms.js';
import { matrixTerms } from '../../packages/components/src/risk-value-matrix/risk-value-matrix.terms.js';
import { tierBadgeTerms } from '../../packages/components/src/tier-badge/tier-badge.terms.js';
import { timelineTerms } from '../../packages/components/src/tier-timeline/tier-timeline.terms.js';

/** Every string in `words`, functions called with a sample argument for each parameter. */
function strings(words: unknown, at: string): [string, string][] {
  if (typeof words === 'string') return [[at, words]];
  if (typeof words === 'function') {
    const out = (words as (...a: unknown[]) => unknown)('X', 'Y', 'month');
    return typeof out === 'string' ? [[at, out]] : [];
  }
  if (words && typeof words === 'object') return Object.entries(words).flatMap(([k, v]) => strings(v, `${at}.${k}`));
  return [];
}

const ALL = Object.entries({
  states: blockStateTerms,
  badge: tierBadgeTerms,
  panel: entitlementPanelTerms,
  matrix: matrixTerms,
  timeline: timelineTerms,
}).flatMap(([name, terms]) => strings(terms['zh-TW'], name));

/** Mainland words a conversion leaves in, with what Taiwan says. */
const MAINLAND: Readonly<Record<string, string>> = {
  審批: '核准、審核',
  記錄: '紀錄（名詞）',
  登錄: '登入',
  當前: '目前',
  加載: '載入',
  信息: '資訊、資料',
  客戶經理: '理財專員',
  默認: '預設',
  賬: '帳',
};

describe('the widgets in zh-TW', () => {
  it('has words to check', () => {
    assert.ok(ALL.length > 50, `${ALL.length} strings`);
  });

  it('uses Taiwan’s words, not the mainland’s', () => {
    const off = ALL.flatMap(([at, text]) =>
      Object.entries(MAINLAND)
        .filter(([word]) => text.includes(word))
        .map(([word, tw]) => `${at}: “${word}” (say ${tw}) in “${text}”`),
    );
    assert.deepEqual(off, []);
  });

  it('quotes with 「」, as Taiwan writes', () => {
    assert.deepEqual(
      ALL.filter(([, text]) => /[“”]/.test(text)).map(([at, text]) => `${at}: ${text}`),
      [],
    );
  });
});
