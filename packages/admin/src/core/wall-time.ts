// The calendar entry only: the core's main entry would pull its validator into every console page.
import { instantAt, isTimeZone, wallTime } from '@tierkit/core/calendar';
import type { CheckData } from './checks.js';

/*
 * A time a person types is the bank's wall clock; the API takes UTC instants. One reading of it for
 * every store that takes one (a closing's time, the audit trail's range), so a time refused in one
 * form is refused, in the same words, in every other.
 */

/** What can be wrong with a typed wall-clock time, by code, with the default words (English). */
export const WALL_TIME_CHECKS = {
  'not-a-time': () => 'not a date and time',
  'time-skipped': () => 'the clocks skip this time (daylight saving): there is no such time',
} as const satisfies Record<string, (data: CheckData) => string>;

export type WallTimeCheck = keyof typeof WALL_TIME_CHECKS;

/**
 * A wall-clock value (`2026-11-30T23:59`, seconds optional) in `timeZone` as the UTC instant it is;
 * `not-a-time` for anything else (30 February is refused, not rolled into March), `time-skipped` for a
 * time the zone's clocks jump over (02:30 on the day New York springs forward): no instant reads it,
 * and moving it silently an hour would record a time nobody typed.
 */
export function readWallTime(value: string, timeZone: string): { readonly at: string } | { readonly error: WallTimeCheck } {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m || !isTimeZone(timeZone)) return { error: 'not-a-time' };
  const [year, month, day, hour, minute, second] = m.slice(1).map((s) => Number(s ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // Date.UTC would roll 31 February over into March: a date that is not one is refused, not moved.
  // It also reads years 0–99 as 1900–1999, so those (no bank's records are that old) are no time either.
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (year < 100 || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59)
    return { error: 'not-a-time' };
  const t = instantAt({ year, month, day, hour, minute, second }, timeZone).getTime();
  if (Number.isNaN(t)) return { error: 'not-a-time' };
  // Read back: a time in a daylight-saving gap comes back an hour off, since no instant shows it.
  const w = wallTime(t, timeZone);
  if (w.year !== year || w.month !== month || w.day !== day || w.hour !== hour || w.minute !== minute || w.second !== second)
    return { error: 'time-skipped' };
  return { at: new Date(t).toISOString() };
}

/** {@link readWallTime}'s instant, or undefined when the value is no time on the zone's clocks. */
export function wallToInstant(value: string, timeZone: string): string | undefined {
  const r = readWallTime(value, timeZone);
  return 'at' in r ? r.at : undefined;
}
