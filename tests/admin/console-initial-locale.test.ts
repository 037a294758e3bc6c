import assert from 'node:assert/strict';
import { it } from 'node:test';
import { initialLocale, LOCALE_KEY, localeOfLanguage, saveLocale, savedLocale } from '../../apps/admin/src/initial-locale.js';

/** A Storage of a plain map, or one that refuses (a private window). */
const storage = (refuse = false) => {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k: string) => {
      if (refuse) throw new Error('SecurityError');
      return items.get(k) ?? null;
    },
    setItem: (k: string, v: string) => {
      if (refuse) throw new Error('QuotaExceededError');
      items.set(k, v);
    },
  };
};

it('a browser’s language picks the console’s: Traditional for Taiwan, Hong Kong, Macao and Hant; other Chinese Simplified; else English', () => {
  for (const [tag, locale] of [
    ['zh-TW', 'zh-TW'],
    ['zh-HK', 'zh-TW'],
    ['zh-MO', 'zh-TW'],
    ['zh-Hant', 'zh-TW'],
    ['zh-Hant-CN', 'zh-TW'],
    ['zh_TW', 'zh-TW'],
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-Hans-HK', 'zh-CN'],
    ['zh-SG', 'zh-CN'],
    ['en-US', 'en'],
    ['en', 'en'],
    ['fr-FR', 'en'],
  ] as const)
    assert.equal(localeOfLanguage(tag), locale, tag);
});

it('opens in ?lang= first, then the saved choice, then the browser’s first language, else 简体中文', () => {
  assert.equal(initialLocale('en', 'zh-TW', ['zh-CN']), 'en');
  assert.equal(initialLocale(null, 'zh-TW', ['en-US']), 'zh-TW');
  assert.equal(initialLocale('xx', 'nonsense', ['zh-HK', 'en']), 'zh-TW', 'a bad ?lang= or saved value is passed over');
  assert.equal(initialLocale(null, null, ['en-GB', 'zh-CN']), 'en', 'the first preference decides');
  assert.equal(initialLocale(null, null, ['zh-TW']), 'zh-TW');
  assert.equal(initialLocale(null, null, []), 'zh-CN');
});

it('keeps the choice for the next visit, and does without where storage is refused', () => {
  const s = storage();
  saveLocale(s, 'en');
  assert.equal(s.items.get(LOCALE_KEY), 'en');
  assert.equal(initialLocale(null, savedLocale(s), ['zh-CN']), 'en');
  const refused = storage(true);
  assert.doesNotThrow(() => saveLocale(refused, 'zh-TW'));
  assert.equal(savedLocale(refused), null);
  assert.equal(savedLocale(undefined), null);
});
