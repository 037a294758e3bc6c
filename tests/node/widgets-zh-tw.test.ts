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
import { QUOTA_PERIODS } from '@tierkit/core';
import { MAINLAND_WORDS, mainlandWordsIn } from '../support/zh-tw-words.js';

/**
 * Realistic arguments for every word function, by its name: a table lookup inside one (the quota's
 * period, a plural) is checked only when it gets a value it knows. A function missing here fails the
 * test, so a new one gets its arguments too.
 */
const SAMPLES: Readonly<Record<string, readonly (readonly unknown[])[]>> = {
  label: [['零售分層', '白金']],
  progressTo: [['白金']],
  pending: [['白金']],
  blockedBy: [['帳戶暫停交易', '白金']],
  imposedBy: [['白金']],
  grantedBy: [['白金']],
  quotaUsed: QUOTA_PERIODS.map((p) => ['2', '5', p]),
  quotaPer: QUOTA_PERIODS.map((p) => ['5', p]),
  next: [['白金']],
  count: [
    ['1', 1],
    ['1,204', 1204],
  ],
  total: [
    ['1', 1],
    ['1,204', 1204],
  ],
  caption: [['風險', '價值']],
  year: [[2026]],
  approvedBy: [['王＊明']],
  by: [['王＊明']],
  policy: [[3]],
  period: [['2026-05']],
  courtesy: [['2027年3月5日'], []],
  retryWhat: [['我的權益'], ['等級變動紀錄']],
  retry: [['客戶等級', 'C000003']],
  loaded: [
    ['1', 1],
    ['120', 120],
  ],
};

/** Every string in `words`, each function called with each of its sample argument lists. */
function strings(words: unknown, at: string): [string, string][] {
  if (typeof words === 'string') return [[at, words]];
  if (typeof words === 'function') {
    const name = at.slice(at.lastIndexOf('.') + 1);
    const samples = SAMPLES[name];
    if (!samples) throw new Error(`${at}: no sample arguments for this word function (add them to SAMPLES)`);
    return samples.map((args) => [`${at}(${args.join(', ')})`, String((words as (...a: unknown[]) => unknown)(...args))]);
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

/** The product's list, and 記錄 as a noun: the widgets use it only as one (the console also as a verb). */
const MAINLAND: Readonly<Record<string, string>> = { ...MAINLAND_WORDS, 記錄: '紀錄（名詞）' };

describe('the widgets in zh-TW', () => {
  it('has words to check', () => {
    assert.ok(ALL.length > 50, `${ALL.length} strings`);
  });

  it('uses Taiwan’s words, not the mainland’s', () => {
    assert.deepEqual(mainlandWordsIn(ALL, MAINLAND), []);
  });

  it('fills every word with its arguments: no "undefined", "NaN" or "[object" left in a sentence', () => {
    assert.deepEqual(
      ALL.filter(([, text]) => /undefined|NaN|\[object/.test(text)).map(([at, text]) => `${at}: ${text}`),
      [],
    );
  });

  it('quotes with 「」, as Taiwan writes', () => {
    assert.deepEqual(
      ALL.filter(([, text]) => /[“”]/.test(text)).map(([at, text]) => `${at}: ${text}`),
      [],
    );
  });
});
