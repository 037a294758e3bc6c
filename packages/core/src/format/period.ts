import type { Locale } from '../model/locale.js';

// A module of its own, importing nothing at run time: the widgets' timeline takes it as
// `@tierkit/core/period` without the rest of the formatters (as `@tierkit/core/mask` and `/money`).

/**
 * A `YYYY-MM` period as the locale writes a month: `2025年3月`, `Mar 2025`; anything else as given. The
 * one month formatter of the timeline and the console, so both date an evaluation alike.
 */
export function formatPeriod(period: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-US' : locale, { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(d);
}
