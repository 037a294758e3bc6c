import type { Locale } from '../model/locale.js';

// A module of its own, importing nothing at run time: the widgets' timeline takes it as
// `@tierkit/core/period` without the rest of the formatters (as `@tierkit/core/mask` and `/money`).

/**
 * A `YYYY-MM` period as the locale writes a month: `2025年3月`, `Mar 2025`; anything else as given. The
 * one month formatter of the timeline and the console, so both date an evaluation alike. `locale` is
 * any tag Intl knows, so a widget on an `en-GB` page passes its full tag (`Mar 2025` either way, but
 * a day-first locale orders a longer format its own way).
 */
export function formatPeriod(period: string, locale: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(d);
}

/** `period` moved by `n` months (`2026-12`, 1 → `2027-01`); anything else as given. */
export function shiftPeriod(period: string, n: number): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period;
  const i = Number(m[1]) * 12 + Number(m[2]) - 1 + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/**
 * Which re-tier drops a level held by grace, the one wording of the policy editor's help, the
 * simulation and the call list (docs/domain.md, "Hysteresis"): "保留至 2026年12月，2027年1月重评降级".
 * `period` is a month the level was held in, `monthsLeft` how many more months below the line it
 * takes (downgradeAfterPeriods − months below so far): the re-tier of `period + monthsLeft` drops it.
 * The second month drops its year when it is the first's.
 */
export function graceDrop(period: string, monthsLeft: number, locale: Locale): string {
  const drops = shiftPeriod(period, Math.max(1, monthsLeft));
  const kept = shiftPeriod(drops, -1);
  const sameYear = kept.slice(0, 4) === drops.slice(0, 4);
  const month = Number(drops.slice(5, 7));
  if (locale === 'en') {
    const short = new Intl.DateTimeFormat('en-US', { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, month - 1, 1)));
    return `kept through ${formatPeriod(kept, locale)}, downgraded at the ${sameYear ? short : formatPeriod(drops, locale)} re-tier`;
  }
  const dropText = sameYear ? `${month}月` : formatPeriod(drops, locale);
  return locale === 'zh-TW'
    ? `保留至 ${formatPeriod(kept, locale)}，${dropText}重評降級`
    : `保留至 ${formatPeriod(kept, locale)}，${dropText}重评降级`;
}
