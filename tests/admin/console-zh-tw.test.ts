// The console's zh-TW words as a Taiwanese bank employee reads them: Traditional characters only (every
// Chinese character is in Big5, the Traditional set: a Simplified-only one such as 户 or 级 is not) and
// Taiwan's words, not the mainland's that a character-by-character conversion (OpenCC) leaves behind.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { ANALYTICS_WORDS } from '../../apps/admin/src/pages/analytics.words.js';
import { APPROVALS_WORDS } from '../../apps/admin/src/pages/approvals.words.js';
import { AUDIT_WORDS } from '../../apps/admin/src/pages/audit.words.js';
import { CLOSING_WORDS } from '../../apps/admin/src/pages/closing.words.js';
import { CUSTOMER_WORDS } from '../../apps/admin/src/pages/customer.words.js';
import { IMPORT_WORDS } from '../../apps/admin/src/pages/import.words.js';
import { JOBS_WORDS } from '../../apps/admin/src/pages/jobs.words.js';
import { METRICS_WORDS } from '../../apps/admin/src/pages/metrics.words.js';
import { OVERRIDE_WORDS } from '../../apps/admin/src/pages/overrides.words.js';
import { POLICY_WORDS } from '../../apps/admin/src/pages/policies.words.js';
import { COMPARISON_WORDS } from '../../apps/admin/src/pages/simulation-comparison.words.js';
import { FAILURE_WORDS } from '../../apps/admin/src/why-failed.js';
import { WORDS } from '../../apps/admin/src/words.js';
import { mainlandWordsIn } from '../support/zh-tw-words.js';

const src = new URL('../../apps/admin/src/', import.meta.url).pathname;

/** Every string in `words`, functions called with sample arguments (numbers, then text). */
function strings(words: unknown, at = ''): [string, string][] {
  if (typeof words === 'string') return [[at, words]];
  if (typeof words === 'function') {
    for (const args of [
      [3, 3, 3, 3, 3],
      ['X', 'Y'],
      [{ up: 1, down: 1, same: 1, unranked: 1, entered: 1, both: 1, max: 9 }],
      [['X', 'Y']],
    ]) {
      try {
        const out = (words as (...a: unknown[]) => unknown)(...args);
        if (typeof out === 'string') return [[at, out]];
      } catch {
        // Not these arguments: try the next.
      }
    }
    return [];
  }
  if (words && typeof words === 'object') return Object.entries(words).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

/** The page titles and other zh-TW literals written in the pages' own files (`'zh-TW': '…'`, `'zh-TW': [ … ]`). */
function literals(): [string, string][] {
  const files = [...readdirSync(src).map((f) => join(src, f)), ...readdirSync(join(src, 'pages')).map((f) => join(src, 'pages', f))];
  return files
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.words.ts'))
    .flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/'zh-TW': (\[[^\]]*\]|'[^']*')/g)].map((m): [string, string] => [
        f.slice(src.length),
        m[1] ?? '',
      ]),
    );
}

const ALL: [string, string][] = [
  ...strings(WORDS['zh-TW'], 'words'),
  ...strings(APPROVALS_WORDS['zh-TW'], 'approvals'),
  ...strings(AUDIT_WORDS['zh-TW'], 'audit'),
  ...strings(CLOSING_WORDS['zh-TW'], 'closing'),
  ...strings(CUSTOMER_WORDS['zh-TW'], 'customer'),
  ...strings(ANALYTICS_WORDS['zh-TW'], 'analytics'),
  ...strings(IMPORT_WORDS['zh-TW'], 'import'),
  ...strings(JOBS_WORDS['zh-TW'], 'jobs'),
  ...strings(METRICS_WORDS['zh-TW'], 'metrics'),
  ...strings(OVERRIDE_WORDS['zh-TW'], 'overrides'),
  ...strings(POLICY_WORDS['zh-TW'], 'policies'),
  ...strings(COMPARISON_WORDS['zh-TW'], 'simulation-comparison'),
  ...strings(FAILURE_WORDS['zh-TW'], 'why-failed'),
  ...literals(),
];

/** A Chinese character of Big5 (CP950: iconv's `big5` is Hong Kong's, whose extension holds Simplified forms such as 户). */
const inBig5 = (c: string) => {
  const lead = iconv.encode(c, 'cp950')[0] ?? 0;
  return lead >= 0xa1 && lead <= 0xf9;
};

describe('the console in zh-TW', () => {
  it('has words to check', () => {
    assert.ok(ALL.length > 400, `${ALL.length} strings`);
  });

  it('uses Traditional characters only', () => {
    const off = ALL.flatMap(([at, text]) =>
      [...text].filter((c) => /\p{Script=Han}/u.test(c) && !inBig5(c)).map((c) => `${at}: ${c} in “${text}”`),
    );
    assert.deepEqual(off, []);
  });

  it('uses Taiwan’s words, not the mainland’s', () => {
    assert.deepEqual(mainlandWordsIn(ALL), []);
  });

  it('quotes with 「」, as Taiwan writes', () => {
    assert.deepEqual(
      ALL.filter(([, text]) => /[“”]/.test(text)).map(([at, text]) => `${at}: ${text}`),
      [],
    );
  });

  // One word for one thing across the pages: 方案 a scheme (as the jobs, policies and approvals pages
  // say it), 複核 the second person's review (as the approvals queue and its buttons say it).
  it('says scheme and review the same way on every page', () => {
    assert.deepEqual(
      ALL.filter(([, text]) => /體系|覆核/.test(text)).map(([at, text]) => `${at}: ${text}`),
      [],
    );
  });

  it('calls a row 列 and a column 欄 on the import page', () => {
    const w = IMPORT_WORDS['zh-TW'];
    assert.equal(w.line(3), '第 3 列');
    assert.equal(w.column('客戶編號'), '「客戶編號」欄');
    const rowsAsLines = strings(w, 'import').filter(([, text]) => /[0-9一每錯誤正確]\s*行|行有錯誤|的行/.test(text));
    assert.deepEqual(rowsAsLines, []);
  });
});
