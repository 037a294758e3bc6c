import type { ConsoleLocale } from '../words.js';

/*
 * Dates of the override screens in the bank's zone, the zone stated. An expiry is picked as a day in
 * the bank's calendar and sent as the instant that day ends there.
 * (The approvals and analytics pages hold the same zone; one shared module when they meet on main.)
 */

/** The bank's time zone (the demo bank's; the widgets' timeline uses the same default). */
export const BANK_ZONE = 'Asia/Shanghai';

const formats = new Map<string, Intl.DateTimeFormat>();
function fields(t: number, locale = 'en'): Record<string, string> {
  let f = formats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: BANK_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(locale, f);
  }
  return Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
}

/** An ISO instant as the bank's date and time, zone named: `2026-12-31 23:59 (Asia/Shanghai)`. */
export function bankTime(iso: string | null | undefined, _locale: ConsoleLocale): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const p = fields(t);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} (${BANK_ZONE})`;
}

/** Today in the bank's calendar, `YYYY-MM-DD` (a date input's `min`). */
export function bankToday(now = Date.now()): string {
  const p = fields(now);
  return `${p.year}-${p.month}-${p.day}`;
}

/**
 * The last second (ISO, UTC) of bank day `YYYY-MM-DD` — an expiry "on 31 December" reads
 * `2099-12-31 23:59`, not the next day's midnight; undefined for anything else.
 */
export function endOfBankDay(day: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const midnightAsUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1);
  if (Number.isNaN(midnightAsUtc)) return undefined;
  // The zone's offset near that midnight, read back from Intl (no zone arithmetic by hand).
  const p = fields(midnightAsUtc);
  const shown = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return new Date(midnightAsUtc - (shown - midnightAsUtc) - 1000).toISOString().replace('.000Z', 'Z');
}
