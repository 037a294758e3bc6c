import { addMonths, periodOf } from '@tierkit/api';
import { DEFAULT_TIME_ZONE } from '@tierkit/core';

/** The last complete month in the bank's calendar: the demo data ends there. */
export function lastCompleteMonth(now: Date = new Date(), timeZone: string = DEFAULT_TIME_ZONE): string {
  return addMonths(periodOf(now, timeZone), -1);
}
