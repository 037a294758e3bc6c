import type { ConsoleLocale } from './words.js';

/** The bank's zone: every date and time the console shows is in it, and says so. */
export const BANK_TIME_ZONE = 'Asia/Shanghai';

const formats = new Map<string, Intl.DateTimeFormat>();

function format(locale: ConsoleLocale, o: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(o)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...o, timeZone: BANK_TIME_ZONE });
    formats.set(key, f);
  }
  return f;
}

/** An ISO instant as the bank's local date and time, the zone named (`2026-12-02 19:05 (Asia/Shanghai)`). */
export function formatInstant(iso: string | null | undefined, locale: ConsoleLocale): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const parts = Object.fromEntries(
    format(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${BANK_TIME_ZONE})`;
}

/** Today in the bank's zone, `YYYY-MM-DD` (a date input's value). */
export function bankToday(now = Date.now()): string {
  const p = Object.fromEntries(
    format('en', { year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(now)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}`;
}

/** This month in the bank's zone, `YYYY-MM`. */
export function bankMonth(now = Date.now()): string {
  return bankToday(now).slice(0, 7);
}

/** A duration in seconds, roughly, in words (`3 天` / `3 d`). */
export function formatDuration(seconds: number, locale: ConsoleLocale): string {
  const zh = locale === 'zh-CN';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return zh ? `${s} 秒` : `${s} s`;
  if (s < 3600) return zh ? `${Math.floor(s / 60)} 分钟` : `${Math.floor(s / 60)} min`;
  if (s < 86400) return zh ? `${Math.floor(s / 3600)} 小时` : `${Math.floor(s / 3600)} h`;
  return zh ? `${Math.floor(s / 86400)} 天` : `${Math.floor(s / 86400)} d`;
}
