import { isPeriod } from './periods.js';
import type { FieldError } from './problem.js';

/*
 * The field errors of a month (`YYYY-MM`) in a request: one home for their codes, params and words,
 * so a job's period, a metric write's period and an analytics range are refused alike (the console
 * words them by code).
 */

/** The first month the API keeps (`isPeriod`). */
export const FIRST_MONTH = '2000-01';

/**
 * `value` is no month the API accepts: `invalid_format` (`format: 'month'`), or — a well-formed month
 * before 2000 — `too_small` (origin `month`, `minimum: '2000-01'`), which says what to change rather
 * than that it is no month at all.
 */
export function notMonth(path: string, value: string): FieldError {
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(value) && value < FIRST_MONTH)
    return {
      path,
      message: `${value} is before ${FIRST_MONTH}, the first month kept`,
      code: 'too_small',
      params: { minimum: FIRST_MONTH, inclusive: true, origin: 'month' },
    };
  return {
    path,
    message: `"${value}" is not a month (YYYY-MM, 2000-01 or later)`,
    code: 'invalid_format',
    params: { format: 'month', value },
  };
}

/** `month` is after the bank's current month (`month_not_begun`): nothing of it exists yet. */
export function monthNotBegun(path: string, month: string, current: string): FieldError {
  return {
    path,
    message: `${month} has not begun yet (current month ${current})`,
    code: 'month_not_begun',
    params: { month, current },
  };
}

/**
 * `month` is the bank's current month, still open (`month_open`), and the request did not say it means
 * it: evaluated now, everyone is judged on part of the month's data.
 */
export function monthOpen(path: string, month: string, confirm: string): FieldError {
  return {
    path,
    message: monthOpenMessage(month, `send ${confirm}: true`),
    code: 'month_open',
    params: { month, confirm },
  };
}

/**
 * Why an open month is refused, `confirm` saying how the asker means it: the API's field
 * (`send allowOpenMonth: true`), the CLI's option (`add --allow-open-month`): one wording, each
 * surface naming its own way to say it.
 */
export function monthOpenMessage(month: string, confirm: string): string {
  return `${month} has not ended: re-tiering it judges every customer on part of its data (a downgrade shows in their portal at once); ${confirm} to mean it, or choose a month that has ended`;
}

/** The error of a month that must be one and must have begun by `current`; undefined when it is fine. */
export function monthError(path: string, value: string, current: string): FieldError | undefined {
  if (!isPeriod(value)) return notMonth(path, value);
  if (value > current) return monthNotBegun(path, value, current);
  return undefined;
}
