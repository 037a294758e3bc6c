/*
 * The bank's calendar. A month (`YYYY-MM`) and a day are the bank's own: November ends at midnight
 * in Shanghai, which is 16:00 UTC on 30 November. Pure (Intl only), so the engine, the API and the
 * CLI all count days and months the same way.
 */

/** The calendar used when a deployment names none (`TIERKIT_TIME_ZONE`): the banks tierkit serves first. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** A calendar day in some time zone. */
export interface CalendarDay {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31; {@link startOfDay} rolls days past the month's end over, as `Date.UTC` does. */
  readonly day: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    // Throws RangeError for a zone the runtime does not know: `isTimeZone` asks first where input is checked.
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** Whether the runtime knows `timeZone` as an IANA zone (`Asia/Shanghai`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone === '') return false;
  try {
    formatIn(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** A wall-clock time in some time zone (24-hour); fields past their range roll over, as `Date.UTC`'s do. */
export interface WallTime extends CalendarDay {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** What a clock on the wall in `timeZone` reads at `instant`. */
export function wallTime(instant: Date | number, timeZone: string): WallTime {
  const p: Record<string, number> = {};
  for (const part of formatIn(timeZone).formatToParts(instant)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year ?? 1970, month: p.month ?? 1, day: p.day ?? 1, hour: p.hour ?? 0, minute: p.minute ?? 0, second: p.second ?? 0 };
}

/** The calendar day an instant falls on in `timeZone`. */
export function dayOf(instant: Date, timeZone: string): CalendarDay {
  const { year, month, day } = wallTime(instant, timeZone);
  return { year, month, day };
}

/**
 * `t` read as if it were UTC, in milliseconds, fields rolling over as `Date.UTC`'s do — but years
 * 0–99 as themselves: `Date.UTC` reads them as 1900–1999, which put 0100 in New York (whose clock in
 * 0099 read back a year of 99) eighteen centuries off.
 */
function asUtc(t: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, 0);
  return d.getTime();
}

/** Milliseconds `timeZone` is ahead of UTC at `instant`. */
function offsetAt(instant: number, timeZone: string): number {
  return asUtc(wallTime(instant, timeZone)) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a clock on the wall in `timeZone` reads `t`. Of an hour the clocks show twice (autumn,
 * summer time ending) it is one of the two, which depends on the zone; {@link instantsAt} gives both.
 */
export function instantAt(t: WallTime, timeZone: string): Date {
  const wall = asUtc(t);
  const guess = wall - offsetAt(wall, timeZone);
  // Once more at the guess, for a zone whose offset changed in between (summer time).
  return new Date(wall - offsetAt(guess, timeZone));
}

/**
 * `instant` as the wall clock in `timeZone` reads it, in ISO 8601 with that zone's offset at the time
 * (`2025-11-15T12:00:00.000+08:00`): the same instant as its UTC text, for a reader who counts in the
 * bank's hours (an examiner's spreadsheet beside the UTC column).
 */
export function zonedIso(instant: Date, timeZone: string): string {
  const ms = instant.getTime();
  const t = wallTime(ms, timeZone);
  const offsetMinutes = Math.round(offsetAt(ms, timeZone) / 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return `${String(t.year).padStart(4, '0')}-${two(t.month)}-${two(t.day)}T${two(t.hour)}:${two(t.minute)}:${two(t.second)}.${millis}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

const DAY_MS = 86_400_000;

/**
 * Every instant a clock on the wall in `timeZone` reads `t` (no roll-over: 30 February reads no
 * instant), earliest first: none in a gap the clocks skip (spring, New York 2026-03-08 02:30), two in
 * an hour they show twice (autumn, New York 2026-11-01 01:30, Berlin 2026-10-25 02:30), else one. A
 * range that takes a typed bound needs both: its start the earlier, its end the later, or it misses
 * what the clocks showed inside it.
 */
export function instantsAt(t: WallTime, timeZone: string): readonly Date[] {
  const wall = asUtc(t);
  if (Number.isNaN(wall)) return [];
  // The offsets in force a day either side cover any one change of the clocks near `t`; at `t` itself, a change just then.
  const offsets = new Set([offsetAt(wall - DAY_MS, timeZone), offsetAt(wall, timeZone), offsetAt(wall + DAY_MS, timeZone)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const at = wall - offset;
    const w = wallTime(at, timeZone);
    if (w.year === t.year && w.month === t.month && w.day === t.day && w.hour === t.hour && w.minute === t.minute && w.second === t.second)
      found.add(at);
  }
  return [...found].sort((a, b) => a - b).map((at) => new Date(at));
}

/** The first instant of a day in `timeZone`. */
export function startOfDay(d: CalendarDay, timeZone: string): Date {
  return instantAt({ year: d.year, month: d.month, day: d.day, hour: 0, minute: 0, second: 0 }, timeZone);
}

const PERIOD = /^(\d{4})-(\d{2})$/;

/**
 * The first instant after the month `asOf` in `timeZone` (ISO 8601 UTC): when the evaluated period
 * closed. `2026-11` in Shanghai closes at `2026-11-30T16:00:00.000Z`.
 */
export function periodEnd(asOf: string, timeZone: string): string {
  // A re-tier asks for every subject (overrides in force at a month's end), and the answer costs
  // four Intl formats: one per zone and month is enough, since neither changes in a process.
  const key = `${timeZone}\u0000${asOf}`;
  let end = ends.get(key);
  if (end === undefined) {
    if (ends.size >= ENDS_KEPT) ends.clear();
    ends.set(key, (end = computePeriodEnd(asOf, timeZone)));
  }
  return end;
}

const ends = new Map<string, string>();
/** Months' ends kept: a few years of months in a few zones. */
const ENDS_KEPT = 1024;

function computePeriodEnd(asOf: string, timeZone: string): string {
  const m = PERIOD.exec(asOf);
  const month = Number(m?.[2]);
  if (!m || month < 1 || month > 12) throw new RangeError(`asOf must be a YYYY-MM period, got "${asOf}"`);
  // Month 13 rolls over to January of the next year, as Date.UTC does.
  return startOfDay({ year: Number(m[1]), month: month + 1, day: 1 }, timeZone).toISOString();
}

const lastPeriod = new Map<string, { minute: number; period: string }>();

/** The calendar month (`YYYY-MM`) of an instant in `timeZone`. */
export function periodOf(instant: Date, timeZone: string): string {
  // Every read asks (its pack lookup), and formatting costs more than the rest of a cached read's
  // route. Months begin on a minute in every time zone (offsets are whole minutes), so within one
  // minute the answer cannot change.
  const minute = Math.floor(instant.getTime() / 60_000);
  const last = lastPeriod.get(timeZone);
  if (last?.minute === minute) return last.period;
  const d = dayOf(instant, timeZone);
  const period = `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}`;
  lastPeriod.set(timeZone, { minute, period });
  return period;
}
