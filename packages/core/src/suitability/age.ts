import type { CalendarDay } from '../calendar/zone.js';

/*
 * A customer's age for suitability (docs/domain.md §2: 65 and over must be weighed). The bank keeps
 * the date of birth as the subject attribute `birthDate`, a civil date (YYYY-MM-DD) with no zone:
 * a birthday is a day in the customer's calendar, not an instant.
 */

/** The subject attribute that holds a customer's date of birth. */
export const BIRTH_DATE_ATTRIBUTE = 'birthDate';

/** The earliest date of birth accepted: older is a typing error, not a customer. */
export const EARLIEST_BIRTH_DATE = '1900-01-01';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` as a calendar day, or undefined when it is no such day (2025-02-30, 2025-2-3). */
export function parseCivilDate(value: string): CalendarDay | undefined {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** `YYYY-MM-DD` of a calendar day. */
export function civilDate(d: CalendarDay): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/**
 * Full years from `birth` to `on` (周岁): a year more on each birthday; someone born on 29 February
 * is a year older on 1 March in a year without one.
 */
export function ageOn(birth: CalendarDay, on: CalendarDay): number {
  const hadBirthday = on.month > birth.month || (on.month === birth.month && on.day >= birth.day);
  return on.year - birth.year - (hadBirthday ? 0 : 1);
}
