// The calendar entry only: the core's main entry would pull its validator into every console page.
import { instantsAt, isTimeZone } from '@tierkit/core/calendar';
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
 * A typed time as the instants it is: `at` the first the zone's clocks show it, `latest` the last —
 * a later one only in an hour the clocks show twice (summer time ending: New York 2026-11-01 01:30).
 * `wall` is the time as typed, seconds written out (`2026-11-01T01:30:00`): two typed times compare as
 * text, which their instants cannot do inside an hour shown twice.
 */
export type WallTimeReading = { readonly at: string; readonly latest: string; readonly wall: string } | { readonly error: WallTimeCheck };

/**
 * The last instant an ISO string can say in four digits of year, as the API's times take them. No
 * first: a year before 0100 is refused as typed, and no zone is a day off UTC, so 0100 stays above 0000.
 */
const LAST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A wall-clock value (`2026-11-30T23:59`, seconds optional) in `timeZone` as the UTC instants it is;
 * `not-a-time` for anything else (30 February is refused, not rolled into March; a year before 0100,
 * or a time that is no instant the API takes — 9999-12-31 23:00 in New York is already 10000 in UTC),
 * `time-skipped` for a time the zone's clocks jump over (02:30 on the day New York springs forward):
 * no instant reads it, and moving it silently an hour would record a time nobody typed.
 */
export function readWallTime(value: string, timeZone: string): WallTimeReading {
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
  // Years 0–99 (no bank's records are that old) are no time either: a browser's field takes them as 19xx.
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (year < 100 || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59)
    return { error: 'not-a-time' };
  const found = instantsAt({ year, month, day, hour, minute, second }, timeZone).map((d) => d.getTime());
  const first = found[0];
  const last = found.at(-1);
  // None: the clocks jumped over it, since the date itself is a real one.
  if (first === undefined || last === undefined) return { error: 'time-skipped' };
  if (last > LAST) return { error: 'not-a-time' };
  return { at: new Date(first).toISOString(), latest: new Date(last).toISOString(), wall: probe.toISOString().slice(0, 19) };
}

/** {@link readWallTime}'s first instant (`at`), or undefined when the value is no time on the zone's clocks. */
export function wallToInstant(value: string, timeZone: string): string | undefined {
  const r = readWallTime(value, timeZone);
  return 'at' in r ? r.at : undefined;
}
