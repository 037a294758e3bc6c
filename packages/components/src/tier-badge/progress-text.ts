import type { Assignment, CustomerAssignment, Locale, MetricDef, ProgressPath } from '@tierkit/core';
import { progressSentence, type ProgressWords } from '@tierkit/core/progress';

/** The nearest path to the next level, its level's name and the sentence that says what is missing. */
export interface ProgressView {
  readonly path: ProgressPath;
  /** The next level's name. */
  readonly next: string;
  readonly text: string;
}

/**
 * What the badge says about progress, or null at the top level (or with no progress); `words` are
 * core's progress words under the host's overrides (`.terms` `progress`).
 */
export function progressView(
  a: Assignment | CustomerAssignment,
  metrics: readonly MetricDef[],
  locale: Locale,
  currency: string,
  words?: ProgressWords,
): ProgressView | null {
  const progress = a.progress;
  const path = progress?.paths[progress.nearest] ?? progress?.paths[0];
  if (!progress || !path) return null;
  const level = a.schemeInfo.levels.find((l) => l.key === progress.toLevel);
  const next = level?.name[locale] ?? progress.toLevel;
  // A customer's path names its measure (「月日均资产（近3个月平均）」, the API's `name`); staff's the metric.
  const metric = path.name?.[locale] ?? metrics.find((m) => m.key === path.metric)?.label[locale] ?? path.metric;
  // The sentence comes from core, so the badge and the API word progress the same way, a money gap in
  // whole yuan rounded up (core's gapUp) included. The bar keeps the exact figures.
  return { path, next, text: progressSentence(path, metric, next, locale, currency, words) };
}
