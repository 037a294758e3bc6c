// No word of the console shows as a raw key or in another language: every audit detail field the API
// and the CLI write has words in zh-CN, zh-TW and en, and every map of words (fields, roles, codes …)
// holds the same keys in all three, so a key added in one locale is not a raw key in the others.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { auditDetailTexts } from '../../apps/admin/src/pages/audit-detail-text.js';
import { AUDIT_WORDS } from '../../apps/admin/src/pages/audit.words.js';
import { LOCALES } from '../../apps/admin/src/words.js';
import { auditFieldsWritten } from '../support/audit-fields-written.js';

const ROOT = join(import.meta.dirname, '..', '..');
const WRITERS = ['packages/api/src', 'packages/cli/src', 'apps/server/src'].map((d) => join(ROOT, d));

/** `{ 'zh-CN': {…}, 'zh-TW': {…}, en: {…} }`-shaped exports of the console's word files. */
async function wordSets(): Promise<[string, Record<string, Record<string, unknown>>][]> {
  const dir = join(ROOT, 'apps/admin/src');
  const files = [
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(dir, f)),
    ...readdirSync(join(dir, 'pages'))
      .filter((f) => f.endsWith('.words.ts'))
      .map((f) => join(dir, 'pages', f)),
  ];
  const sets: [string, Record<string, Record<string, unknown>>][] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const [name, v] of Object.entries(mod))
      if (v && typeof v === 'object' && LOCALES.every((l) => Object.hasOwn(v, l)))
        sets.push([`${file.slice(ROOT.length + 1)}:${name}`, v as Record<string, Record<string, unknown>>]);
  }
  return sets;
}

/** Every key path of plain objects under `o` (`fields.export.month` stays one key: a key is what the object holds). */
function keyPaths(o: unknown, prefix = ''): string[] {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return [];
  return Object.entries(o).flatMap(([k, v]) => [`${prefix}${k}`, ...keyPaths(v, `${prefix}${k} › `)]);
}

describe('the console has words for every key it shows', () => {
  it('every audit detail field the API and the CLI write is named in zh-CN, zh-TW and en', () => {
    const written = auditFieldsWritten(WRITERS);
    assert.ok(written.has('export.format') && written.has('restrictedRead.schemes'), 'the walk finds the fields the routes write');
    const missing = LOCALES.flatMap((l) =>
      [...written]
        .filter(([f]) => !Object.hasOwn(AUDIT_WORDS[l].fields, f))
        .map(([f, file]) => `${l}: ${f} (${file.slice(ROOT.length + 1)})`),
    );
    assert.deepEqual(missing, []);
  });

  it('the fields an examiner met raw are said in each language, none of them a key', () => {
    const lines = [
      { kind: 'value', field: 'export.month', value: '2026-11' },
      { kind: 'value', field: 'export.timeZone', value: 'Asia/Shanghai' },
      { kind: 'value', field: 'export.locale', value: 'en' },
      { kind: 'value', field: 'restrictedRead.count', value: 2 },
      { kind: 'value', field: 'dependents', value: [] },
    ] as const;
    assert.deepEqual(auditDetailTexts(lines, 'zh-CN'), [
      '导出：月份：2026-11',
      '导出：时区：Asia/Shanghai',
      '导出：语言：en',
      '受限读取：客户数：2',
      '随之重评的方案：无',
    ]);
    assert.deepEqual(auditDetailTexts(lines, 'zh-TW'), [
      '匯出：月份：2026-11',
      '匯出：時區：Asia/Shanghai',
      '匯出：語言：en',
      '受限讀取：客戶數：2',
      '隨之重評的方案：無',
    ]);
    assert.deepEqual(auditDetailTexts(lines, 'en'), [
      'export: month: 2026-11',
      'export: time zone: Asia/Shanghai',
      'export: language: en',
      'restricted read: customers read: 2',
      'schemes re-tiered with it: none',
    ]);
  });

  it('every word file holds the same keys in zh-CN, zh-TW and en, however deep', async () => {
    const sets = await wordSets();
    assert.ok(sets.length >= 15, `the walk finds the word files (${sets.length})`);
    const differ: string[] = [];
    for (const [name, set] of sets) {
      const cn = new Set(keyPaths(set['zh-CN']));
      for (const l of LOCALES.slice(1)) {
        const other = new Set(keyPaths(set[l]));
        for (const k of cn) if (!other.has(k)) differ.push(`${name}: ${l} lacks ${k}`);
        for (const k of other) if (!cn.has(k)) differ.push(`${name}: zh-CN lacks ${k} (${l} has it)`);
      }
    }
    assert.deepEqual(differ, []);
  });
});
