import type { Progress } from '../model/explanation.js';
import type { Locale } from '../model/locale.js';
import type { MetricDef } from '../model/metric.js';
import type { SchemeSummary } from '../model/scheme.js';
import { formatValue, windowText } from './format-value.js';

/**
 * The nearest path in plain words: "¥12,000.00 more monthly average daily balance (average of the
 * last 3 months) to reach Platinum" / "再增加 ¥12,000.00 月日均资产（近3个月平均）即可升至白金卡".
 */
export function describeProgress(progress: Progress, scheme: SchemeSummary, metrics: readonly MetricDef[], locale: Locale): string {
  const path = progress.paths[progress.nearest];
  if (!path) return '';
  const def = metrics.find((m) => m.key === path.metric);
  const name = def?.label[locale] ?? (locale === 'en' ? 'score' : '评分');
  const w = windowText(path.window, locale);
  const what = w ? (locale === 'en' ? `${name} (${w})` : `${name}（${w}）`) : name;
  const gap = formatValue(path.gap, path.unit, path.currency, locale);
  const level = scheme.levels.find((l) => l.key === progress.toLevel)?.name[locale] ?? progress.toLevel;
  if (locale === 'en') return `${gap} more ${what} to reach ${level}`;
  return `再增加 ${gap} ${what}即可升至${level}`;
}
