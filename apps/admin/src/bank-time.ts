import { monthsBack } from '@tierkit/core';
import type { ConsoleLocale } from './words.js';

/*
 * The bank's clock. Periods (`YYYY-MM`) and the times people read are the bank's, not the browser's:
 * a month closes at midnight in Shanghai, and a timestamp is shown there with the zone stated.
 */

/** The bank's time zone (the demo bank's; the widgets' timeline defaults to the same). */
export const BANK_TIME_ZONE = 'Asia/Shanghai';

const monthFormat = new Intl.DateTimeFormat('en-CA', { timeZone: BANK_TIME_ZONE, year: 'numeric', month: '2-digit' });

/** The last month that has closed in the bank's zone: the newest one a month's data can be complete for. */
export function lastClosedMonth(now: Date = new Date()): string {
  const parts = Object.fromEntries(monthFormat.formatToParts(now).map((p) => [p.type, p.value]));
  return monthsBack(`${parts.year}-${parts.month}`, 2)[1] as string;
}

const instantFormats = new Map<ConsoleLocale, Intl.DateTimeFormat>();

/** A UTC instant as the bank's staff read it: `2025-11-15 12:00:00`, in BANK_TIME_ZONE (the caller states the zone). */
export function formatBankTime(iso: string, locale: ConsoleLocale): string {
  let f = instantFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: BANK_TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    instantFormats.set(locale, f);
  }
  return f.format(new Date(iso));
}

/**
 * A `datetime-local` field's value, read as the bank's wall time, to the UTC instant the API takes
 * (`2025-11-15T04:00:00Z`); undefined for an empty or malformed field. Shanghai has had no daylight
 * saving since 1991, so its offset is fixed.
 */
export function bankLocalToUtc(value: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]) - 8, Number(m[5]));
  return Number.isNaN(utc) ? undefined : new Date(utc).toISOString().replace('.000Z', 'Z');
}
