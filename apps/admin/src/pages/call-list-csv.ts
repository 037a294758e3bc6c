import type { ConsoleLocale } from '../words.js';
import { CUSTOMER_WORDS } from './customer.words.js';

/** What a call list's CSV says of itself above its header, as the audit export's title block does. */
export interface CallListTitle {
  /** The list's name as the page shows it (「宽限期内（将降级）」, or the whole list). */
  readonly list: string;
  /** The month its figures were evaluated for (`YYYY-MM`), null when no row says. */
  readonly period: string | null;
  /** Whose book: a name with the id, or null for the whole bank. */
  readonly manager: string | null;
  /** When the file was made, as the bank's clock reads it with its zone named (time.ts, formatInstant). */
  readonly generatedAt: string;
  /** The bank's time zone (IANA), where its months end. */
  readonly timeZone: string;
  /** Customers written, and whether the list had more than the export reads (the kit's `loadAll` bound). */
  readonly written: number;
  readonly truncated: boolean;
}

/** A file name of characters every system keeps: no slashes, colons or quotes from a list's name. */
const safe = (s: string) => s.replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^-+|-+$/g, '');

/**
 * The call list's file name: the list, the day it was made (the bank's) and the month evaluated, so a
 * week of downloads is not six 客户名单.csv: `宽限期内（将降级）-2026-12-05-2026-11.csv`.
 */
export function callListFileName(title: Pick<CallListTitle, 'list' | 'period'>, day: string): string {
  return `${[safe(title.list), day, title.period].filter(Boolean).join('-')}.csv`;
}

/** The lines above the header: list, period, RM, when and in which zone; and, when it is cut short, that it is. */
export function callListPreamble(title: CallListTitle, locale: ConsoleLocale): string[][] {
  const c = CUSTOMER_WORDS[locale];
  return [
    [c.csvTitle],
    [c.csvList, title.list],
    [c.csvPeriod, title.period ?? '—'],
    [c.csvManager, title.manager ?? c.csvWholeBank],
    [c.csvGeneratedAt, title.generatedAt],
    [c.csvZone, title.timeZone],
    ...(title.truncated ? [[c.csvTruncated(title.written)]] : []),
  ];
}
