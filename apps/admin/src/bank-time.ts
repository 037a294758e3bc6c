import type { ConsoleLocale } from './words.js';

/**
 * The bank's zone: the console shows every instant in it, with the zone said beside it, so a time a
 * maker reads in Beijing is the one a checker reads anywhere (the widgets' timeline uses the same).
 */
export const BANK_TIME_ZONE = 'Asia/Shanghai';

const ZONE_NAME: Record<ConsoleLocale, string> = { 'zh-CN': '北京时间', en: 'Beijing time' };
const formats = new Map<ConsoleLocale, Intl.DateTimeFormat>();

/** `2026-12-02T03:06:00Z` → `2026/12/02 11:06 北京时间` (or `… Beijing time`). */
export function bankTime(iso: string, locale: ConsoleLocale): string {
  let f = formats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: BANK_TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(locale, f);
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${f.format(d)} ${ZONE_NAME[locale]}`;
}
