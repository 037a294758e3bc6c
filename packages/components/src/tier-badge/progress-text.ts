import type { Assignment, Locale, MetricDef, ProgressPath } from '@tierkit/core';
import { formatCount, formatMoney } from '../shared/format.js';
import { tierBadgeTerms } from './tier-badge.terms.js';

/** The nearest path to the next level, its level's name and the sentence that says what is missing. */
export interface ProgressView {
  readonly path: ProgressPath;
  readonly toLevelName: string;
  readonly text: string;
}

/** What the badge says about progress, or null at the top level (or with no progress). */
export function progressView(a: Assignment, metrics: readonly MetricDef[], locale: Locale, currency: string): ProgressView | null {
  const progress = a.progress;
  const path = progress?.paths[progress.nearest] ?? progress?.paths[0];
  if (!progress || !path) return null;
  const t = tierBadgeTerms[locale];
  const level = a.schemeInfo.levels.find((l) => l.key === progress.toLevel);
  const toLevelName = level?.name[locale] ?? progress.toLevel;
  const metric = metrics.find((m) => m.key === path.metric)?.label[locale] ?? path.metric;
  if (path.unit === 'boolean') return { path, toLevelName, text: t.gapBoolean(metric, toLevelName) };
  const n = formatCount(path.gap, locale);
  const amount =
    path.unit === 'money'
      ? formatMoney(path.gap, path.currency ?? currency, locale)
      : // A gap is an amount still missing, never a signed adjustment: "再增加 20 bp", not "+20 bp".
        path.unit === 'bp'
        ? `${n} bp`
        : path.unit === 'days'
          ? t.days(n, path.gap)
          : path.unit === 'score'
            ? t.points(n, path.gap)
            : n;
  return { path, toLevelName, text: t.gap(amount, metric, toLevelName) };
}
