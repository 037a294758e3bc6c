/*
 * `YYYY-MM` arithmetic. Periods are calendar months in the tenant's time zone; only their order
 * and distance matter here, so plain integer month counts do.
 */

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether `s` is a real month `YYYY-MM` (2000-01 … 2999-12; 2025-13 is not). */
export function isPeriod(s: string): boolean {
  const m = PERIOD.exec(s);
  return m !== null && Number(m[1]) >= 2000 && Number(m[1]) <= 2999;
}

function toIndex(period: string): number {
  return Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1;
}

function fromIndex(i: number): string {
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** `period` shifted by `months` (negative goes back). */
export function addMonths(period: string, months: number): string {
  return fromIndex(toIndex(period) + months);
}

/** Months from `from` to `to`, both included, oldest first (empty when `from` is after `to`). */
export function monthRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let i = toIndex(from); i <= toIndex(to); i++) out.push(fromIndex(i));
  return out;
}

/** Months between two periods (`to − from`). */
export function monthsBetween(from: string, to: string): number {
  return toIndex(to) - toIndex(from);
}

const monthFormats = new Map<string, Intl.DateTimeFormat>();
const lastPeriod = new Map<string, { minute: number; period: string }>();

/** The calendar month of an instant in a time zone (`Asia/Shanghai` for Chinese banks). */
export function periodOf(instant: Date, timeZone: string): string {
  // Every read asks (its pack lookup), and formatting costs more than the rest of a cached read's
  // route. Months begin on a minute in every time zone (offsets are whole minutes), so within one
  // minute the answer cannot change.
  const minute = Math.floor(instant.getTime() / 60_000);
  const last = lastPeriod.get(timeZone);
  if (last?.minute === minute) return last.period;
  // Building a formatter costs far more than using one.
  let format = monthFormats.get(timeZone);
  if (!format) monthFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' })));
  const parts = format.formatToParts(instant);
  const year = parts.find((p) => p.type === 'year')?.value ?? '1970';
  const month = parts.find((p) => p.type === 'month')?.value ?? '01';
  const period = `${year}-${month}`;
  lastPeriod.set(timeZone, { minute, period });
  return period;
}
