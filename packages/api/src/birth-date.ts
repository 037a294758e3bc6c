import { civilDate, EARLIEST_BIRTH_DATE, parseCivilDate } from '@tierkit/core';
import type { FieldCode } from './problem.js';

/*
 * The `birthDate` attribute, which suitability reads for a customer's age: checked where subjects are
 * written (`PUT /v1/subjects/{id}`, a subjects import), so a typing error is refused then rather than
 * silently read as "age unknown". Other attributes stay free-form.
 */

/** The civil date already begun somewhere on Earth at `now` (UTC+14): a later date of birth is no one's yet. */
function latestDay(now: Date): string {
  const d = new Date(now.getTime() + 14 * 3_600_000);
  return civilDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** Why `value`, given as the `birthDate` attribute at `now`, is no date of birth; undefined when it is one. */
export function birthDateError(value: unknown, now: Date): (FieldCode & { readonly message: string }) | undefined {
  if (value === null) return undefined;
  if (typeof value !== 'string' || !parseCivilDate(value))
    return {
      message: `${JSON.stringify(value).slice(0, 40)} is not a date of birth (YYYY-MM-DD)`,
      code: 'invalid_format',
      params: { format: 'day', value: String(value).slice(0, 40) },
    };
  if (value < EARLIEST_BIRTH_DATE)
    return {
      message: `${value} is before ${EARLIEST_BIRTH_DATE}`,
      code: 'too_small',
      params: { minimum: EARLIEST_BIRTH_DATE, inclusive: true, origin: 'birth_date' },
    };
  const latest = latestDay(now);
  if (value > latest)
    return { message: `${value} is in the future`, code: 'too_big', params: { maximum: latest, inclusive: true, origin: 'birth_date' } };
  return undefined;
}
