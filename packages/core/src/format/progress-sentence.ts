import type { ProgressPath } from '../model/explanation.js';
import type { Locale } from '../model/locale.js';
import { formatMoney, gapUp, groupDigits } from './money.js';

/*
 * The one progress sentence: what the nearest path still lacks, in the customer's words. The badge
 * shows it and anything server-side that words progress uses it, so the widget and the API never say
 * 升至 in one place and 升级 in another. Depends only on money.ts, so the badge's bundle can carry it.
 */

/**
 * The words of a progress sentence in one locale: a widget's host may override them (the components'
 * `<tk-provider>` `.terms`, `progress`), e.g. 积分 for 分.
 */
export interface ProgressWords {
  /** "再增加 ¥12,000 月日均资产即可升级白金卡": amount, metric label, level name. */
  readonly gap: (amount: string, metric: string, level: string) => string;
  /** A yes/no path quotes the metric's own label as a condition (pack labels carry their own verb). */
  readonly gapBoolean: (metric: string, level: string) => string;
  readonly days: (n: string, count: number) => string;
  readonly points: (n: string, count: number) => string;
}

/** The progress sentence's own words, by locale. */
export const progressWords: Readonly<Record<Locale, ProgressWords>> = {
  'zh-CN': {
    gap: (a, m, l) => `再增加 ${a} ${m}即可升级${l}`,
    gapBoolean: (m, l) => `满足“${m}”即可升级${l}`,
    days: (n) => `${n} 天`,
    points: (n) => `${n} 分`,
  },
  'zh-TW': {
    gap: (a, m, l) => `再增加 ${a} ${m}即可升級${l}`,
    gapBoolean: (m, l) => `滿足「${m}」即可升級${l}`,
    days: (n) => `${n} 天`,
    points: (n) => `${n} 分`,
  },
  en: {
    gap: (a, m, l) => `${a} more ${m} to reach ${l}`,
    gapBoolean: (m, l) => `Meet “${m}” to reach ${l}`,
    days: (n, c) => `${n} ${c === 1 ? 'day' : 'days'}`,
    points: (n, c) => `${n} ${c === 1 ? 'point' : 'points'}`,
  },
};

/**
 * What `path` still lacks to reach `level`: `metric` is the metric's label and `level` the level's
 * name, both already in `locale`; `currency` applies when the path names none; `w` the words, a
 * host's own over {@link progressWords} (the figures stay `locale`'s).
 */
export function progressSentence(
  path: ProgressPath,
  metric: string,
  level: string,
  locale: Locale,
  currency = 'CNY',
  w: ProgressWords = progressWords[locale],
): string {
  if (path.unit === 'boolean') return w.gapBoolean(metric, level);
  const n = groupDigits(path.gap);
  // A weighted score's path names the pseudo-metric `@score` (SCORE_METRIC in the engine; a metric key
  // cannot start with "@"), which no label describes: "再增加 13.9 分 即可升级良好". Built from the
  // words already here, since the badge (≤ 10 KB gzip) carries this module; a page collapses en's
  // double space.
  if (path.metric[0] === '@') return w.gap(w.points(n, path.gap), '', level);
  const amount =
    path.unit === 'money'
      ? // Whole yuan, rounded up (money.ts, gapUp): the figure the badge and an RM's call list say too.
        formatMoney(gapUp(path.gap, path.currency ?? currency), path.currency ?? currency, locale)
      : // A gap is an amount still missing, never a signed adjustment, and in percent, which customers
        // read ("再增加 0.20%"), not the bank's basis points; two decimals carry every basis point.
        path.unit === 'bp'
        ? `${(path.gap / 100).toFixed(2)}%`
        : path.unit === 'days'
          ? w.days(n, path.gap)
          : path.unit === 'score'
            ? w.points(n, path.gap)
            : n;
  return w.gap(amount, metric, level);
}
