import type { HistoryEvent } from '@tierkit/core';

/*
 * The flat row list the timeline windows over: a year header before each year's events, newest
 * first. Built once per data change (10,000 events in a few milliseconds: one cached formatter).
 */

export type TimelineRow =
  | { readonly kind: 'year'; readonly year: number; readonly events: number }
  | {
      readonly kind: 'event';
      readonly event: HistoryEvent;
      readonly year: number /** Position among events, 0-based. */;
      readonly index: number;
    };

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A cached formatter; constructing Intl objects costs far more than using them. */
export function cachedFormat(locale: string, timeZone: string, o: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(o)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...o, timeZone });
    formatters.set(key, f);
  }
  return f;
}

/** `tz` when the platform knows it, else the bank default — a typo in an attribute must not break the widget. */
export function safeTimeZone(tz: string | undefined): string {
  if (!tz) return DEFAULT_TIME_ZONE;
  try {
    cachedFormat('en', tz, { year: 'numeric' });
    return tz;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

/** Events newest first; returns the input itself when it already is (the API's order). */
export function newestFirst(events: readonly HistoryEvent[]): readonly HistoryEvent[] {
  for (let i = 1; i < events.length; i++) {
    if ((events[i - 1] as HistoryEvent).at < (events[i] as HistoryEvent).at) {
      return [...events].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    }
  }
  return events;
}

/** Groups events (newest first) by their calendar year in `timeZone`. */
export function buildRows(events: readonly HistoryEvent[], timeZone: string): TimelineRow[] {
  const fmt = cachedFormat('en', timeZone, { year: 'numeric' });
  const rows: TimelineRow[] = [];
  let header: { kind: 'year'; year: number; events: number } | undefined;
  newestFirst(events).forEach((event, index) => {
    const t = Date.parse(event.at);
    const year = Number.isNaN(t) ? 0 : Number(fmt.format(t));
    if (!header || header.year !== year) {
      header = { kind: 'year', year, events: 0 };
      rows.push(header);
    }
    header.events++;
    rows.push({ kind: 'event', event, year, index });
  });
  return rows;
}
