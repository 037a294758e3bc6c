import { instantAt, isTimeZone, wallTime } from '@tierkit/core/calendar';
import { monthsBack } from '@tierkit/core/months';
import type { ConsoleLocale } from './words.js';

/*
 * The bank's clock. Periods (`YYYY-MM`), days and the times people read are the bank's, not the
 * browser's: a month closes at midnight in the bank's zone, and every time shown says its zone. The
 * zone is the API's (`GET /v1/session`, the server's TIERKIT_TIME_ZONE), set when a session loads.
 * Offsets are read back from Intl, never written by hand, so a zone with daylight saving works too.
 */

/** The zone until a session names one (the demo bank's; the widgets' timeline defaults to the same). */
export const DEFAULT_BANK_TIME_ZONE = 'Asia/Shanghai';

let zone = DEFAULT_BANK_TIME_ZONE;

/** The bank's time zone the console counts and shows times in. */
export function bankTimeZone(): string {
  return zone;
}

/** Count and show times in `timeZone` from now on (the session's); a zone this browser does not know is ignored. */
export function useBankTimeZone(timeZone: string | undefined): void {
  if (!timeZone || timeZone === zone || !isTimeZone(timeZone)) return;
  zone = timeZone;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The bank-zone wall clock at instant `t`, two digits a field (four for the year). */
function fields(t: number): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const w = wallTime(t, zone);
  return {
    year: String(w.year).padStart(4, '0'),
    month: two(w.month),
    day: two(w.day),
    hour: two(w.hour),
    minute: two(w.minute),
    second: two(w.second),
  };
}

/** The UTC instant at which the bank's wall clock reads the given time. */
function bankWallToUtc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  return instantAt({ year, month, day, hour, minute, second }, zone).getTime();
}

const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

/** An ISO instant as the bank's date and time, the zone named: `2026-12-02 19:05 (Asia/Shanghai)`. */
export function formatInstant(at: string | null | undefined, _locale?: ConsoleLocale): string {
  if (!at) return '—';
  const t = Date.parse(at);
  if (Number.isNaN(t)) return at;
  const p = fields(t);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} (${zone})`;
}

/** An ISO instant as the bank's time of day, the zone named: `19:05:03 (Asia/Shanghai)`. */
export function formatBankClock(at: string): string {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return at;
  const p = fields(t);
  return `${p.hour}:${p.minute}:${p.second} (${zone})`;
}

/** An ISO instant to the second in the bank's zone, `2025-11-15 12:00:00`; the caller states the zone. */
export function formatBankTime(at: string, _locale?: ConsoleLocale): string {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return at;
  const p = fields(t);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** Today in the bank's calendar, `YYYY-MM-DD` (a date input's value or `min`). */
export function bankToday(now = Date.now()): string {
  const p = fields(now);
  return `${p.year}-${p.month}-${p.day}`;
}

/** This month in the bank's zone, `YYYY-MM`. */
export function bankMonth(now = Date.now()): string {
  return bankToday(now).slice(0, 7);
}

/** The last month that has closed in the bank's zone: the newest one a month's data can be complete for. */
export function lastClosedMonth(now: Date = new Date()): string {
  return monthsBack(bankMonth(now.getTime()), 2)[1] as string;
}

/**
 * The last second (ISO, UTC) of bank day `YYYY-MM-DD` — an expiry "on 31 December" reads
 * `2099-12-31 23:59`, not the next day's midnight; undefined for anything else.
 */
export function endOfBankDay(day: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const t = bankWallToUtc(Number(m[1]), Number(m[2]), Number(m[3]) + 1, 0, 0, 0) - 1000;
  return Number.isNaN(t) ? undefined : iso(t);
}

/** A duration in seconds, roughly, in words (`3 天` / `3 d`). */
export function formatDuration(seconds: number, locale: ConsoleLocale): string {
  const units = { 'zh-CN': [' 秒', ' 分钟', ' 小时', ' 天'], 'zh-TW': [' 秒', ' 分鐘', ' 小時', ' 天'], en: [' s', ' min', ' h', ' d'] }[
    locale
  ];
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}${units[0]}`;
  if (s < 3600) return `${Math.floor(s / 60)}${units[1]}`;
  if (s < 86400) return `${Math.floor(s / 3600)}${units[2]}`;
  return `${Math.floor(s / 86400)}${units[3]}`;
}
