import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LOCALES } from '@tierkit/core';
import { seedDemo } from '@tierkit/ops';
import { localize, localizeJsonText } from '../../packages/api/src/locale.js';
import { sqliteHarness } from '../support/databases.js';

/** What the cut must equal: the stored text parsed, cut by localize, and serialized again. */
const longWay = (text: string, locale: (typeof LOCALES)[number]) => JSON.stringify(localize(JSON.parse(text), locale));

describe('a stored explanation cut to one locale without parsing it (localizeJsonText)', () => {
  const harness = sqliteHarness();
  after(() => harness.stopAll());

  it('gives what localize gives, for every explanation, progress and retention the demo seeder stores, in each locale', async () => {
    const db = await harness.open();
    await seedDemo(db.db, { tenantId: 'demo', customers: 80, corporates: 8, products: 6, employees: 6, endPeriod: '2025-10' });
    const rows = await db.db.selectFrom('assignments').select(['scheme', 'explanation', 'progress', 'retention']).execute();
    const texts = rows.flatMap((r) => [r.explanation, r.progress, r.retention].filter((t): t is string => t !== null));
    assert.ok(new Set(rows.map((r) => r.scheme)).size >= 5, 'every kind of scheme the seeder evaluates');
    let labels = 0;
    for (const text of texts) {
      for (const locale of LOCALES) {
        const cut = localizeJsonText(text, locale);
        assert.equal(cut, longWay(text, locale));
        if (cut !== text) labels++;
      }
    }
    assert.ok(labels > texts.length, 'the stored texts have labels to cut');
  });

  it('cuts labels nested anywhere, with escapes and any key order, and leaves strings that only look like labels', () => {
    const text = JSON.stringify({
      label: { 'zh-CN': '金卡', 'zh-TW': '金卡', en: 'Gold "card"\n' },
      list: [{ en: 'b\\', 'zh-TW': '乙', 'zh-CN': '乙' }, null, 1.5, { nested: { 'zh-TW': 'x', en: 'y', 'zh-CN': 'z' } }],
      note: '{"zh-CN":"not","zh-TW":"a","en":"label"}',
      partial: { 'zh-CN': 'only one locale' },
      more: { 'zh-CN': 'a', 'zh-TW': 'b', en: 'c', fr: 'd' },
    });
    for (const locale of LOCALES) assert.equal(localizeJsonText(text, locale), longWay(text, locale));
    assert.match(localizeJsonText(text, 'en'), /"label":\{"en":"Gold \\"card\\"\\n"\}/);
  });

  it('takes the long way for what the cut cannot vouch for, and still answers as localize does', () => {
    const cases = [
      // Not a string: localize cuts any object of exactly the three locales.
      { a: { 'zh-CN': 1, 'zh-TW': 2, en: 3 } },
      { a: { 'zh-CN': { deep: true }, 'zh-TW': null, en: ['x'] } },
      // An integer key, which JSON.parse moves to the front.
      { b: 1, 2: { 'zh-CN': 'x', 'zh-TW': 'y', en: 'z' } },
      // A key that ends like a locale's.
      { 'x"en': 1, c: { 'zh-CN': 'x', 'zh-TW': 'y', en: 'z' } },
    ];
    for (const value of cases) {
      const text = JSON.stringify(value);
      for (const locale of LOCALES) assert.equal(localizeJsonText(text, locale), longWay(text, locale), `${text} in ${locale}`);
    }
    // JSON written with spaces (not by JSON.stringify) is cut all the same.
    const spaced = '{"a": {"zh-CN": "甲", "zh-TW": "甲", "en": "A"}}';
    assert.equal(localizeJsonText(spaced, 'en'), '{"a":{"en":"A"}}');
  });
});
